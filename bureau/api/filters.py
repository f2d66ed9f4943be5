"""Query filters of the list endpoints (django-filter); the querysets they narrow are already
limited to the caller's organisations."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import django_filters
from django.db.models import QuerySet
from rest_framework.exceptions import ValidationError

from bureau.registrar.billing.models import Entry, JournalKind, Order, OrderState
from bureau.registrar.contacts.models import Contact
from bureau.registrar.domains.models import Domain, DomainState, Operation


class UtcDateTimeFilter(django_filters.IsoDateTimeFilter):
    """An ISO 8601 moment, turned to UTC before it reaches the database (which refuses
    offsets past ±15:59)."""

    def filter(self, qs: QuerySet[Any], value: datetime | None) -> QuerySet[Any]:
        if value is not None:
            try:
                value = value.astimezone(UTC)
            except (OverflowError, ValueError) as exc:
                raise ValidationError({self.field_name: ["This moment is out of range."]}
                                      ) from exc
        return super().filter(qs, value)


class DomainFilter(django_filters.FilterSet):
    organisation = django_filters.CharFilter(field_name="organisation__slug")
    state = django_filters.MultipleChoiceFilter(choices=DomainState.choices)
    tld = django_filters.CharFilter(field_name="tld__name")
    expires_before = UtcDateTimeFilter(field_name="expires_at", lookup_expr="lt")
    expires_after = UtcDateTimeFilter(field_name="expires_at", lookup_expr="gte")

    class Meta:
        model = Domain
        fields = ["organisation", "state", "tld", "expires_before", "expires_after"]


class ContactFilter(django_filters.FilterSet):
    organisation = django_filters.CharFilter(field_name="organisation__slug")
    country = django_filters.CharFilter()

    class Meta:
        model = Contact
        fields = ["organisation", "country"]


class OrderFilter(django_filters.FilterSet):
    organisation = django_filters.CharFilter(field_name="organisation__slug")
    state = django_filters.MultipleChoiceFilter(choices=OrderState.choices)
    operation = django_filters.MultipleChoiceFilter(choices=Operation.choices)
    domain_name = django_filters.CharFilter()

    class Meta:
        model = Order
        fields = ["organisation", "state", "operation", "domain_name"]


class EntryFilter(django_filters.FilterSet):
    organisation = django_filters.CharFilter(field_name="account__organisation__slug")
    currency = django_filters.CharFilter(field_name="account__currency")
    kind = django_filters.MultipleChoiceFilter(field_name="journal__kind",
                                               choices=JournalKind.choices)
    since = UtcDateTimeFilter(field_name="journal__at", lookup_expr="gte")

    class Meta:
        model = Entry
        fields = ["organisation", "currency", "kind", "since"]
