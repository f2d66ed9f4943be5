"""The reminder run by batch: one claim per batch, a second run sends nothing, two runners
at once send each reminder once, and a run that stops after its claim leaves the claims for
the operator to see, never re-sent by the job."""

from __future__ import annotations

import smtplib
import threading
from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta
from io import StringIO
from typing import Any

import pytest
from django.core import mail as django_mail
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.core.management import call_command
from django.db import connection
from django.test import Client

from bureau.core import clock
from bureau.notices import mail as notices_mail
from bureau.notices.jobs import run_all
from bureau.notices.models import DeliveryFailure, Notice, NoticeStatus, Term
from bureau.notices.reminders import send_reminders
from bureau.registrar.accounts.models import Organisation
from bureau.registrar.contacts.models import Contact
from bureau.registrar.domains.models import Domain, DomainState
from bureau.registrar.registries.models import Registry, Tld

NAMES = 12
RECIPIENTS = 2  # the holder and the billing person


@pytest.fixture
def now() -> Iterator[datetime]:
    moment = clock.now().replace(microsecond=0)
    with clock.use(lambda: moment):
        yield moment


@pytest.fixture
def names(organisation: Organisation, holder: Contact, now: datetime) -> list[Domain]:
    registry = Registry.objects.create(name="R", slug="r", host="127.0.0.1", client_id="b",
                                       password="x")
    tld = Tld.objects.create(registry=registry, name="batch", create_price=1000,
                             renew_price=1000, transfer_price=1000, restore_price=4000)
    expiry = now + timedelta(days=20)  # the 30-day step is due
    domains = Domain.objects.bulk_create(
        Domain(name=f"n{i}.batch", tld=tld, organisation=organisation, registrant=holder,
               state=DomainState.ACTIVE, expires_at=expiry) for i in range(NAMES))
    Term.objects.bulk_create(Term(domain=d, paid_until=expiry, seen_expiry=expiry,
                                  checked_at=now) for d in domains)
    return domains


def reminder_mails() -> list[Any]:
    return [m for m in django_mail.outbox
            if str(m.extra_headers.get("X-Bureau-Notice", "")).startswith("reminder:")]


@pytest.mark.django_db
def test_a_batch_is_claimed_in_one_statement_and_a_second_run_sends_nothing(
        names: list[Domain], now: datetime, settings: Any,
        django_assert_max_num_queries: Any) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with django_assert_max_num_queries(25):  # not a query per reminder
        sent = send_reminders(now)
    assert len(sent) == NAMES
    assert {n.status for n in sent} == {NoticeStatus.SENT}
    assert all(n.sent_at == now and "n" in n.subject for n in sent)
    assert len(reminder_mails()) == NAMES * RECIPIENTS
    django_mail.outbox.clear()
    assert send_reminders(now) == []
    assert reminder_mails() == []
    assert Notice.objects.filter(kind="reminder").count() == NAMES


@pytest.mark.django_db
def test_refusals_are_recorded_per_message(names: list[Domain], now: datetime,
                                           settings: Any, owner: Any) -> None:
    """A refused address is recorded against each notice it was refused for."""
    settings.EMAIL_BACKEND = f"{__name__}.RefusingBackend"
    sent = send_reminders(now)
    assert {n.status for n in sent} == {NoticeStatus.PARTLY}
    failures = DeliveryFailure.objects.filter(address="compta@atelier.example")
    assert sorted(f.notice_id for f in failures) == sorted(n.pk for n in sent)


class RefusingBackend(LocmemBackend):
    """Refuses the billing person's address, as a mail server's 550 would."""

    def send_messages(self, messages: Sequence[Any]) -> int:
        for message in messages:
            if "compta@atelier.example" in message.to:
                raise smtplib.SMTPRecipientsRefused(
                    {"compta@atelier.example": (550, b"5.1.1 No such mailbox")})
        return int(super().send_messages(messages))


class CrashingBackend(LocmemBackend):
    """The worker dies while sending (after the claim, before the record)."""

    def send_messages(self, messages: Sequence[Any]) -> int:
        raise RuntimeError("worker killed")


@pytest.mark.django_db
def test_a_run_stopped_after_its_claim_is_reported_and_never_resent(
        names: list[Domain], now: datetime, settings: Any, admin_client: Client,
        admin_user: Any) -> None:
    from allauth.mfa.models import Authenticator

    # The admin opens to staff with a second factor (docs/security.md).
    Authenticator.objects.create(user=admin_user, type=Authenticator.Type.TOTP,
                                 data={"secret": "fernet:not-read-here"})
    settings.EMAIL_BACKEND = f"{__name__}.CrashingBackend"
    with pytest.raises(RuntimeError):
        send_reminders(now)
    claimed = Notice.objects.filter(kind="reminder", status=NoticeStatus.CLAIMED)
    assert claimed.count() == NAMES
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert send_reminders(now) == []  # at most once: the keys are taken
    assert notices_mail.stale_claims(now).count() == 0  # too recent to be called stale
    later = now + timedelta(hours=2)
    with clock.use(lambda: later):
        assert send_reminders(later) == []
        assert run_all()["stale_claims"] == NAMES  # and the job's log says so
        out, err = StringIO(), StringIO()
        call_command("notices_stale", stdout=out, stderr=err)
        page = admin_client.get("/admin/notices/notice/?stale=yes")
    assert reminder_mails() == []
    keys = set(claimed.values_list("key", flat=True))
    assert {line.split("\t")[0] for line in out.getvalue().splitlines()} == keys
    assert f"{NAMES} notice(s)" in err.getvalue()
    assert page.status_code == 200
    assert all(key in page.content.decode() for key in keys)


@pytest.mark.django_db(transaction=True)
def test_two_runners_at_once_send_each_reminder_once(
        names: list[Domain], now: datetime, settings: Any,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Two threads (two PostgreSQL connections) claim the same batch at the same moment:
    each key is claimed by one of them only, and each mail goes out once."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    django_mail.outbox = []
    barrier = threading.Barrier(2, timeout=30)
    claim = notices_mail.claim_many

    def claim_together(rows: Any, moment: datetime) -> dict[str, int]:
        barrier.wait()  # both runners reach the claim with the same batch
        return claim(rows, moment)

    monkeypatch.setattr(notices_mail, "claim_many", claim_together)
    results: list[list[Notice]] = []
    errors: list[BaseException] = []

    def runner() -> None:
        try:
            with clock.use(lambda: now):
                results.append(send_reminders(now))
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=runner) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors
    assert sorted(len(r) for r in results)[1] >= 1
    assert sum(len(r) for r in results) == NAMES
    assert not {n.pk for n in results[0]} & {n.pk for n in results[1]}
    mails = reminder_mails()
    assert len(mails) == NAMES * RECIPIENTS
    assert len({(m.extra_headers["X-Bureau-Notice"], m.to[0]) for m in mails}) == len(mails)
    assert Notice.objects.filter(kind="reminder", status=NoticeStatus.SENT).count() == NAMES
