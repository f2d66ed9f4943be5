"""Domains: list, read, register, renew, update, delete, restore, change of holder, history,
transfer code reveal and transfer-out replies; transfers in."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from bureau.notices import renewal
from bureau.notices.goodbye import delete_after_goodbye, give_up
from bureau.registrar.accounts.models import Organisation
from bureau.registrar.contacts.models import Contact
from bureau.registrar.domains.models import Domain, DomainEvent, DomainQuerySet, DomainState
from bureau.registrar.domains.names import to_a_label
from bureau.registrar.operations import (
    register,
    registrant,
    transfer,
    update,
)
from bureau.registrar.operations.domainops import Done

from .. import access
from ..filters import DomainFilter
from ..serializers import domains as s
from .common import PROBLEM_RESPONSES, problem_responses

CLOSED_STATES = [DomainState.DELETED, DomainState.TRANSFERRED_OUT]
LISTED_RELATIONS = ["ds_records", "bundled_names"]


def contact_in(organisation: Organisation, contact_id: int | None, field: str) -> Contact | None:
    if contact_id is None:
        return None
    contact = Contact.objects.filter(organisation=organisation, pk=contact_id).first()
    if contact is None:
        raise ValidationError({field: [f"No contact {contact_id} in {organisation.slug}."]})
    return contact


def result(done: Done, status_code: int = status.HTTP_200_OK) -> Response:
    notice = done.detail.get("notice", "") if isinstance(done.detail, dict) else ""
    return Response(s.DomainResultSerializer({"domain": done.domain, "order": done.order,
                                              "notice": notice}).data, status=status_code)


@extend_schema_view(
    list=extend_schema(summary="Names of your organisations (expiring soonest first)",
                       description="Deleted and transferred-out names are left out unless "
                                   "asked for with `state`."),
    retrieve=extend_schema(summary="One name", responses={200: s.DomainSerializer,
                                                          **problem_responses(404)}),
)
class DomainViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = s.DomainSerializer
    queryset = Domain.objects.none()
    lookup_field = "name"
    lookup_value_regex = r"[^/]+"
    filterset_class = DomainFilter
    search_fields = ["name"]
    ordering_fields = ["name", "expires_at", "registered_at", "state", "updated_at"]
    ordering = ["expires_at", "name"]
    scopes = {
        "list": "domains:read", "retrieve": "domains:read", "history": "domains:read",
        "create": "domains:order", "renew": "domains:order", "restore": "domains:order",
        "partial_update": "domains:write", "destroy": "domains:write", "goodbye": "domains:write",
        "holder": "domains:write", "auth_code": "domains:transfer",
        "approve_transfer_out": "domains:transfer", "reject_transfer_out": "domains:transfer",
    }

    def get_queryset(self) -> DomainQuerySet:
        domains = (Domain.objects.filter(organisation__in=access.visible_organisations(
            self.request)).select_related("tld", "organisation"))
        if self.action != "list":
            return domains.prefetch_related("ds_records", "bundled_names")
        # The list: rows prefetched as plain lists (no related queryset per row), the
        # transfer code (encrypted, never listed) not loaded, hence not decrypted.
        domains = domains.defer("auth_info").prefetch_related(*(
            Prefetch(name, to_attr=s.PREFETCHED + name) for name in LISTED_RELATIONS))
        if not self.request.query_params.get("state"):
            domains = domains.exclude(state__in=CLOSED_STATES)
        return domains

    def get_object(self) -> Domain:
        try:
            name = to_a_label(self.kwargs["name"])
        except Exception as exc:
            raise NotFound() from exc
        domains = self.get_queryset().named(name)  # the RDN or one of its bundled names
        domain = domains.exclude(state__in=CLOSED_STATES).first() or \
            domains.order_by("-id").first()
        if domain is None:
            raise NotFound()
        return domain

    @extend_schema(summary="Register a name",
                   description="202 when the registry reviews the name before creating it: "
                               "the price stays reserved and is credited back if it refuses; "
                               "`message` says so in the person's language.",
                   request=s.RegisterSerializer,
                   responses={201: s.RegistrationResultSerializer,
                              202: s.RegistrationResultSerializer, **PROBLEM_RESPONSES})
    def create(self, request: Request) -> Response:
        data = self._valid(s.RegisterSerializer, request)
        organisation = access.organisation_for_create(request, data.get("organisation"))
        registration = register.register(
            organisation=organisation, actor=access.actor(request), name=data["name"],
            period=data["period"],
            registrant=contact_in(organisation, data["registrant"], "registrant"),  # type: ignore[arg-type]
            admin=contact_in(organisation, data.get("admin_contact"), "admin_contact"),
            tech=contact_in(organisation, data.get("tech_contact"), "tech_contact"),
            billing=contact_in(organisation, data.get("billing_contact"), "billing_contact"),
            nameservers=data.get("nameservers", []),
            dns=data.get("dns") or (None if data.get("nameservers") else "bureau"),
            accepted_price=data.get("accepted_price"))
        reviewed = registration.under_review
        body = s.RegistrationResultSerializer({
            "domain": registration.domain, "order": registration.order,
            "message": register.under_review_message(registration.domain) if reviewed else ""})
        return Response(body.data, status=status.HTTP_202_ACCEPTED if reviewed
                        else status.HTTP_201_CREATED)

    @extend_schema(summary="Change name servers, contacts, locks or DS records",
                   request=s.DomainUpdateSerializer,
                   responses={200: s.DomainResultSerializer, **PROBLEM_RESPONSES})
    def partial_update(self, request: Request, name: str) -> Response:
        domain = self.get_object()
        data = self._valid(s.DomainUpdateSerializer, request)
        org = domain.organisation
        ds = [update.DS(d["key_tag"], d["algorithm"], d["digest_type"], d["digest"])
              for d in data["ds_records"]] if "ds_records" in data else None
        done = update.update(
            domain=domain, actor=access.actor(request), nameservers=data.get("nameservers"),
            admin=contact_in(org, data.get("admin_contact"), "admin_contact"),
            tech=contact_in(org, data.get("tech_contact"), "tech_contact"),
            billing=contact_in(org, data.get("billing_contact"), "billing_contact"),
            locks=data.get("locks"), ds_records=ds)
        return result(done)

    @extend_schema(
        summary="Delete a name (it goes to redemption where the registry has it)",
        description="Refused (422 `consent-missing`) unless the goodbye was given in `delete` "
                    "mode first with `POST /domains/{name}/goodbye/` (checklist and typed "
                    "name), which itself deletes the name: this call is for a deletion "
                    "whose first attempt did not reach the registry.",
        request=None, responses={200: s.DomainResultSerializer, **PROBLEM_RESPONSES})
    def destroy(self, request: Request, name: str) -> Response:
        return result(delete_after_goodbye(domain=self.get_object(),
                                           actor=access.actor(request)))

    @extend_schema(
        summary="Give a name up: the goodbye checklist, the typed name, then delete or let "
                "it expire",
        description="The same guided goodbye as the portal: what stops working (web, mail) "
                    "is listed on the portal's page; the person confirms every checklist "
                    "point and types the name. `mode=delete` deletes the name at once (as "
                    "`DELETE` would); `mode=let-expire` stops the reminders and lets the "
                    "name expire at the end of its term. 422 `consent-missing` when a point "
                    "is missing or the typed name is not the name.",
        request=s.GoodbyeSerializer,
        responses={200: s.DomainResultSerializer, **PROBLEM_RESPONSES})
    @action(detail=True, methods=["post"])
    def goodbye(self, request: Request, name: str) -> Response:
        domain = self.get_object()
        data = self._valid(s.GoodbyeSerializer, request)
        give_up(domain=domain, actor=access.actor(request), mode=data["mode"],
                ticked=set(data["checklist"]), typed_name=data["typed_name"])
        domain.refresh_from_db()
        return result(Done(domain, None))

    @extend_schema(summary="Renew", request=s.RenewSerializer,
                   description="Renews from the term the holder paid for. After expiry (in "
                               "the grace period) the renewal is for one year and keeps the "
                               "year the registry may already have added by auto-renewal; "
                               "past the grace period, restore the name instead.",
                   responses={200: s.DomainResultSerializer, **PROBLEM_RESPONSES})
    @action(detail=True, methods=["post"])
    def renew(self, request: Request, name: str) -> Response:
        domain = self.get_object()
        data = self._valid(s.RenewSerializer, request)
        return result(renewal.renew_for_holder(domain, access.actor(request),
                                               period=data["period"],
                                               accepted_price=data.get("accepted_price")))

    @extend_schema(summary="Restore a deleted name from redemption", request=s.RestoreSerializer,
                   responses={200: s.DomainResultSerializer, **PROBLEM_RESPONSES})
    @action(detail=True, methods=["post"])
    def restore(self, request: Request, name: str) -> Response:
        domain = self.get_object()
        data = self._valid(s.RestoreSerializer, request)
        return result(renewal.restore_for_holder(domain, access.actor(request),
                                                 accepted_price=data.get("accepted_price")))

    @extend_schema(summary="Change the holder (both holders' consent), or name a holder left "
                           "unknown by a transfer in (the holder's consent)",
                   request=s.HolderChangeSerializer,
                   responses={200: s.DomainResultSerializer, **PROBLEM_RESPONSES})
    @action(detail=True, methods=["post"])
    def holder(self, request: Request, name: str) -> Response:
        domain = self.get_object()
        data = self._valid(s.HolderChangeSerializer, request)
        new = contact_in(domain.organisation, data["registrant"], "registrant")
        assert new is not None
        return result(registrant.change_registrant(
            domain=domain, actor=access.actor(request), new_registrant=new,
            old_holder_consent=data["old_holder_consent"],
            new_holder_consent=data["new_holder_consent"],
            opt_out_of_transfer_lock=data["opt_out_of_transfer_lock"]))

    @extend_schema(summary="Reveal the transfer code (recorded in the security log)",
                   request=None, responses={200: s.AuthCodeSerializer, **PROBLEM_RESPONSES})
    @action(detail=True, methods=["post"], url_path="auth-code")
    def auth_code(self, request: Request, name: str) -> Response:
        domain = self.get_object()
        code = transfer.reveal_auth_info(domain=domain, actor=access.actor(request))
        return Response({"name": domain.name, "auth_code": code},
                        headers={"Cache-Control": "no-store"})

    @extend_schema(summary="Approve a pending transfer out", request=None,
                   responses={200: s.DomainResultSerializer, **PROBLEM_RESPONSES})
    @action(detail=True, methods=["post"], url_path="transfer-out/approve")
    def approve_transfer_out(self, request: Request, name: str) -> Response:
        return result(transfer.approve_transfer_out(domain=self.get_object(),
                                                    actor=access.actor(request)))

    @extend_schema(summary="Reject a pending transfer out", request=None,
                   responses={200: s.DomainResultSerializer, **PROBLEM_RESPONSES})
    @action(detail=True, methods=["post"], url_path="transfer-out/reject")
    def reject_transfer_out(self, request: Request, name: str) -> Response:
        return result(transfer.reject_transfer_out(domain=self.get_object(),
                                                   actor=access.actor(request)))

    @extend_schema(summary="The name's history", responses={200: s.DomainEventSerializer(
        many=True), **problem_responses(404)}, filters=False)
    @action(detail=True, methods=["get"], filter_backends=[])
    def history(self, request: Request, name: str) -> Response:
        domain = self.get_object()
        events = DomainEvent.objects.filter(domain=domain).select_related("actor") \
            .order_by("-at", "-id")
        page = self.paginate_queryset(events)
        data = s.DomainEventSerializer(page if page is not None else events, many=True).data
        return self.get_paginated_response(data) if page is not None else Response(data)

    def _valid(self, serializer_class: type[Any], request: Request) -> dict[str, Any]:
        serializer = serializer_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)


class TransferInView(APIView):
    scopes = {"POST": "domains:order"}

    @extend_schema(summary="Transfer a name in, with its transfer code",
                   request=s.TransferInSerializer,
                   responses={202: s.DomainResultSerializer, 201: s.DomainResultSerializer,
                              **PROBLEM_RESPONSES})
    def post(self, request: Request) -> Response:
        serializer = s.TransferInSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        organisation = access.organisation_for_create(request, data.get("organisation"))
        done = transfer.transfer_in(organisation=organisation, actor=access.actor(request),
                                    name=data["name"], auth_info=data["auth_code"],
                                    accepted_price=data.get("accepted_price"),
                                    holder=contact_in(organisation, data.get("holder"),
                                                      "holder"))
        pending = done.domain.state == DomainState.PENDING_TRANSFER_IN
        return result(done, status.HTTP_202_ACCEPTED if pending else status.HTTP_201_CREATED)


