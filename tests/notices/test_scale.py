"""The hourly run costs a bounded number of queries however many names are in the reminder
window (the daily run for 1,000,000 names must not issue a query per name)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from bureau.core import clock
from bureau.notices.jobs import run_all
from bureau.notices.models import Notice, Parking, Term
from bureau.notices.parking import run_parking
from bureau.notices.release import run_releases
from bureau.notices.reminders import reminder_key, send_reminders
from bureau.registrar.accounts.models import Organisation
from bureau.registrar.contacts.models import Contact
from bureau.registrar.domains.models import Domain, DomainState
from bureau.registrar.registries.models import Registry, Tld

pytestmark = pytest.mark.django_db
NAMES = 300


@pytest.fixture
def many(organisation: Organisation, holder: Contact) -> list[Domain]:
    registry = Registry.objects.create(name="R", slug="r", host="127.0.0.1", client_id="b",
                                       password="x")
    tld = Tld.objects.create(registry=registry, name="scale", create_price=1000,
                             renew_price=1000, transfer_price=1000, restore_price=4000)
    now = clock.now()
    expiry = now + timedelta(days=20)  # the 30-day step is due
    domains = Domain.objects.bulk_create(
        Domain(name=f"n{i}.scale", tld=tld, organisation=organisation, registrant=holder,
               state=DomainState.ACTIVE, expires_at=expiry) for i in range(NAMES))
    Term.objects.bulk_create(Term(domain=d, paid_until=expiry, seen_expiry=expiry,
                                  checked_at=now) for d in domains)
    return domains


def test_a_run_with_nothing_new_to_send_costs_a_few_queries(
        many: list[Domain], django_assert_max_num_queries: Any, settings: Any) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert len(send_reminders()) == NAMES
    assert Notice.objects.filter(
        key=reminder_key(many[0], many[0].expires_at, 30)).exists()  # type: ignore[arg-type]
    with django_assert_max_num_queries(5):
        assert send_reminders() == []
    run_all()
    with django_assert_max_num_queries(25):
        run_all()


def test_sending_costs_a_few_queries_per_batch(
        many: list[Domain], django_assert_max_num_queries: Any, settings: Any) -> None:
    """The batch is claimed in one statement and recorded with one UPDATE per outcome; what
    the messages need is loaded by batch: no query per reminder."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with django_assert_max_num_queries(20):
        assert len(send_reminders()) == NAMES


def test_parked_names_in_grace_cost_no_query_each(
        many: list[Domain], django_assert_max_num_queries: Any, settings: Any) -> None:
    """The parking and release passes read each name's term with the name."""
    now = clock.now()
    expired = now - timedelta(days=10)  # parked, past the ERRP minimum, still in grace
    Domain.objects.filter(pk__in=[d.pk for d in many]).update(expires_at=expired)
    Term.objects.filter(domain__in=many).update(paid_until=expired, seen_expiry=expired)
    Parking.objects.bulk_create(Parking(domain=d, method="nameservers", parked_at=expired)
                                for d in many)
    with django_assert_max_num_queries(5):
        report = run_parking(now)
    assert report.parked == report.restored == report.errors == []
    with django_assert_max_num_queries(5):
        assert run_releases(now) == []
