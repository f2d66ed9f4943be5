"""Emails to a person about their own account's security: a second factor turned on or
off, a new API token, a login from a browser not seen before. Sent once per event, after the
commit of the event (``log.record`` calls ``alert_for``, whichever door recorded it), in the
language the person was using, plain text and HTML, with a link to the page where they can
undo it.

A "new device" is a browser (its user-agent string) this person never logged in with; the
very first login of an account is not one (the person just signed up)."""

from __future__ import annotations

import logging
import smtplib
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from bureau.registrar.accounts.models import language_of_person

from .models import EventKind, SecurityEvent

logger = logging.getLogger("bureau.audit")

# Recovery codes come and go with the factor they back up: no message of their own.
NOT_A_FACTOR = "recovery_codes"
FACTORS = {"totp": _("authenticator app"), "webauthn": _("security key or passkey")}
# Where the person reviews (and undoes) what happened, by kind of event.
PAGES = {
    EventKind.MFA_ADDED: "mfa_index",
    EventKind.MFA_REMOVED: "mfa_index",
    EventKind.TOKEN_CREATED: "web:tokens",
    EventKind.LOGIN: "web:account",
}


def is_new_device(event: SecurityEvent) -> bool:
    earlier = SecurityEvent.objects.filter(user=event.user, kind=EventKind.LOGIN,
                                           pk__lt=event.pk)
    return earlier.exists() and not earlier.filter(user_agent=event.user_agent).exists()


def needs_alert(event: SecurityEvent) -> bool:
    if event.user is None or not getattr(event.user, "email", ""):
        return False
    if event.kind in (EventKind.MFA_ADDED, EventKind.MFA_REMOVED):
        return event.detail.get("type") != NOT_A_FACTOR
    if event.kind == EventKind.TOKEN_CREATED:
        return True
    return event.kind == EventKind.LOGIN and is_new_device(event)


def alert_for(event: SecurityEvent) -> None:
    """Email the person about ``event`` after its commit, if it is one they must hear of."""
    if not needs_alert(event):
        return
    # The language the person chose for their emails, else the one they are using.
    language = language_of_person(event.user, translation.get_language())
    transaction.on_commit(lambda: send_alert(event, language))


def send_alert(event: SecurityEvent, language: str) -> None:
    user: Any = event.user
    portal = str(settings.BUREAU_PORTAL_URL).rstrip("/")
    with translation.override(language):
        context = {
            "kind": event.kind,
            "event": event,
            "factor": FACTORS.get(event.detail.get("type", ""), event.detail.get("type", "")),
            "token": event.detail.get("name", ""),
            "organisation": event.organisation.name if event.organisation else "",
            "page_url": portal + reverse(PAGES[EventKind(event.kind)]),
            "password_url": portal + reverse("account_change_password"),
            "LANGUAGE_CODE": language,
        }
        subject = " ".join(render_to_string("audit/email/alert.subject.txt", context).split())
        text = render_to_string("audit/email/alert.txt", context)
        html = render_to_string("audit/email/alert.html", context)
    message = EmailMultiAlternatives(
        subject, text, settings.DEFAULT_FROM_EMAIL, [user.email],
        headers={"Content-Language": language, "X-Bureau-Notice": f"security:{event.pk}"})
    message.attach_alternative(html, "text/html")
    try:
        message.send()
    except (smtplib.SMTPException, OSError) as exc:  # the event is recorded all the same
        logger.warning("security alert %s to user %s not sent: %s", event.pk, user.pk, exc)
