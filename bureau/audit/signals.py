"""Receivers that turn Django's, allauth's and the operations' signals into security events."""

from __future__ import annotations

from typing import Any

from allauth.account import signals as account_signals
from allauth.mfa import signals as mfa_signals
from django.contrib.auth import get_user_model
from django.contrib.auth import signals as auth_signals
from django.dispatch import receiver
from django.utils import translation

from bureau.registrar.operations import preferences, transfer

from .log import record
from .models import EventKind


@receiver(auth_signals.user_logged_in)
def logged_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    record(EventKind.LOGIN, user=user, request=request)


@receiver(auth_signals.user_logged_out)
def logged_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        record(EventKind.LOGOUT, user=user, request=request)


@receiver(auth_signals.user_login_failed)
def login_failed(sender: Any, credentials: dict[str, Any], request: Any = None,
                 **kwargs: Any) -> None:
    identifier = str(credentials.get("email") or credentials.get("username") or "")
    # Name the account when it exists, so that its organisations' owners see the attempt.
    user = get_user_model().objects.filter(email__iexact=identifier).first() if identifier \
        else None
    record(EventKind.LOGIN_FAILED, user=user, identifier=identifier, request=request)


@receiver(account_signals.user_signed_up)
def signed_up(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    record(EventKind.SIGNUP, user=user, request=request)
    # The browser's language (LocaleMiddleware's choice) until the person chooses another.
    preferences.language_at_sign_up(user, translation.get_language())


@receiver(account_signals.email_confirmed)
def email_confirmed(sender: Any, request: Any, email_address: Any, **kwargs: Any) -> None:
    record(EventKind.EMAIL_CONFIRMED, user=email_address.user, request=request,
           detail={"email": email_address.email})


@receiver(account_signals.password_changed)
def password_changed(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    record(EventKind.PASSWORD_CHANGED, user=user, request=request)


@receiver(account_signals.password_reset)
def password_reset(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    record(EventKind.PASSWORD_RESET, user=user, request=request)


@receiver(mfa_signals.authenticator_added)
def mfa_added(sender: Any, request: Any, user: Any, authenticator: Any, **kwargs: Any) -> None:
    record(EventKind.MFA_ADDED, user=user, request=request,
           detail={"type": str(authenticator.type)})


@receiver(mfa_signals.authenticator_removed)
def mfa_removed(sender: Any, request: Any, user: Any, authenticator: Any,
                **kwargs: Any) -> None:
    record(EventKind.MFA_REMOVED, user=user, request=request,
           detail={"type": str(authenticator.type)})


@receiver(mfa_signals.authenticator_reset)
def mfa_reset(sender: Any, request: Any, user: Any, authenticator: Any, **kwargs: Any) -> None:
    record(EventKind.RECOVERY_CODES_RESET, user=user, request=request,
           detail={"type": str(authenticator.type)})


@receiver(mfa_signals.authentication_failed)
def mfa_failed(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    record(EventKind.LOGIN_FAILED, user=user, request=request, detail={"step": "2fa"})


@receiver(transfer.auth_info_revealed)
def auth_code_revealed(sender: Any, domain: Any, actor: Any, **kwargs: Any) -> None:
    record(EventKind.AUTH_CODE_REVEALED, user=actor.user, organisation=domain.organisation,
           ip_address=actor.ip, user_agent=actor.user_agent,
           detail={"domain": domain.name, "via": actor.label})
