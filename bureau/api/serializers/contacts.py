from __future__ import annotations

from rest_framework import serializers

from bureau.api.serializers import read_only_slug
from bureau.registrar.contacts.models import Contact


class ContactSerializer(serializers.ModelSerializer[Contact]):
    organisation = read_only_slug()

    class Meta:
        model = Contact
        fields = ["id", "organisation", "name", "org", "email", "phone", "fax", "street",
                  "city", "state", "postal_code", "country", "disclose", "verified_at",
                  "created_at", "updated_at"]
        read_only_fields = ["id", "organisation", "verified_at", "created_at", "updated_at"]
        # The model normalises (“+33 1 23…”, “fr”) then validates when saved: its errors come
        # back per field; checking here first would refuse what it would have accepted.
        extra_kwargs: dict[str, dict[str, list[object]]] = {
            field: {"validators": []} for field in ("email", "phone", "fax", "country")}


class ContactCreateSerializer(ContactSerializer):
    organisation = serializers.SlugField(  # type: ignore[assignment]
        required=False, write_only=True,
        help_text="Short name of the organisation; defaults to the token's.")


class ContactUpdatedSerializer(ContactSerializer):
    registries_not_updated = serializers.ListField(
        child=serializers.CharField(), read_only=True,
        help_text="Registries that hold this contact and could not be told of the change "
                  "now; the next change sends it again.")

    class Meta(ContactSerializer.Meta):
        fields = [*ContactSerializer.Meta.fields, "registries_not_updated"]
