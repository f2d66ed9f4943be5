"""Personal API tokens: create (shown once), list, revoke."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from bureau.audit.models import ApiToken
from bureau.audit.operations import tokens
from bureau.registrar.accounts.permissions import Permission

from .. import access
from ..serializers.tokens import NewTokenSerializer, TokenCreateSerializer, TokenSerializer
from .common import PROBLEM_RESPONSES


class TokenViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin,
                   viewsets.GenericViewSet):
    """Your tokens; owners and administrators also see (and may revoke) their
    organisation's."""

    serializer_class = TokenSerializer
    queryset = ApiToken.objects.none()
    filter_backends: list[type] = []
    scopes = {"list": "tokens:admin", "retrieve": "tokens:admin", "create": "tokens:admin",
              "destroy": "tokens:admin"}

    def get_queryset(self) -> QuerySet[ApiToken]:
        managed = access.organisations_allowing(self.request, Permission.MANAGE_MEMBERS)
        return ApiToken.objects.filter(
            Q(user=access.user_of(self.request)) | Q(organisation__in=managed),
            organisation__in=access.visible_organisations(self.request),
        ).select_related("user", "organisation").distinct().order_by("-created_at", "-id")

    @extend_schema(summary="Create a token: the response shows it, this once only",
                   description="Only with a session (the portal's cookie) that entered its "
                               "password or a second factor in the last minutes; a token "
                               "cannot create tokens (403 `token-forbidden`). Otherwise 403 "
                               "`reauthentication-required` gives the address to "
                               "re-authenticate at.",
                   request=TokenCreateSerializer,
                   responses={201: NewTokenSerializer, **PROBLEM_RESPONSES})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = TokenCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        organisation = access.organisation_for_create(request, data.get("organisation"))
        new = tokens.create_token(
            actor=access.actor(request), organisation=organisation, name=data["name"],
            scopes=data["scopes"], expires_at=data.get("expires_at"))
        body = NewTokenSerializer(new.token).data
        body["token"] = new.secret
        return Response(body, status=201, headers={"Cache-Control": "no-store"})

    @extend_schema(summary="Revoke a token (at once)", responses={204: None,
                                                                 **PROBLEM_RESPONSES})
    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        tokens.revoke_token(token=self.get_object(), actor=access.actor(request))
        return Response(status=204)
