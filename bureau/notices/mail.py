"""Sending notices: claim their unique keys, render them in the recipient's language (the
holder's, or the one a person of Bureau chose for their emails; plain text and HTML), send
them through Django's email machinery one recipient at a time, and record every refusal as a
delivery failure.

``deliver`` sends one notice; ``deliver_many`` a batch (the reminder run): one INSERT ... ON
CONFLICT DO NOTHING RETURNING claims the whole batch (the rows returned are ours; a key
claimed by someone else, now or before, returns nothing), the mails go over one SMTP
connection, then one transaction records the refusals and one UPDATE per outcome. Templates
come from Django's cached loader (on whenever ``TEMPLATES`` sets no ``loaders``): each is
compiled once per process, rendered per message.

A crash after the claim leaves rows "being sent" (``NoticeStatus.CLAIMED``): never sent again
automatically (the key exists), listed for the operator by ``stale_claims`` (``manage
notices_stale``, the admin's "stale claims" filter, a warning in the job's log)."""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import IntegrityError, connection, transaction
from django.db.models import Field, QuerySet
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import translation

from bureau.registrar.contacts.models import Contact
from bureau.registrar.domains.models import Domain

from . import conf
from .models import DeliveryFailure, Notice, NoticeStatus
from .recipients import chosen_languages

logger = logging.getLogger("bureau.notices")


@dataclass(frozen=True)
class Message:
    key: str
    kind: str
    template: str  # notices/email/<template>.{subject.txt,txt,html}
    recipients: Sequence[str]
    language: str
    context: dict[str, Any]
    domain: Domain | None = None
    contact: Contact | None = None
    step: int | None = None


def portal_path(name: str, arg: object, fallback: str) -> str:
    """The portal's path for a page, or ``fallback`` while the portal does not serve it."""
    try:
        return reverse(name, args=[arg] if arg is not None else [])
    except NoReverseMatch:
        return fallback


def render(template: str, language: str, context: dict[str, Any],
           portal_url: str | None = None) -> tuple[str, str, str]:
    with translation.override(language):
        ctx = {**context, "portal_url": conf.portal_url() if portal_url is None else portal_url,
               "LANGUAGE_CODE": language}
        subject = render_to_string(f"notices/email/{template}.subject.txt", ctx)
        text = render_to_string(f"notices/email/{template}.txt", ctx)
        html = render_to_string(f"notices/email/{template}.html", ctx)
    return " ".join(subject.split()), text, html


def claim(message: Message, now: datetime) -> Notice | None:
    """Create the notice row; None if it exists (already sent or being sent)."""
    try:
        with transaction.atomic():
            return Notice.objects.create(
                key=message.key, kind=message.kind, domain=message.domain,
                contact=message.contact, step=message.step, created_at=now,
                language=message.language, recipients=list(message.recipients))
    except IntegrityError:
        return None


