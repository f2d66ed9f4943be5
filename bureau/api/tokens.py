"""Creating, checking and revoking personal API tokens (the portal's token page calls these
too). Creation and revocation are security events, recorded in the audit log.

A token is created by a person, never by another token: from a session that entered its
password or a second factor in the last minutes (``bureau.core.credentials``), and, when the
organisation requires two-factor authentication, by a person who has a second factor. A
stolen token therefore cannot make itself a successor. A password reset or change revokes
every token of the person (``revoke_all``).

A token reads ``bureau_<prefix>_<secret>``: the prefix (8 characters, kept in clear) tells
tokens apart in lists; the secret has 256 bits of randomness; the database keeps only the
SHA-256 of the whole token, so a stolen database gives no usable token.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from bureau.audit.log import EventKind, record
from bureau.audit.policy import lacks_required_2fa
from bureau.core import clock
from bureau.core.credentials import Credential, Kind, require_recent_authentication
from bureau.dns.models import Zone
from bureau.dns.operations import credentials as acme
from bureau.dns.operations.errors import CredentialRefused
from bureau.registrar.accounts.models import Organisation
from bureau.registrar.accounts.permissions import Permission, allows

from . import scopes as scope_rules
from .models import ApiToken

TOKEN_PREFIX = "bureau_"
MAX_LIFETIME = timedelta(days=366)
DEFAULT_LIFETIME = timedelta(days=90)
# A token's last use is written at most this often, so that reads stay reads.
LAST_USED_RESOLUTION = timedelta(minutes=1)


class TokenRefused(Exception):
    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message, self.field = message, field


class TokenForbidden(TokenRefused):
    """Not a matter of what was asked but of who asks: a token, or a person without the
    second factor their organisation requires."""


@dataclass(frozen=True)
class NewToken:
    token: ApiToken
    secret: str  # the full token: shown once, never stored


def digest(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def create_token(*, user: User, organisation: Organisation, name: str, scopes: list[str],
                 credential: Credential, expires_at: datetime | None = None,
                 request: HttpRequest | None = None) -> NewToken:
    """A new token for ``user`` acting for ``organisation``, asked with ``credential``.
    Refuses a token asking (``TokenForbidden``), a person without the second factor the
    organisation requires, a session that has not authenticated lately
    (``ReauthenticationRequired``), scopes the person's role does not allow, and lifetimes
    past a year."""
    role = _verify_may_create(user, organisation, credential)
    try:
        granted = scope_rules.expand(scopes)
    except scope_rules.UnknownScope as exc:
        raise TokenRefused(str(_("“%(scope)s” is not a scope; use one of %(known)s.")
                               % {"scope": exc, "known": ", ".join(scope_rules.SCOPES)}),
                           field="scopes") from exc
    if not granted:
        raise TokenRefused(str(_("Give the token at least one scope.")), field="scopes")
    beyond = [s for s in granted if not allows(role, scope_rules.permission_for(s))]
    if beyond:
        raise TokenRefused(str(_("Your role does not allow the scopes %(scopes)s.")
                               % {"scopes": ", ".join(beyond)}), field="scopes")
    return _issue(user, organisation, name, granted, expires_at, credential, request)


def create_challenge_token(*, user: User, zone: Zone, name: str, credential: Credential,
                           expires_at: datetime | None = None,
                           request: HttpRequest | None = None) -> NewToken:
    """A certificate token: it may only write the TXT records of `_acme-challenge.<name>`
    in ``zone`` through the RRset API (DNS-01 for <name> and *.<name>, with an ACME client
    that speaks HTTP), and nothing else; same rules of creation as any token."""
    role = _verify_may_create(user, zone.organisation, credential)
    if not allows(role, scope_rules.permission_for(scope_rules.CHALLENGE)):
        raise TokenRefused(str(_("Your role does not allow changing DNS records.")),
                           field="name")
    try:
        owner = f"{acme.CHALLENGE}.{acme.certified_name(zone, name)}"
    except CredentialRefused as exc:
        raise TokenRefused(exc.message, field="name") from exc
    return _issue(user, zone.organisation, f"ACME {owner}", [scope_rules.CHALLENGE],
                  expires_at, credential, request, challenge=(zone, owner))


def _verify_may_create(user: User, organisation: Organisation,
                       credential: Credential) -> str | None:
    role = organisation.role_of(user)
    if not allows(role, Permission.MANAGE_TOKENS):
        raise TokenRefused(str(_("Your role in %(org)s does not allow API tokens.")
                               % {"org": organisation.name}), field="organisation")
    if credential.kind is Kind.TOKEN:
        raise TokenForbidden(str(_("A token cannot create tokens: create them in the portal "
                                   "or with the API while logged in.")))
    if lacks_required_2fa(user, organisation):
        raise TokenForbidden(str(_("%(org)s requires two-factor authentication: set up a "
                                   "second factor before creating tokens.")
                                 % {"org": organisation.name}))
    return role


def _issue(user: User, organisation: Organisation, name: str, granted: list[str],
           expires_at: datetime | None, credential: Credential, request: HttpRequest | None,
           challenge: tuple[Zone, str] | None = None) -> NewToken:
    now = clock.now()
    expires_at = expires_at or now + DEFAULT_LIFETIME
    if expires_at <= now or expires_at > now + MAX_LIFETIME:
        raise TokenRefused(str(_("A token expires between now and one year from now.")),
                           field="expires_at")
    require_recent_authentication(credential)  # last: what was asked is known to be valid
    zone, owner = challenge or (None, "")
    for _attempt in range(5):
        prefix = secrets.token_hex(4)
        secret = f"{TOKEN_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
        try:
            with transaction.atomic():
                token = ApiToken.objects.create(
                    user=user, organisation=organisation, name=name, prefix=prefix,
                    secret_hash=digest(secret), scopes=granted, expires_at=expires_at,
                    challenge_zone=zone, challenge=owner)
                detail = {"token": prefix, "name": name, "scopes": granted,
                          "expires_at": expires_at.isoformat()}
                if owner:
                    detail["challenge"] = owner
                record(EventKind.TOKEN_CREATED, user=user, organisation=organisation,
                       request=request, detail=detail)
        except IntegrityError:  # the prefix was taken (1 in 4 billion): draw again
            continue
        return NewToken(token, secret)
    raise RuntimeError("could not draw a unique token prefix")


def authenticate(raw: str) -> ApiToken | None:
    """The active token ``raw`` names, or None (unknown, malformed, expired or revoked)."""
    if not raw.startswith(TOKEN_PREFIX) or len(raw) > 200:
        return None
    token = (ApiToken.objects.select_related("user", "organisation",
                                             "organisation__security_policy")
             .filter(secret_hash=digest(raw)).first())
    if token is None or not token.is_active or not token.user.is_active:
        return None
    now = clock.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


def revoke_token(token: ApiToken, *, user: User, request: HttpRequest | None = None) -> None:
    """Revoke at once; revoking twice changes nothing."""
    if token.revoked_at is not None:
        return
    with transaction.atomic():
        token.revoked_at = clock.now()
        token.save(update_fields=["revoked_at"])
        record(EventKind.TOKEN_REVOKED, user=user, organisation=token.organisation,
               request=request, detail={"token": token.prefix, "name": token.name})


def revoke_all(user: User, *, reason: str, request: HttpRequest | None = None) -> list[ApiToken]:
    """Revoke every active token of ``user`` (their password changed: whoever knew the old
    one may have made tokens); returns the tokens revoked."""
    now = clock.now()
    active = list(ApiToken.objects.select_related("organisation")
                  .filter(user=user, revoked_at=None, expires_at__gt=now))
    with transaction.atomic():
        for token in active:
            token.revoked_at = now
            token.save(update_fields=["revoked_at"])
            record(EventKind.TOKEN_REVOKED, user=user, organisation=token.organisation,
                   request=request, detail={"token": token.prefix, "name": token.name,
                                            "reason": reason})
    return active
