"""ACME DNS-01 credentials: a TSIG key that may only add and remove the TXT records of
`_acme-challenge.<name>` in one hosted zone (certificates for <name> and *.<name> from any ACME
CA, with certbot's rfc2136 plugin, lego, acme.sh, Caddy's rfc2136 module...).

Bureau answers the RFC 2136 updates itself (bureau.dns.updates): each one signed with an
active key is checked here (`apply_update`), stored like any change of the zone — validated,
in the zone's history under the key's name, published through the outbox, so PowerDNS signs
it and the secondaries get it — and nothing Bureau publishes later erases it. The secret is
kept encrypted (it verifies the TSIG of every update) and shown once, at creation. Revoking,
or the expiry, refuses the key from then on (NOTAUTH).

Errors: NotAllowed, NotHosted, CredentialRefused (field "name" or "expires_at"), and for an
update: KeyRefused (NOTAUTH), UpdateRefused (REFUSED), RecordsInvalid.
"""

from __future__ import annotations

import base64
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import dns.name
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from bureau.core import clock
from bureau.core.credentials import Credential, require_recent_authentication
from bureau.dns.models import AcmeCredential, ChangeKind, Record, Zone
from bureau.dns.names import InvalidName, owner_name
from bureau.dns.records import Record as RawRecord
from bureau.registrar.operations.common import Actor
from bureau.registrar.operations.errors import NotAllowed

from .common import (
    DNS_ACTOR,
    Outcome,
    change_records,
    locked,
    record_change,
    validate_new,
    verify_may_manage,
)
from .errors import CredentialRefused, KeyRefused, UpdateRefused

ALGORITHM = "hmac-sha256"
KEY_LABEL = "_bureau-acme"
CHALLENGE = "_acme-challenge"


@dataclass(frozen=True)
class IssuedCredential:
    """A new credential with its secret and the configuration to paste: shown once."""

    credential: AcmeCredential
    secret: str
    server: str
    port: int

    @property
    def certbot_ini(self) -> str:
        """The file given to certbot's --dns-rfc2136-credentials."""
        return (f"dns_rfc2136_server = {self.server}\n"
                f"dns_rfc2136_port = {self.port}\n"
                f"dns_rfc2136_name = {self.credential.key_name}\n"
                f"dns_rfc2136_secret = {self.secret}\n"
                f"dns_rfc2136_algorithm = {ALGORITHM.upper()}\n")

    @property
    def lego_env(self) -> str:
        """The environment of lego's rfc2136 provider (lego --dns rfc2136)."""
        return (f"RFC2136_NAMESERVER={self.server}:{self.port}\n"
                f"RFC2136_TSIG_KEY={self.credential.key_name}\n"
                f"RFC2136_TSIG_SECRET={self.secret}\n"
                f"RFC2136_TSIG_ALGORITHM={ALGORITHM}.\n")

    @property
    def caddyfile(self) -> str:
        """The `tls` block of a Caddyfile, for a Caddy built with the caddy-dns/rfc2136
        module."""
        return ("tls {\n"
                "\tdns rfc2136 {\n"
                f"\t\tkey_name \"{self.credential.key_name}\"\n"
                f"\t\tkey_alg \"{ALGORITHM}\"\n"
                f"\t\tkey \"{self.secret}\"\n"
                f"\t\tserver \"{self.server}:{self.port}\"\n"
                "\t}\n"
                "}\n")


def update_server() -> tuple[str, int]:
    """Where members send their updates: Bureau's update service, as seen from outside."""
    address = settings.BUREAU_DNS_UPDATE_ADDRESS or settings.BUREAU_DNS_UPDATE_LISTEN
    host, _sep, port = str(address).rpartition(":")
    return host.strip("[]"), int(port)


def certified_name(zone: Zone, name: str) -> str:
    """The name a credential certifies (absolute, lower case), from what a member typed:
    "www", "@", "*.shop" (meaning shop) or an absolute name in the zone. Its challenge
    records are at `_acme-challenge.<name>` (certificates for <name> and *.<name>)."""
    origin = dns.name.from_text(zone.name)
    try:
        target = owner_name(name.strip().removeprefix("*."), origin)
    except InvalidName as exc:
        raise CredentialRefused(str(exc)) from exc
    if any(label.startswith(b"_") or label == b"*" for label in target.relativize(origin).labels):
        raise CredentialRefused(_("Give a host name such as www or the zone itself (@), "
                                  "not a service or wildcard label."))
    return target.to_text().lower()


def create_credential(*, zone: Zone, actor: Actor, name: str,
                      expires_at: datetime | None = None) -> IssuedCredential:
    """A new ACME credential for `name` (and *.name) in `zone`; the secret is in the result
    only. A credential is a secret that acts: the person confirms who they are first."""
    verify_may_manage(zone.organisation, actor)
    text = certified_name(zone, name)
    if expires_at is not None and expires_at <= clock.now():
        raise CredentialRefused(_("The expiry must be in the future."), field="expires_at")
    require_recent_authentication(actor.credential)  # last: what was asked is valid
    key_name = f"k{secrets.token_hex(6)}.{KEY_LABEL}.{text}"
    secret = base64.b64encode(secrets.token_bytes(32)).decode()
    with transaction.atomic():
        zone = locked(zone)
        credential = AcmeCredential.objects.create(
            zone=zone, name=text, key_name=key_name, secret=secret,
            created_by=actor.user, expires_at=expires_at)
        record_change(zone, actor, ChangeKind.CREDENTIAL,
                      summary=f"ACME credential {key_name} created for {CHALLENGE}.{text}")
    server, port = update_server()
    return IssuedCredential(credential, secret, server, port)