def deliver(message: Message, now: datetime) -> Notice | None:
    """Send ``message`` unless a notice with its key exists. Returns the new notice.

    A refused address is the contact's problem: recorded as a delivery failure. A mail
    server that cannot be reached is Bureau's: nothing is recorded against the contact, and
    when nobody got the message its claim is released so that the next run sends it."""
    notice = claim(message, now)
    if notice is None:
        return None
    subject, text, html = render(message.template, message.language, message.context)
    chosen = chosen_languages(message.recipients)
    versions = {message.language: (subject, text, html)}
    delivered = refused = 0
    connection = get_connection()
    try:
        connection.open()
    except (smtplib.SMTPException, OSError) as exc:
        logger.warning("notice %s not sent, mail server unreachable: %s", message.key, exc)
        notice.delete()  # try again next run
        return None
    try:
        for address in message.recipients:
            language = chosen.get(address.strip().lower(), message.language)
            if language not in versions:
                versions[language] = render(message.template, language, message.context)
            subject_, text_, html_ = versions[language]
            email = EmailMultiAlternatives(
                subject_, text_, conf.from_email(), [address], connection=connection,
                headers={"Content-Language": language, "X-Bureau-Notice": message.key})
            email.attach_alternative(html_, "text/html")
            try:
                email.send()
                delivered += 1
            except smtplib.SMTPRecipientsRefused as exc:
                refused += 1
                reasons = "; ".join(f"{code} {err.decode(errors='replace')}"
                                    for code, err in exc.recipients.values())
                record_failure(address, "smtp", reasons, now, notice)
            except (smtplib.SMTPException, OSError) as exc:
                logger.warning("notice %s to %s not sent, mail server problem: %s",
                               message.key, address, exc)
    finally:
        connection.close()
    if not delivered and not refused:
        notice.delete()  # the mail server failed: try again next run
        return None
    notice.subject = subject[:255]
    notice.sent_at = now if delivered else None
    notice.status = (NoticeStatus.SENT if delivered == len(message.recipients)
                     else NoticeStatus.PARTLY if delivered else NoticeStatus.FAILED)
    notice.save(update_fields=["subject", "sent_at", "status"])
    return notice


# Rows per claiming INSERT (9 parameters a row, well under PostgreSQL's 65,535).
CLAIM_CHUNK = 1000
CLAIM_COLUMNS = ("key", "kind", "domain", "contact", "step", "created_at", "language",
                 "subject", "recipients", "status")


def claim_many(rows: Sequence[tuple[Message, str]], now: datetime) -> dict[str, int]:
    """Claim every message of ``rows`` (message, subject) whose key is free, in one statement
    per ``CLAIM_CHUNK`` rows; returns {key: notice id} of the claims made here. The INSERT
    commits before any mail goes out (unless the caller holds a transaction): a concurrent
    runner inserting the same key waits for it, then inserts nothing and gets nothing back."""
    fields = [Notice._meta.get_field(name) for name in CLAIM_COLUMNS]
    assert all(isinstance(f, Field) for f in fields)
    columns = ", ".join(connection.ops.quote_name(str(getattr(f, "column", "")))
                        for f in fields)
    table = connection.ops.quote_name(Notice._meta.db_table)
    key = connection.ops.quote_name("key")
    claimed: dict[str, int] = {}
    for start in range(0, len(rows), CLAIM_CHUNK):
        chunk = rows[start:start + CLAIM_CHUNK]
        params: list[Any] = []
        for message, subject in chunk:
            values = (message.key, message.kind, message.domain.pk if message.domain else None,
                      message.contact.pk if message.contact else None, message.step, now,
                      message.language, subject[:255], list(message.recipients),
                      NoticeStatus.CLAIMED.value)
            params += [f.get_db_prep_save(v, connection)  # type: ignore[union-attr]
                       for f, v in zip(fields, values, strict=True)]
        one = "(" + ", ".join(["%s"] * len(fields)) + ")"
        with connection.cursor() as cursor:
            cursor.execute(f"INSERT INTO {table} ({columns}) VALUES "
                           f"{', '.join([one] * len(chunk))} "
                           f"ON CONFLICT ({key}) DO NOTHING RETURNING id, {key}", params)
            claimed.update((key, pk) for pk, key in cursor.fetchall())
    return claimed


