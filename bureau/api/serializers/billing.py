from __future__ import annotations

from typing import Any

from rest_framework import serializers

from bureau.api.serializers import read_only_slug
from bureau.registrar.billing.models import Entry, LedgerAccount


class BalanceSerializer(serializers.ModelSerializer[LedgerAccount]):
    organisation = read_only_slug()

    class Meta:
        model = LedgerAccount
        fields = ["organisation", "currency", "balance"]
        read_only_fields = fields


class LedgerEntrySerializer(serializers.ModelSerializer[Entry]):
    organisation = read_only_slug(source="account.organisation")
    currency = serializers.CharField(source="account.currency", read_only=True)
    at = serializers.DateTimeField(source="journal.at", read_only=True)
    kind = serializers.CharField(source="journal.kind", read_only=True)
    memo = serializers.CharField(source="journal.memo", read_only=True)
    order: serializers.PrimaryKeyRelatedField[Any] = serializers.PrimaryKeyRelatedField(
        source="journal.order", read_only=True, allow_null=True)

    class Meta:
        model = Entry
        fields = ["id", "organisation", "at", "kind", "amount", "currency", "memo", "order"]
        read_only_fields = fields


