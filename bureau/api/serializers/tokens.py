from __future__ import annotations

from typing import Any

from rest_framework import serializers

from bureau.api.serializers import read_only_slug
from bureau.audit.models import ApiToken
from bureau.audit.scopes import SCOPES


class TokenSerializer(serializers.ModelSerializer[ApiToken]):
    organisation = read_only_slug()
    person = read_only_slug(source="user", slug_field="username")
    is_active = serializers.BooleanField(read_only=True)
    scopes = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = ApiToken
        fields = ["id", "name", "prefix", "organisation", "person", "scopes", "challenge",
                  "created_at", "expires_at", "last_used_at", "revoked_at", "is_active"]
        read_only_fields = fields


class TokenCreateSerializer(serializers.Serializer[Any]):
    organisation = serializers.SlugField(required=False)
    name = serializers.CharField(max_length=100)
    scopes = serializers.ListField(
        child=serializers.CharField(max_length=40), min_length=1, max_length=len(SCOPES) + 1,
        help_text="Among: " + ", ".join(SCOPES) + "; “domains:*” or “*” for several.")
    expires_at = serializers.DateTimeField(required=False,
                                           help_text="At most a year ahead; default 90 days.")


class NewTokenSerializer(TokenSerializer):
    token = serializers.CharField(read_only=True,
                                  help_text="The token itself. Shown this once only.")

    class Meta(TokenSerializer.Meta):
        fields = [*TokenSerializer.Meta.fields, "token"]
        read_only_fields = fields
