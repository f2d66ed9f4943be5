"""ACME DNS-01 credentials: a TSIG key that may only add and remove the TXT records of
`_acme-challenge.<name>` in one hosted zone (certificates for <name> and *.<name> from any ACME
CA, with certbot's rfc2136 plugin, lego, acme.sh...).

PowerDNS holds the key; its update policy (bureau/dns/powerdns/dnsupdate-policy.lua) reads the
allowed name from the key name "<random>._bureau-acme.<name>", and TSIG-ALLOW-DNSUPDATE lists
the zone's keys. Bureau keeps the key name, never the secret: it is shown once, at creation.
Revoking (or expiry, see `revoke_expired`) deletes the key from PowerDNS, which then answers
NOTAUTH to anything signed with it.

Errors: NotAllowed, NotHosted, CredentialRefused (field "name" or "expires_at").
"""

from __future__ import annotations

import base64
import secrets
from dataclasses import dataclass
from datetime import datetime

import dns.name
from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from bureau.core import clock
from bureau.dns import conf
from bureau.dns.models import AcmeCredential, ChangeKind, Zone
from bureau.dns.names import InvalidName, owner_name
from bureau.registrar.operations.common import Actor

from .common import DNS_ACTOR, locked, record_change, verify_may_manage
from .errors import CredentialRefused

ALGORITHM = "hmac-sha256"
KEY_LABEL = "_bureau-acme"


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


def update_server() -> tuple[str, int]:
    """Where members send their updates: the primary's public address (setting)."""
    address = settings.BUREAU_DNS_UPDATE_ADDRESS or settings.BUREAU_PDNS_PRIMARY_ADDRESS
    host, _sep, port = str(address).rpartition(":")
    return host.strip("[]"), int(port)


def create_credential(*, zone: Zone, actor: Actor, name: str,
                      expires_at: datetime | None = None) -> IssuedCredential:
    """A new ACME credential for `name` (and *.name) in `zone`; the secret is in the result
    only."""
    verify_may_manage(zone.organisation, actor)
    origin = dns.name.from_text(zone.name)
    try:
        target = owner_name(name.strip().removeprefix("*."), origin)
    except InvalidName as exc:
        raise CredentialRefused(str(exc)) from exc
    if any(label.startswith(b"_") or label == b"*" for label in target.relativize(origin).labels):
        raise CredentialRefused(_("Give a host name such as www or the zone itself (@), "
                                  "not a service or wildcard label."))
    if expires_at is not None and expires_at <= clock.now():
        raise CredentialRefused(_("The expiry must be in the future."), field="expires_at")
    text = target.to_text().lower()
    key_name = f"k{secrets.token_hex(6)}.{KEY_LABEL}.{text}"
    secret = base64.b64encode(secrets.token_bytes(32)).decode()
    client = conf.client()
    with transaction.atomic():
        zone = locked(zone)
        key_id = client.create_tsig_key(key_name, ALGORITHM, secret)
        credential = AcmeCredential.objects.create(
            zone=zone, name=text, key_name=key_name, powerdns_key_id=key_id,
            created_by=actor.user, expires_at=expires_at)
        _allow_keys(zone)
        record_change(zone, actor, ChangeKind.CREDENTIAL,
                      summary=f"ACME credential {key_name} created for _acme-challenge.{text}")
    server, port = update_server()
    return IssuedCredential(credential, secret, server, port)


def revoke_credential(*, credential: AcmeCredential, actor: Actor) -> AcmeCredential:
    """Delete the key from PowerDNS: every later update signed with it is refused."""
    verify_may_manage(credential.zone.organisation, actor)
    with transaction.atomic():
        zone = locked(credential.zone)
        credential = AcmeCredential.objects.select_for_update().get(pk=credential.pk)
        if credential.revoked_at is not None:
            return credential
        conf.client().delete_tsig_key(credential.powerdns_key_id)
        credential.revoked_at = clock.now()
        credential.save(update_fields=["revoked_at"])
        _allow_keys(zone)
        record_change(zone, actor, ChangeKind.CREDENTIAL,
                      summary=f"ACME credential {credential.key_name} revoked")
    return credential


def revoke_expired() -> int:
    """The job: revoke every credential past its expiry; how many."""
    expired = AcmeCredential.objects.filter(revoked_at=None, expires_at__lte=clock.now())
    count = 0
    for credential in expired.select_related("zone__organisation"):
        revoke_credential(credential=credential, actor=DNS_ACTOR)
        count += 1
    return count


def credentials_of(zone: Zone) -> list[AcmeCredential]:
    return list(zone.acme_credentials.filter(revoked_at=None))


def _allow_keys(zone: Zone) -> None:
    conf.client().set_metadata(zone.name, "TSIG-ALLOW-DNSUPDATE", sorted(
        AcmeCredential.objects.filter(zone=zone, revoked_at=None)
        .values_list("key_name", flat=True)))
