"""Query filters of the list endpoints (django-filter); the querysets they narrow are already
limited to the caller's organisations."""

from __future__ import annotations

import django_filters

from bureau.registrar.billing.models import Entry, JournalKind, Order, OrderState
from bureau.registrar.contacts.models import Contact
from bureau.registrar.domains.models import Domain, DomainState, Operation


class DomainFilter(django_filters.FilterSet):
    organisation = django_filters.CharFilter(field_name="organisation__slug")
    state = django_filters.MultipleChoiceFilter(choices=DomainState.choices)
    tld = django_filters.CharFilter(field_name="tld__name")
    expires_before = django_filters.IsoDateTimeFilter(field_name="expires_at", lookup_expr="lt")
    expires_after = django_filters.IsoDateTimeFilter(field_name="expires_at", lookup_expr="gte")

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
    since = django_filters.IsoDateTimeFilter(field_name="journal__at", lookup_expr="gte")

    class Meta:
        model = Entry
        fields = ["organisation", "currency", "kind", "since"]
