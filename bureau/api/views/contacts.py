"""Contacts (holder profiles) of your organisations."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from bureau.registrar.accounts.models import Organisation
from bureau.registrar.accounts.permissions import Permission
from bureau.registrar.contacts.models import Contact
from bureau.registrar.operations import contacts as contact_ops

from .. import access
from ..filters import ContactFilter
from ..serializers.contacts import (
    ContactCreateSerializer,
    ContactSerializer,
    ContactUpdatedSerializer,
)
from .common import PROBLEM_RESPONSES


def save(request: Request, organisation: Organisation, changes: dict[str, Any],
         contact: Contact | None = None) -> contact_ops.SavedContact:
    """The portal's and the CLI's operation; the model's errors become field errors."""
    try:
        return contact_ops.save_contact(organisation=organisation,
                                        actor=access.actor(request), changes=changes,
                                        contact=contact)
    except DjangoValidationError as exc:
        raise ValidationError(exc.message_dict if hasattr(exc, "error_dict")
                              else {"non_field_errors": exc.messages}) from exc


class ContactViewSet(viewsets.ModelViewSet):
    serializer_class = ContactSerializer
    queryset = Contact.objects.none()
    filterset_class = ContactFilter
    search_fields = ["name", "org", "email"]
    ordering_fields = ["name", "created_at", "updated_at"]
    ordering = ["name", "id"]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    scopes = {"list": "contacts:read", "retrieve": "contacts:read",
              "create": "contacts:write", "partial_update": "contacts:write",
              "destroy": "contacts:write"}

    def get_queryset(self) -> QuerySet[Contact]:
        return Contact.objects.filter(
            organisation__in=access.visible_organisations(self.request)
        ).select_related("organisation")

    @extend_schema(request=ContactCreateSerializer, responses={201: ContactSerializer,
                                                               **PROBLEM_RESPONSES})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        named = request.data.get("organisation") if hasattr(request.data, "get") else None
        organisation = access.organisation_for_create(
            request, named if isinstance(named, str) else None)
        access.require(request, organisation, Permission.MANAGE_CONTACTS)
        serializer = ContactCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data.pop("organisation", None)
        saved = save(request, organisation, data)
        return Response(ContactSerializer(saved.contact).data, status=201)

    @extend_schema(summary="Change a contact (sent to every registry that holds it)",
                   request=ContactSerializer,
                   responses={200: ContactUpdatedSerializer, **PROBLEM_RESPONSES})
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        contact = self.get_object()
        access.require(request, contact.organisation, Permission.MANAGE_CONTACTS)
        serializer = ContactSerializer(contact, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        saved = save(request, contact.organisation, dict(serializer.validated_data), contact)
        body = ContactUpdatedSerializer(saved.contact).data
        body["registries_not_updated"] = saved.registries_not_updated
        return Response(body)

    @extend_schema(responses={204: None, **PROBLEM_RESPONSES})
    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        contact = self.get_object()
        contact_ops.delete_contact(actor=access.actor(request), contact=contact)
        return Response(status=204)
