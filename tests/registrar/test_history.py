"""Domain history is append-only: events are added, never changed or removed."""

from __future__ import annotations

import pytest

from bureau.core.appendonly import AppendOnlyError
from bureau.registrar.domains.models import DomainEvent, Operation, Outcome

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]


def make_event() -> DomainEvent:
    return DomainEvent.objects.create(
        domain_name="exemple.test", operation=Operation.CREATE, outcome=Outcome.SUCCESS,
        actor_label="test", cl_trid="BUR-1", sv_trid="SB-1", result_code=1000,
    )


def test_an_event_cannot_be_changed() -> None:
    event = make_event()
    event.outcome = Outcome.FAILED
    with pytest.raises(AppendOnlyError):
        event.save()
    assert DomainEvent.objects.get(pk=event.pk).outcome == Outcome.SUCCESS


def test_events_cannot_be_removed_or_bulk_changed() -> None:
    event = make_event()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        DomainEvent.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        DomainEvent.objects.filter(pk=event.pk).update(sv_trid="forged")
    with pytest.raises(AppendOnlyError):
        DomainEvent.objects.bulk_update([event], ["sv_trid"])
    assert DomainEvent.objects.get(pk=event.pk).sv_trid == "SB-1"


def test_new_events_are_added() -> None:
    make_event()
    make_event()
    assert DomainEvent.objects.count() == 2


def test_the_database_refuses_a_raw_update_too() -> None:
    """Even SQL that bypasses Django cannot rewrite history (trigger from the migrations)."""
    from django.db import DatabaseError, connection, transaction

    event = make_event()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE domains_domainevent SET sv_trid = 'forged' WHERE id = %s",
                       [event.pk])
    assert DomainEvent.objects.get(pk=event.pk).sv_trid == "SB-1"
