"""Serializers: the API's JSON shapes. Output mirrors the models; input is validated for
form only (types, lengths), the rules are the operations'."""

from typing import Any

from rest_framework import serializers


def read_only_slug(slug_field: str = "slug",
                   **kwargs: Any) -> serializers.SlugRelatedField[Any]:
    """A related object shown by its slug (organisation short name, TLD, username)."""
    return serializers.SlugRelatedField(slug_field=slug_field, read_only=True, **kwargs)
