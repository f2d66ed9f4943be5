"""DS follows delegation: Bureau's DS is at the registry only while the registry's NS set
points at Bureau's name servers.

- A name leaving Bureau's name servers: Bureau's DS leaves the registry in the same update
  (a DS for keys nobody serves there makes the name bogus for validating resolvers); a DS the
  member gave for their other DNS host stays. The member is told in the update's answer.
- A name coming (back) to Bureau's name servers while Bureau hosts its signed zone: Bureau's
  DS goes in the same update, replacing the old host's.
- A name delegated elsewhere keeps the DS its member gives (``set_external_dnssec``), even
  when Bureau still hosts a zone for it.
Receiver of the registrar's ``update.delegation_changing``."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from bureau.dns.conf import is_bureau_set
from bureau.registrar.domains.models import Domain
from bureau.registrar.operations.update import DS, delegation_changing

from .dnssec import bundle_ds_wanted, bundle_zones, to_ds


def ds_following_delegation(sender: Any, *, domain: Domain, nameservers: list[str],
                            **kwargs: Any) -> tuple[list[DS], str] | None:
    # Every signed zone of the registration's names: a bundle (RFC 9095) holds one DS set
    # for all of them, so all of Bureau's DS leave together and come back together.
    zones = bundle_zones(domain)
    if not zones:
        return None
    every = {to_ds(text) for zone in zones for text in zone.ds_wanted}
    _zones, wanted = bundle_ds_wanted(domain, zones[0])
    ours = set(wanted)
    held = {DS(d.key_tag, d.algorithm, d.digest_type, d.digest.upper())
            for d in domain.ds_records.all()}
    leaving = is_bureau_set(domain.nameservers) and not is_bureau_set(nameservers)
    coming = is_bureau_set(nameservers) and not is_bureau_set(domain.nameservers)
    if leaving and held & every:
        return sorted(held - every, key=str), str(_(
            "%(name)s leaves Bureau's name servers: Bureau's DNSSEC record (DS) is removed from "
            "the registry in the same change, or validating resolvers would reject the name. "
            "If your new DNS host signs the zone, give its DS on the name's DNSSEC page.")
            % {"name": domain.u_label})
    if coming and ours and held != ours:
        return sorted(ours, key=str), str(_(
            "%(name)s uses Bureau's name servers again: Bureau's DNSSEC record (DS) replaces "
            "the previous one at the registry in the same change.") % {"name": domain.u_label})
    return None


def connect_delegation_hook() -> None:
    delegation_changing.connect(ds_following_delegation, dispatch_uid="bureau.dns.delegation")