def deliver_many(messages: Sequence[Message], now: datetime) -> list[Notice]:
    """``deliver`` for a batch: the notices claimed and sent (or refused) here.

    Each message is rendered (its subject is stored with the claim), the batch is claimed in
    one statement, the mails of the claimed messages go over one SMTP connection, one
    message per recipient; then, in one transaction, the refusals are recorded (each against
    its address and notice) and the statuses set with one UPDATE per outcome. Messages that
    nobody got because the mail server failed are released (deleted) for the next run, as
    with ``deliver``."""
    if not messages:
        return []
    portal_url = conf.portal_url()
    rendered = {m.key: render(m.template, m.language, m.context, portal_url)
                for m in messages}
    claimed = claim_many([(m, rendered[m.key][0]) for m in messages], now)
    ours = [m for m in messages if m.key in claimed]
    if not ours:
        return []
    from_email = conf.from_email()
    chosen = chosen_languages(a for m in ours for a in m.recipients)
    delivered: dict[str, int] = {}
    refusals: list[DeliveryFailure] = []
    refused: dict[str, int] = {}
    smtp = get_connection()
    try:
        smtp.open()
    except (smtplib.SMTPException, OSError) as exc:
        logger.warning("%d notices not sent, mail server unreachable: %s", len(ours), exc)
        Notice.objects.filter(pk__in=claimed.values()).delete()  # try again next run
        return []
    try:
        for message in ours:
            versions = {message.language: rendered[message.key]}
            for address in message.recipients:
                language = chosen.get(address.strip().lower(), message.language)
                if language not in versions:
                    versions[language] = render(message.template, language, message.context,
                                                portal_url)
                subject, text, html = versions[language]
                email = EmailMultiAlternatives(
                    subject, text, from_email, [address], connection=smtp,
                    headers={"Content-Language": language, "X-Bureau-Notice": message.key})
                email.attach_alternative(html, "text/html")
                try:
                    smtp.send_messages([email])
                    delivered[message.key] = delivered.get(message.key, 0) + 1
                except smtplib.SMTPRecipientsRefused as exc:
                    refused[message.key] = refused.get(message.key, 0) + 1
                    reasons = "; ".join(f"{code} {err.decode(errors='replace')}"
                                        for code, err in exc.recipients.values())
                    logger.info("delivery to %s failed (smtp): %s", address, reasons)
                    refusals.append(DeliveryFailure(
                        address=address.strip().lower(), source="smtp", reason=reasons,
                        at=now, notice_id=claimed[message.key]))
                except (smtplib.SMTPException, OSError) as exc:
                    logger.warning("notice %s to %s not sent, mail server problem: %s",
                                   message.key, address, exc)
    finally:
        smtp.close()
    outcomes: dict[str, list[int]] = {NoticeStatus.SENT: [], NoticeStatus.PARTLY: [],
                                      NoticeStatus.FAILED: []}
    released: list[int] = []
    for message in ours:
        pk, got = claimed[message.key], delivered.get(message.key, 0)
        if not got and not refused.get(message.key):
            released.append(pk)
        elif got == len(message.recipients):
            outcomes[NoticeStatus.SENT].append(pk)
        else:
            outcomes[NoticeStatus.PARTLY if got else NoticeStatus.FAILED].append(pk)
    with transaction.atomic():
        DeliveryFailure.objects.bulk_create(refusals)
        for status, pks in outcomes.items():
            if pks:
                Notice.objects.filter(pk__in=pks).update(
                    status=status, sent_at=None if status == NoticeStatus.FAILED else now)
        if released:
            Notice.objects.filter(pk__in=released).delete()  # try again next run
    done = [pk for pks in outcomes.values() for pk in pks]
    return list(Notice.objects.filter(pk__in=done).order_by("pk")) if done else []


STALE_AFTER = timedelta(hours=1)


def stale_claims(now: datetime, older_than: timedelta = STALE_AFTER) -> QuerySet[Notice]:
    """Notices claimed more than ``older_than`` ago and still "being sent": the run that
    claimed them stopped between the claim and the record of the sending. They are not sent
    again automatically (whether the mail went out is unknown); the operator decides."""
    return Notice.objects.filter(status=NoticeStatus.CLAIMED,
                                 created_at__lt=now - older_than).order_by("created_at", "pk")


def record_failure(address: str, source: str, reason: str, now: datetime,
                   notice: Notice | None = None) -> DeliveryFailure:
    logger.info("delivery to %s failed (%s): %s", address, source, reason)
    return DeliveryFailure.objects.create(address=address.strip().lower(), source=source,
                                          reason=reason, at=now, notice=notice)
