"""Security events (append-only), organisation security policy, invitations, personal API
tokens.

An API token is a person acting for one organisation, with scopes and an expiry. Only a
SHA-256 of the token is stored; the token itself is shown once, at creation. Its first
characters (``prefix``) are stored in clear so that people can tell tokens apart."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from bureau.core import clock
from bureau.core.appendonly import AppendOnlyModel
from bureau.dns.models import Zone
from bureau.registrar.accounts.models import Organisation, Role


class EventKind(models.TextChoices):
    LOGIN = "login", _("Logged in")
    LOGIN_FAILED = "login-failed", _("Failed login")
    LOGOUT = "logout", _("Logged out")
    SIGNUP = "signup", _("Signed up")
    EMAIL_CONFIRMED = "email-confirmed", _("Email address confirmed")
    PASSWORD_CHANGED = "password-changed", _("Password changed")
    PASSWORD_RESET = "password-reset", _("Password reset")
    MFA_ADDED = "mfa-added", _("Two-factor method added")
    MFA_REMOVED = "mfa-removed", _("Two-factor method removed")
    RECOVERY_CODES_RESET = "recovery-codes-reset", _("Recovery codes regenerated")
    TOKEN_CREATED = "token-created", _("API token created")
    TOKEN_REVOKED = "token-revoked", _("API token revoked")
    AUTH_CODE_REVEALED = "auth-code-revealed", _("Transfer code shown")
    ROLE_CHANGED = "role-changed", _("Role changed")
    MEMBER_INVITED = "member-invited", _("Person invited")
    INVITATION_WITHDRAWN = "invitation-withdrawn", _("Invitation withdrawn")
    MEMBER_JOINED = "member-joined", _("Person joined")
    MEMBER_REMOVED = "member-removed", _("Person removed")
    POLICY_CHANGED = "policy-changed", _("Security policy changed")
    ORGANISATION_CREATED = "organisation-created", _("Organisation created")
    ACCOUNT_CLOSED = "account-closed", _("Account closed")


class SecurityEvent(AppendOnlyModel):
    """One security-relevant event: who, when, from where, what. Never changed."""

    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)
    kind = models.CharField(_("event"), max_length=32, choices=EventKind.choices)
    # No database constraint and no cascade: the events outlive the account and the
    # organisation (the text fields keep who it was).
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING,
                             db_constraint=False, null=True, blank=True, related_name="+",
                             verbose_name=_("person"))
    # Kept as text: the event outlives the account; failed logins name no account.
    identifier = models.CharField(_("login or email"), max_length=254, blank=True)
    organisation = models.ForeignKey(Organisation, on_delete=models.DO_NOTHING,
                                     db_constraint=False, null=True, blank=True,
                                     related_name="security_events",
                                     verbose_name=_("organisation"))
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=255, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)

    class Meta:
        verbose_name = _("security event")
        verbose_name_plural = _("security events")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.kind} {self.identifier}"


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def default_expiry() -> datetime:
    return clock.now() + timedelta(days=14)


class Invitation(models.Model):
    """An invitation to join an organisation with a role, sent by email with a token link.

    Only the token's SHA-256 is stored: the clear token exists on the instance that made it
    (``token``, for the email) and in the link, so a copy of the database accepts nobody."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE,
                                     related_name="invitations", verbose_name=_("organisation"))
    email = models.EmailField(_("email"))
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, related_name="+", verbose_name=_("invited by"))
    created_at = models.DateTimeField(_("sent at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"), default=default_expiry)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    accepted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                    null=True, blank=True, related_name="+",
                                    verbose_name=_("accepted by"))
    revoked_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.email} → {self.organisation} ({self.role})"

    token = ""  # the clear token, on the instance that drew it only

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self.token_hash:
            self.token = new_token()
            self.token_hash = token_digest(self.token)
        super().save(*args, **kwargs)

    @property
    def is_open(self) -> bool:
        return (self.accepted_at is None and self.revoked_at is None
                and self.expires_at > clock.now())


class ApiToken(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="api_tokens", verbose_name=_("person"))
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE,
                                     related_name="api_tokens", verbose_name=_("organisation"))
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=24, unique=True)
    secret_hash = models.CharField(_("SHA-256 of the token"), max_length=64, unique=True)
    scopes = models.JSONField(_("scopes"), default=list)
    # A certificate token (scope "dns:challenge"): it may only write the TXT records of this
    # `_acme-challenge.<name>.` owner, in this zone (ACME DNS-01 through the RRset API).
    challenge_zone = models.ForeignKey(Zone, on_delete=models.CASCADE, null=True, blank=True,
                                       related_name="challenge_tokens",
                                       verbose_name=_("challenge zone"))
    challenge = models.CharField(_("only the TXT records of"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"))
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        db_table = "api_apitoken"  # created by the API app, which held the model until moved
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.name})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and self.expires_at > clock.now()

    def grants(self, scope: str) -> bool:
        return scope in self.scopes

    @property
    def challenge_path(self) -> str:
        """Where a certificate token writes its challenge: its RRset in the RRset API."""
        return (f"/api/v1/dns/zones/{str(self.challenge_zone.name).rstrip('.')}"
                f"/rrsets/{self.challenge}/TXT/") if self.challenge_zone else ""

    def may_write_challenge(self, zone: Zone, owner: str, rtype: str) -> bool:
        """A certificate token's only use: the TXT records of its challenge name."""
        return (bool(self.challenge) and self.challenge_zone_id == zone.pk
                and owner == self.challenge and rtype.upper() == "TXT")
