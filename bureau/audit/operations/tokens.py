"""Creating, checking and revoking personal API tokens: the portal's token pages, the API's
token endpoints and `bureau token` call these same functions with an ``Actor``. Creation and
revocation are security events, recorded in the audit log.

A token is created by a person, never by another token: from a session that entered its
password or a second factor in the last minutes (``bureau.core.credentials``) or the
server's console, and, when the organisation requires two-factor authentication, by a person
who has a second factor. A stolen token therefore cannot make itself a successor. A token is
revoked by its person, by the owners and administrators of its organisation, or by Bureau's
operator. A password reset or change revokes every token of the person (``revoke_all``).

A token reads ``bureau_<prefix>_<secret>``: the prefix (8 characters, kept in clear) tells
tokens apart in lists; the secret has 256 bits of randomness; the database keeps only the
SHA-256 of the whole token, so a stolen database gives no usable token.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from bureau.core import clock
from bureau.core.credentials import Kind, require_recent_authentication
from bureau.dns.models import Zone
from bureau.dns.operations import credentials as acme
from bureau.dns.operations.errors import CredentialRefused
from bureau.registrar.accounts.models import Organisation
from bureau.registrar.accounts.permissions import Permission, allows
from bureau.registrar.accounts.policy import lacks_required_2fa
from bureau.registrar.operations.common import Actor
from bureau.registrar.operations.errors import NotAllowed, OperationError

from .. import scopes as scope_rules
from ..models import ApiToken, EventKind
from .common import record_by, verify_may

TOKEN_PREFIX = "bureau_"
MAX_LIFETIME = timedelta(days=366)
DEFAULT_LIFETIME = timedelta(days=90)
# A token's last use is written at most this often, so that reads stay reads.
LAST_USED_RESOLUTION = timedelta(minutes=1)


class TokenRefused(OperationError):
    pass


class TokenForbidden(TokenRefused):
    """Not a matter of what was asked but of who asks: a token, or a person without the
    second factor their organisation requires."""


@dataclass(frozen=True)
class NewToken:
    token: ApiToken
    secret: str  # the full token: shown once, never stored


def digest(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def create_token(*, actor: Actor, organisation: Organisation, name: str, scopes: list[str],
                 expires_at: datetime | None = None) -> NewToken:
    """A new token for the acting person, acting for ``organisation``. Refuses a token
    asking (``TokenForbidden``), a person without the second factor the organisation
    requires, a session that has not authenticated lately (``ReauthenticationRequired``),
    scopes the person's role does not allow, and lifetimes past a year."""
    role = _verify_may_create(actor, organisation)
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
    return _issue(actor, organisation, name, granted, expires_at)


def create_challenge_token(*, actor: Actor, zone: Zone, name: str,
                           expires_at: datetime | None = None) -> NewToken:
    """A certificate token: it may only write the TXT records of `_acme-challenge.<name>`
    in ``zone`` through the RRset API (DNS-01 for <name> and *.<name>, with an ACME client
    that speaks HTTP), and nothing else; same rules of creation as any token."""
    role = _verify_may_create(actor, zone.organisation)
    if not allows(role, scope_rules.permission_for(scope_rules.CHALLENGE)):
        raise TokenRefused(str(_("Your role does not allow changing DNS records.")),
                           field="name")
    try:
        owner = f"{acme.CHALLENGE}.{acme.certified_name(zone, name)}"
    except CredentialRefused as exc:
        raise TokenRefused(exc.message, field="name") from exc
    return _issue(actor, zone.organisation, f"ACME {owner}", [scope_rules.CHALLENGE],
                  expires_at, challenge=(zone, owner))


def _verify_may_create(actor: Actor, organisation: Organisation) -> str | None:
    user = actor.user
    if user is None:
        raise TokenRefused(str(_("A token belongs to a person: act as one (the command's "
                                 "--as).")), field="person")
    role = organisation.role_of(user)
    if not allows(role, Permission.MANAGE_TOKENS):
        raise TokenRefused(str(_("Your role in %(org)s does not allow API tokens.")
                               % {"org": organisation.name}), field="organisation")
    credential = actor.credential
    if credential is not None and credential.kind is Kind.TOKEN:
        raise TokenForbidden(str(_("A token cannot create tokens: create them in the portal "
                                   "or with the API while logged in.")))
    if lacks_required_2fa(user, organisation):
        raise TokenForbidden(str(_("%(org)s requires two-factor authentication: set up a "
                                   "second factor before creating tokens.")
                                 % {"org": organisation.name}))
    return role


def _issue(actor: Actor, organisation: Organisation, name: str, granted: list[str],
           expires_at: datetime | None, challenge: tuple[Zone, str] | None = None) -> NewToken:
    now = clock.now()
    expires_at = expires_at or now + DEFAULT_LIFETIME
    if expires_at <= now or expires_at > now + MAX_LIFETIME:
        raise TokenRefused(str(_("A token expires between now and one year from now.")),
                           field="expires_at")
    require_recent_authentication(actor.credential)  # last: what was asked is valid
    assert actor.user is not None, "checked by _verify_may_create"
    zone, owner = challenge or (None, "")
    for _attempt in range(5):
        prefix = secrets.token_hex(4)
        secret = f"{TOKEN_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
        try:
            with transaction.atomic():
                token = ApiToken.objects.create(
                    user=actor.user, organisation=organisation, name=name, prefix=prefix,
                    secret_hash=digest(secret), scopes=granted, expires_at=expires_at,
                    challenge_zone=zone, challenge=owner)
                detail = {"token": prefix, "name": name, "scopes": granted,
                          "expires_at": expires_at.isoformat()}
                if owner:
                    detail["challenge"] = owner
                record_by(EventKind.TOKEN_CREATED, actor, organisation, detail)
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


def revoke_token(*, token: ApiToken, actor: Actor) -> None:
    """Revoke at once, by its person, the owners and administrators of its organisation,
    or Bureau's operator; revoking twice changes nothing."""
    if actor.user is None or actor.user.pk != token.user_id:
        try:
            verify_may(token.organisation, actor, Permission.MANAGE_MEMBERS)
        except NotAllowed as exc:
            raise NotAllowed(_("This token is not yours: only its person and the owners and "
                               "administrators of %(org)s may revoke it.")
                             % {"org": token.organisation.name}) from exc
    if token.revoked_at is not None:
        return
    with transaction.atomic():
        token.revoked_at = clock.now()
        token.save(update_fields=["revoked_at"])
        record_by(EventKind.TOKEN_REVOKED, actor, token.organisation,
                  {"token": token.prefix, "name": token.name})


def revoke_all(user: User, *, reason: str, actor: Actor) -> list[ApiToken]:
    """Revoke every active token of ``user`` (their password changed: whoever knew the old
    one may have made tokens); returns the tokens revoked. ``actor``: who changed it."""
    now = clock.now()
    active = list(ApiToken.objects.select_related("organisation")
                  .filter(user=user, revoked_at=None, expires_at__gt=now))
    with transaction.atomic():
        for token in active:
            token.revoked_at = now
            token.save(update_fields=["revoked_at"])
            # The event is the person's (their log, their alert), whoever changed it.
            record_by(EventKind.TOKEN_REVOKED, replace(actor, user=user), token.organisation,
                      {"token": token.prefix, "name": token.name, "reason": reason})
    return active