def revoke_credential(*, credential: AcmeCredential, actor: Actor) -> AcmeCredential:
    """Every later update signed with the key is refused."""
    verify_may_manage(credential.zone.organisation, actor)
    with transaction.atomic():
        zone = locked(credential.zone)
        credential = AcmeCredential.objects.select_for_update().get(pk=credential.pk)
        if credential.revoked_at is not None:
            return credential
        credential.revoked_at = clock.now()
        credential.save(update_fields=["revoked_at"])
        record_change(zone, actor, ChangeKind.CREDENTIAL,
                      summary=f"ACME credential {credential.key_name} revoked")
    return credential


def revoke_expired() -> int:
    """The job: revoke every credential past its expiry (expired keys are refused anyway;
    this writes it down); how many."""
    expired = AcmeCredential.objects.filter(revoked_at=None, expires_at__lte=clock.now())
    count = 0
    for credential in expired.select_related("zone__organisation"):
        revoke_credential(credential=credential, actor=DNS_ACTOR)
        count += 1
    return count


def credentials_of(zone: Zone) -> list[AcmeCredential]:
    return list(zone.acme_credentials.filter(revoked_at=None))


# -- the keys at work: RFC 2136 updates ----------------------------------------------------

def active_key(key_name: str) -> AcmeCredential | None:
    """The credential an update is signed with, if it may still be used."""
    return (AcmeCredential.objects.select_related("zone__organisation", "created_by")
            .filter(key_name=key_name.lower(), revoked_at=None)
            .filter(Q(expires_at=None) | Q(expires_at__gt=clock.now())).first())


@dataclass(frozen=True)
class Edit:
    """One record of an update's update section (RFC 2136 §2.5): `content` is the TXT text
    for "add" and "delete-record", empty for "delete-rrset"."""

    action: str  # "add" | "delete-rrset" | "delete-record"
    owner: str  # absolute, lower case
    rtype: str
    ttl: int = 0
    content: str = ""


def apply_update(*, credential: AcmeCredential, zone_name: str,
                 edits: Sequence[Edit]) -> Outcome:
    """An update signed with `credential`: all of it or nothing. Refused (UpdateRefused) when
    one record is not the TXT of the key's challenge name; KeyRefused when the key does not
    belong to the zone or its creator may no longer manage it."""
    zone = credential.zone
    if zone_name.lower() != zone.name:
        raise KeyRefused(_("This key serves the zone %(zone)s only.") % {"zone": zone.name})
    # The key acts for the person who made it (the summary names the key itself).
    actor = Actor(credential.created_by, f"acme-key:{credential.pk}",
                  credential=Credential.token())
    try:
        verify_may_manage(zone.organisation, actor)
    except NotAllowed as exc:  # the person who made the key left or lost the role
        raise KeyRefused(str(exc)) from exc
    challenge = f"{CHALLENGE}.{credential.name}"
    for edit in edits:
        if edit.owner != challenge or edit.rtype not in ("TXT", "ANY") or (
                edit.action != "delete-rrset" and edit.rtype != "TXT"):
            raise UpdateRefused(_("This key may only change the TXT records of %(name)s.")
                                % {"name": challenge})
    current = list(Record.objects.filter(zone=zone, name=challenge, rtype="TXT"))
    wanted = dict.fromkeys(str(r.content) for r in current)  # an ordered set
    ttl = int(current[0].ttl) if current else 60
    for edit in edits:  # in order (RFC 2136 §3.4.2)
        if edit.action == "delete-rrset":
            wanted.clear()
        elif edit.action == "delete-record":
            wanted.pop(_canonical_txt(zone, challenge, edit.content), None)
        else:  # an add sets the TTL of the whole RRset
            wanted[_canonical_txt(zone, challenge, edit.content)] = None
            ttl = edit.ttl
    remove = [r for r in current if r.content not in wanted or r.ttl != ttl]
    kept = {r.content for r in current} - {r.content for r in remove}
    add = [RawRecord(challenge, "TXT", content, ttl) for content in wanted if content not in kept]
    summary = (f"{challenge} TXT with ACME credential {credential.key_name}: "
               f"added {len(add)}, removed {len(remove)}")
    return change_records(zone, actor, ChangeKind.CHALLENGE, summary=summary, add=add,
                          remove=remove)


def _canonical_txt(zone: Zone, owner: str, content: str) -> str:
    """TXT text as Bureau stores it, so that a delete finds what an add stored."""
    return validate_new(zone, [RawRecord(owner, "TXT", content, 60)])[0].content
