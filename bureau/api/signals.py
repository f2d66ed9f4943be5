"""A new password revokes every API token of the person, whichever door set it (the reset
link, the portal's change form, an operator in the admin or with ``changepassword``): whoever
knew the old password may have made tokens, and tokens outlive sessions. The person is told
by email, and by a message when it happened in the portal."""

from __future__ import annotations

import logging
import smtplib
from typing import Any

from allauth.account import signals as account_signals
from allauth.core import context
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.models import User
from django.core.mail import send_mail
from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import ngettext

from bureau.audit.log import client_ip
from bureau.audit.models import ApiToken
from bureau.audit.operations import tokens
from bureau.registrar.accounts.models import language_of_person
from bureau.registrar.operations.common import Actor

logger = logging.getLogger("bureau.api")


@receiver(post_save, sender=User)
def revoke_tokens_on_new_password(sender: Any, instance: User, created: bool,
                                  **kwargs: Any) -> None:
    # set_password() keeps the clear password until the save (Django's own marker of a
    # password change); a hash upgraded at login does not.
    if created or getattr(instance, "_password", None) is None:
        return
    revoked = tokens.revoke_all(instance, reason="password changed",
                                actor=changed_by(instance, context.request))
    instance._bureau_revoked_tokens = revoked  # type: ignore[attr-defined]
    if revoked:
        language = language_of_person(instance, translation.get_language())
        transaction.on_commit(lambda: tell(instance, revoked, language))


def changed_by(user: User, request: Any) -> Actor:
    """Where the password was set: a browser (the portal, the API), or the console."""
    if request is None:
        return Actor.console(None)
    return Actor(user, "api" if request.path.startswith("/api/") else "portal",
                 ip=client_ip(request), user_agent=request.META.get("HTTP_USER_AGENT", ""))


def tell(user: User, revoked: list[ApiToken], language: str | None) -> None:
    if not user.email:
        return
    with translation.override(language):
        context_ = {"tokens": revoked, "portal": settings.BUREAU_PORTAL_URL.rstrip("/")}
        subject = " ".join(render_to_string("audit/email/tokens_revoked.subject.txt",
                                            context_).split())
        body = render_to_string("audit/email/tokens_revoked.txt", context_)
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
    except (smtplib.SMTPException, OSError) as exc:  # the tokens are revoked all the same
        logger.warning("token revocation notice to user %s not sent: %s", user.pk, exc)


@receiver(account_signals.password_changed)
@receiver(account_signals.password_reset)
def say_tokens_revoked(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    revoked = getattr(user, "_bureau_revoked_tokens", [])
    if revoked and request is not None:
        messages.info(request, ngettext(
            "Your new password revoked your API token; create a new one if you need it.",
            "Your new password revoked your %(count)d API tokens; create new ones if you "
            "need them.", len(revoked)) % {"count": len(revoked)})
