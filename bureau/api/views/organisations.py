"""Your organisations, their people (roles) and invitations. Changes go through
``bureau.audit.operations.members``, which checks roles and records security events."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from bureau.audit.models import Invitation
from bureau.audit.operations import members
from bureau.registrar.accounts.models import Membership, Organisation
from bureau.registrar.accounts.policy import requires_2fa

from .. import access
from ..serializers.organisations import (
    InvitationSerializer,
    MemberSerializer,
    OrganisationSerializer,
    RoleChangeSerializer,
    SecurityPolicySerializer,
)
from .common import PROBLEM_RESPONSES


class OrganisationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin,
                          viewsets.GenericViewSet):
    serializer_class = OrganisationSerializer
    queryset = Organisation.objects.none()
    lookup_field = "slug"
    filter_backends: list[type] = []
    scopes = {"list": "org:read", "retrieve": "org:read", "security:GET": "org:read",
              "security:PATCH": "org:admin"}

    def get_queryset(self) -> QuerySet[Organisation]:
        return access.visible_organisations(self.request).order_by("name", "id")

    @extend_schema(methods=["GET"], summary="The organisation's security policy",
                   responses={200: SecurityPolicySerializer, **PROBLEM_RESPONSES})
    @extend_schema(methods=["PATCH"], summary="Require a second factor, or stop requiring it",
                   description="Owners, logged in (not with a token); lifting the requirement "
                               "asks for a recent password (403 reauthentication-required).",
                   request=SecurityPolicySerializer,
                   responses={200: SecurityPolicySerializer, **PROBLEM_RESPONSES})
    @action(detail=True, methods=["get", "patch"])
    def security(self, request: Request, slug: str) -> Response:
        organisation = self.get_object()
        required = requires_2fa(request.user, organisation)
        if request.method == "PATCH":
            serializer = SecurityPolicySerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            required = members.set_require_2fa(
                organisation=organisation, actor=access.actor(request),
                required=serializer.validated_data["require_2fa"]).require_2fa
        return Response(SecurityPolicySerializer({"require_2fa": required}).data)

    def get_serializer_context(self) -> dict[str, Any]:
        roles = dict(Membership.objects.filter(user=access.user_of(self.request))
                     .values_list("organisation_id", "role"))
        return {**super().get_serializer_context(), "roles": roles}


def organisation_of(view: viewsets.GenericViewSet[Any]) -> Organisation:
    """The organisation named in the URL, among the caller's (else 404)."""
    return get_object_or_404(access.visible_organisations(view.request),
                             slug=view.kwargs["organisation_slug"])


class MemberViewSet(mixins.ListModelMixin,
                    viewsets.GenericViewSet):
    serializer_class = MemberSerializer
    queryset = Membership.objects.none()
    filter_backends: list[type] = []
    http_method_names = ["get", "patch", "delete", "head", "options"]
    scopes = {"list": "org:read", "partial_update": "org:admin", "destroy": "org:admin"}

    def get_queryset(self) -> QuerySet[Membership]:
        return Membership.objects.filter(organisation=organisation_of(self)) \
            .select_related("user", "organisation").order_by("joined_at", "id")

    @extend_schema(summary="Change a person's role", request=RoleChangeSerializer,
                   responses={200: MemberSerializer, **PROBLEM_RESPONSES})
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        membership = self.get_object()
        serializer = RoleChangeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        membership = members.change_role(membership=membership, actor=access.actor(request),
                                         role=serializer.validated_data["role"])
        return Response(MemberSerializer(membership).data)

    @extend_schema(summary="Remove a person (or leave)", responses={204: None,
                                                                  **PROBLEM_RESPONSES})
    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        members.remove(membership=self.get_object(), actor=access.actor(request))
        return Response(status=204)


class InvitationViewSet(mixins.ListModelMixin,
                        mixins.CreateModelMixin, mixins.DestroyModelMixin,
                        viewsets.GenericViewSet):
    serializer_class = InvitationSerializer
    queryset = Invitation.objects.none()
    filter_backends: list[type] = []
    scopes = {"list": "org:read", "create": "org:admin", "destroy": "org:admin"}

    def get_queryset(self) -> QuerySet[Invitation]:
        return Invitation.objects.filter(organisation=organisation_of(self)) \
            .select_related("invited_by").order_by("-created_at", "-id")

    @extend_schema(summary="Invite someone by email with a role",
                   responses={201: InvitationSerializer, **PROBLEM_RESPONSES})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = InvitationSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        invitation = members.invite(organisation=organisation_of(self),
                                    actor=access.actor(request),
                                    email=serializer.validated_data["email"],
                                    role=serializer.validated_data["role"],
                                    language=serializer.validated_data.get("language"),
                                    site=request.build_absolute_uri("/"))
        return Response(InvitationSerializer(invitation).data, status=201)

    @extend_schema(summary="Withdraw an invitation", responses={204: None,
                                                              **PROBLEM_RESPONSES})
    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        members.withdraw_invitation(invitation=self.get_object(), actor=access.actor(request))
        return Response(status=204)
