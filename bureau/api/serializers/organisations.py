from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from rest_framework import serializers

from bureau.api.serializers import read_only_slug
from bureau.audit.models import Invitation
from bureau.registrar.accounts.models import Membership, Organisation, Role


class OrganisationSerializer(serializers.ModelSerializer[Organisation]):
    role = serializers.SerializerMethodField(help_text="Your role in it")

    class Meta:
        model = Organisation
        fields = ["slug", "name", "created_at", "role"]
        read_only_fields = fields

    def get_role(self, organisation: Organisation) -> str | None:
        roles: dict[int, str] = self.context.get("roles", {})
        return roles.get(organisation.pk)


class PersonSerializer(serializers.ModelSerializer[User]):
    class Meta:
        model = User
        fields = ["id", "username", "email"]
        read_only_fields = fields


class MemberSerializer(serializers.ModelSerializer[Membership]):
    person = PersonSerializer(source="user", read_only=True)

    class Meta:
        model = Membership
        fields = ["id", "person", "role", "joined_at"]
        read_only_fields = ["id", "person", "joined_at"]


class SecurityPolicySerializer(serializers.Serializer[Any]):
    require_2fa = serializers.BooleanField(
        help_text="Everyone in the organisation must use a second factor (an authenticator "
                  "app or a security key) to see or change anything of it")


class RoleChangeSerializer(serializers.Serializer[Any]):
    role = serializers.ChoiceField(choices=Role.choices)


class InvitationSerializer(serializers.ModelSerializer[Invitation]):
    invited_by = read_only_slug("username")
    is_open = serializers.BooleanField(read_only=True)
    language = serializers.ChoiceField(
        choices=[code for code, _name in settings.LANGUAGES], write_only=True, required=False,
        help_text="Language of the invitation email; by default the request's "
                  "(Accept-Language), else the site's.")

    class Meta:
        model = Invitation
        fields = ["id", "email", "role", "language", "invited_by", "created_at", "expires_at",
                  "accepted_at", "revoked_at", "is_open"]
        read_only_fields = ["id", "invited_by", "created_at", "expires_at", "accepted_at",
                            "revoked_at", "is_open"]
