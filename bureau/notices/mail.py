"""Sending one notice: claim its unique key, render it in the recipient's language (plain
text and HTML), send it through Django's email machinery one recipient at a time, and record
every refusal as a delivery failure."""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import translation

from bureau.registrar.contacts.models import Contact
from bureau.registrar.domains.models import Domain

from . import conf
from .models import DeliveryFailure, Notice, NoticeStatus

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


def render(template: str, language: str, context: dict[str, Any]) -> tuple[str, str, str]:
    with translation.override(language):
        ctx = {**context, "portal_url": conf.portal_url(), "LANGUAGE_CODE": language}
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
            email = EmailMultiAlternatives(
                subject, text, conf.from_email(), [address], connection=connection,
                headers={"Content-Language": message.language, "X-Bureau-Notice": message.key})
            email.attach_alternative(html, "text/html")
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


def record_failure(address: str, source: str, reason: str, now: datetime,
                   notice: Notice | None = None) -> DeliveryFailure:
    logger.info("delivery to %s failed (%s): %s", address, source, reason)
    return DeliveryFailure.objects.create(address=address.strip().lower(), source=source,
                                          reason=reason, at=now, notice=notice)
