"""Balances, the ledger and orders of your organisations (read only: money moves through
the operations)."""

from __future__ import annotations

from django.db.models import QuerySet
from rest_framework import mixins, viewsets

from bureau.registrar.billing.models import AccountKind, Entry, LedgerAccount, Order

from .. import access
from ..filters import EntryFilter, OrderFilter
from ..serializers.billing import BalanceSerializer, LedgerEntrySerializer
from ..serializers.domains import OrderSerializer


class BalanceViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = BalanceSerializer
    queryset = LedgerAccount.objects.none()
    scopes = {"list": "billing:read"}
    filter_backends: list[type] = []

    def get_queryset(self) -> QuerySet[LedgerAccount]:
        return LedgerAccount.objects.filter(
            kind=AccountKind.MEMBER,
            organisation__in=access.visible_organisations(self.request),
        ).select_related("organisation").order_by("organisation__slug", "currency")


class LedgerViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = LedgerEntrySerializer
    queryset = Entry.objects.none()
    filterset_class = EntryFilter
    ordering_fields = ["journal__at", "amount"]
    ordering = ["-journal__at", "-id"]
    scopes = {"list": "billing:read"}

    def get_queryset(self) -> QuerySet[Entry]:
        return Entry.objects.filter(
            account__kind=AccountKind.MEMBER,
            account__organisation__in=access.visible_organisations(self.request),
        ).select_related("journal", "account__organisation")


class OrderViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin,
                   viewsets.GenericViewSet):
    serializer_class = OrderSerializer
    queryset = Order.objects.none()
    filterset_class = OrderFilter
    search_fields = ["domain_name"]
    ordering_fields = ["created_at", "amount", "domain_name"]
    ordering = ["-created_at", "-id"]
    scopes = {"list": "billing:read", "retrieve": "billing:read"}

    def get_queryset(self) -> QuerySet[Order]:
        return Order.objects.filter(
            organisation__in=access.visible_organisations(self.request)
        ).select_related("organisation")
