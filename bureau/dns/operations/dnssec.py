"""DNSSEC of hosted zones: keys as PowerDNS holds them, the DS at the registry, rollovers,
and DS/DNSKEY data a member enters for a name whose DNS is elsewhere.

Errors: NotAllowed; DnssecRefused (field "dnssec"); RecordsInvalid (DS/DNSKEY input, field
"content" per line); and from the registrar's update: StatusProhibits, RegistryRefused,
OutcomePending (the DS state becomes "unknown" and `reconcile_ds` settles it with an info).

Rollover (the new DS is at the registry before the old key stops being published):
  start_rollover: new key added inactive (published, not signing) -> both DS sent
  advance: DS_BOTH --wait--> new key signs, old key only published (NEW_KEY_ACTIVE)
           NEW_KEY_ACTIVE --wait--> old key deleted, only the new DS at the registry
           OLD_KEY_REMOVED -> DONE once the registry holds exactly the new DS
The chain validates at every step: each served signature is by a key whose DS is at the
registry, and every DS at the registry names a published key or is harmless extra.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

import dns.dnssec
import dns.exception
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.rdtypes.ANY.DNSKEY
import dns.resolver
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from bureau import epp
from bureau.core import clock
from bureau.dns import conf
from bureau.dns.dnssec import parse_ds
from bureau.dns.models import (
    ChangeKind,
    DnssecKey,
    DsState,
    KeyState,
    PublishState,
    Rollover,
    RolloverStep,
    Zone,
)
from bureau.dns.powerdns.client import RRSetChange
from bureau.dns.publish import after_key_change
from bureau.dns.records import Record as RawRecord
from bureau.dns.validation import Problem
from bureau.registrar.domains.models import Domain, DomainState, DSRecord
from bureau.registrar.operations.common import Actor, send
from bureau.registrar.operations.errors import OperationError, OutcomePending
from bureau.registrar.operations.update import DS, update

from .common import DNS_ACTOR, logger, record_change, verify_may_manage
from .errors import DnssecRefused, RecordsInvalid

ROLLOVER_ACTIVE_STEPS = (RolloverStep.NEW_KEY_PUBLISHED, RolloverStep.DS_BOTH,
                         RolloverStep.NEW_KEY_ACTIVE, RolloverStep.OLD_KEY_REMOVED)


def to_ds(text: str) -> DS:
    ds = parse_ds(text)
    return DS(ds.key_tag, ds.algorithm, ds.digest_type, ds.digest.hex().upper())


def refresh_keys(zone: Zone) -> list[DnssecKey]:
    """Copy PowerDNS's keys of the zone onto DnssecKey rows and the DS Bureau wants at the
    registry (the SHA-256 DS of every published key: during a rollover, both)."""
    client = conf.client()
    keys = client.cryptokeys(str(zone.name))
    rows = {k.powerdns_id: k for k in zone.keys.exclude(state=KeyState.REMOVED)}
    seen = set()
    for key in keys:
        if not key.published and not key.active:
            continue
        seen.add(key.id)
        row = rows.get(key.id)
        if key.active:
            state = KeyState.ACTIVE
        elif row is not None and row.state in (KeyState.ACTIVE, KeyState.RETIRING):
            state = KeyState.RETIRING
        else:
            state = KeyState.INCOMING
        ds = [d for d in key.ds if d.split()[2] == "2"]
        if row is None:
            DnssecKey.objects.create(zone=zone, powerdns_id=key.id, algorithm=key.algorithm,
                                     keytype=key.keytype, dnskey=key.dnskey, ds=ds, state=state)
        elif row.state != state or row.ds != ds:
            row.state, row.ds = state, ds
            row.save(update_fields=["state", "ds"])
    for key_id, row in rows.items():
        if key_id not in seen:
            row.state, row.removed_at = KeyState.REMOVED, clock.now()
            row.save(update_fields=["state", "removed_at"])
    zone.ds_wanted = client.ds_records(str(zone.name), include_inactive=True)
    zone.save(update_fields=["ds_wanted", "updated_at"])
    return list(zone.keys.exclude(state=KeyState.REMOVED))


def registered_with_bureau(zone: Zone) -> Domain | None:
    """The active registration the zone is a name of: the domain it is linked to (the RDN),
    or the one of the zone's organisation that bundles its name (RFC 9095: a BDN's zone)."""
    domain = zone.domain
    if domain is None:
        domain = Domain.objects.live().filter(
            organisation_id=zone.organisation_id,
            bundled_names__name=str(zone.name).rstrip(".")).first()
    if domain is None or domain.state != DomainState.ACTIVE:
        return None
    return domain


def bundle_zones(domain: Domain) -> list[Zone]:
    """The signed zones Bureau hosts for the names of a registration (the RDN and its BDNs,
    its organisation's): the registry holds one DS set for the bundle, so it carries the DS
    of each, and each name validates from the DS its delegation shows."""
    names = [name + "." for name in domain.names]
    return list(Zone.objects.filter(organisation_id=domain.organisation_id, name__in=names,
                                    dnssec=True).exclude(publish_state=PublishState.WITHDRAWN))


def bundle_ds_wanted(domain: Domain, zone: Zone) -> tuple[list[Zone], list[DS]]:
    """The zones of the registration (``zone`` among them, as given) and the DS they want."""
    zones = [zone] + [z for z in bundle_zones(domain) if z.pk != zone.pk]
    wanted: list[DS] = []
    for each in zones:
        if each.unsigning_ds_seen_at is not None:
            continue  # DNSSEC being turned off: its DS leaves first
        wanted += [ds for ds in map(to_ds, each.ds_wanted) if ds not in wanted]
    return zones, wanted


def set_ds_state(zones: Sequence[Zone], state: str) -> None:
    for zone in zones:
        zone.ds_state = state
        zone.save(update_fields=["ds_state", "updated_at"])


def after_signing(zone: Zone) -> None:
    """Once PowerDNS signs the zone: the DS to the registry, or, for a name registered
    elsewhere, the DS shown to the member to give to their registrar."""
    refresh_keys(zone)
    if registered_with_bureau(zone) is None:
        publish_cds(zone)
        zone.ds_state = DsState.NOT_APPLICABLE
        zone.save(update_fields=["ds_state", "updated_at"])
        return
    send_ds(zone)


def publish_cds(zone: Zone) -> None:
    """A zone whose parent Bureau cannot reach by EPP (a name registered elsewhere) publishes
    CDS and CDNSKEY (RFC 7344, RFC 8078) for its keys: the parent, or the member at their
    registrar, reads from them the DS to hold, at every rollover too."""
    client = conf.client()
    name = str(zone.name)
    client.set_metadata(name, "PUBLISH-CDS", ["2"])
    client.set_metadata(name, "PUBLISH-CDNSKEY", ["1"])
    zone.serial = after_key_change(client, name)
    zone.save(update_fields=["serial", "updated_at"])


def parent_ds(zone: Zone) -> set[DS] | None:
    """The DS the parent serves for the zone, read through Bureau's resolver ("tag alg type
    DIGEST"), or None when it could not be read."""
    try:
        answer = conf.resolver().resolve(str(zone.name), "DS", raise_on_no_answer=False)
    except dns.resolver.NXDOMAIN:
        return set()
    except (dns.exception.DNSException, OSError):
        return None
    if answer.rrset is None:
        return set()
    return {to_ds(r.to_text()) for r in answer.rrset}


def seen_in_parent(zone: Zone, key: DnssecKey) -> bool:
    held = parent_ds(zone)
    wanted = {to_ds(text) for text in key.ds if text.split()[2] == "2"}
    return held is not None and bool(wanted & held)


def delegated_to_bureau(domain: Domain) -> bool:
    return conf.is_bureau_set(domain.nameservers)


def send_ds(zone: Zone) -> str:
    """Send the wanted DS set to the registry (secDNS, through the registrar's update).
    Never raises for the registry's answer: the state says what happened. Sends nothing
    while the name is parked (``conf.is_parked``)."""
    domain = registered_with_bureau(zone)
    if domain is None:
        return str(zone.ds_state)
    if conf.is_parked(domain):
        # Parked after expiry: the DS was removed on purpose; the notices app puts it back
        # with the name servers when the name is renewed.
        logger.info("DS of %s not sent: the name is parked", zone.name)
        return str(zone.ds_state)
    zones, wanted = bundle_ds_wanted(domain, zone)
    if not delegated_to_bureau(domain):
        # Bureau's DS only while the registry sends resolvers to Bureau's servers: elsewhere
        # it would make the name bogus. It goes with the name servers when they come back.
        set_ds_state(zones, DsState.UNDELEGATED)
        return str(zone.ds_state)
    try:
        update(domain=domain, actor=DNS_ACTOR, ds_records=wanted)
    except OutcomePending:
        state = DsState.UNKNOWN
    except OperationError as exc:
        logger.warning("the registry refused the DS of %s: %s", zone.name, exc.message)
        state = DsState.FAILED
    else:
        state = DsState.SENT
    set_ds_state(zones, state)
    return state


def ds_at_registry(domain: Domain) -> list[DS] | None:
    """The DS the registry holds, read with a domain info (None: no answer)."""
    outcome = send(domain.registry, epp.DomainInfo(domain.name))
    if outcome.response is None:
        return None
    data = outcome.response.extension(epp.SecDNSData)
    if data is None:
        return []
    return [DS(d.key_tag, d.alg, d.digest_type, d.digest.upper()) for d in data.ds_data]


def reconcile_ds(zone: Zone) -> str:
    """Read the registry's DS with an info; align Bureau's copy with it, then send what is
    missing. Used after an unknown outcome and by the periodic job; never guesses. Does
    nothing while the name is parked (``conf.is_parked``)."""
    domain = registered_with_bureau(zone)
    if domain is None or conf.is_parked(domain):
        return str(zone.ds_state)
    if not delegated_to_bureau(domain):
        return send_ds(zone)  # says so; the member's own DS stay
    held = ds_at_registry(domain)
    if held is None:
        return str(zone.ds_state)
    with transaction.atomic():
        # Bureau's copy of the registry's DS is what the registrar's update diffs against.
        domain.ds_records.all().delete()
        DSRecord.objects.bulk_create(
            DSRecord(domain=domain, key_tag=d.key_tag, algorithm=d.algorithm,
                     digest_type=d.digest_type, digest=d.digest) for d in held)
    zones, wanted = bundle_ds_wanted(domain, zone)
    if set(held) == set(wanted):
        set_ds_state(zones, DsState.SENT)
        return str(zone.ds_state)
    return send_ds(zone)


# -- rollover ---------------------------------------------------------------------------------


def start_rollover(*, zone: Zone, actor: Actor) -> Rollover:
    """Begin a key rollover: a new key, published but not signing, and both DS to the registry."""
    verify_may_manage(zone.organisation, actor)
    if not zone.dnssec:
        raise DnssecRefused(_("%(zone)s is not signed: there is no key to roll.")
                            % {"zone": zone.u_label})
    if zone.rollovers.filter(step__in=ROLLOVER_ACTIVE_STEPS).exists():
        raise DnssecRefused(_("A key rollover of %(zone)s is already under way.")
                            % {"zone": zone.u_label})
    if zone.unsigning_ds_seen_at is not None:
        raise DnssecRefused(_("DNSSEC of %(zone)s is being turned off: there is no key to "
                              "roll.") % {"zone": zone.u_label})
    old = zone.keys.filter(state=KeyState.ACTIVE).first()
    if old is None:
        raise DnssecRefused(_("%(zone)s has no active key yet: wait for the reconciliation.")
                            % {"zone": zone.u_label})
    client = conf.client()
    created = client.add_cryptokey(str(zone.name), active=False,
                                   algorithm=zone.signing_algorithm)
    zone.serial = after_key_change(client, str(zone.name))
    zone.save(update_fields=["serial", "updated_at"])
    refresh_keys(zone)
    new = zone.keys.get(powerdns_id=created.id)
    rollover = Rollover.objects.create(zone=zone, old_key=old, new_key=new,
                                       step=RolloverStep.NEW_KEY_PUBLISHED,
                                       step_at=clock.now())
    record_change(zone, actor, ChangeKind.DNSSEC,
                  summary=f"key rollover started: new key {new.powerdns_id} published")
    return advance_rollover(rollover)


def advance_rollover(rollover: Rollover, *, wait: timedelta = timedelta(0)) -> Rollover:
    """Take the next step(s) whose time has come; `wait` is how long caches may hold the
    previous DNSKEY/DS (the DS TTL at the parent plus the DNSKEY TTL, in production)."""
    zone = rollover.zone
    client = conf.client()
    name = str(zone.name)
    now = clock.now()
    step = rollover.step
    elsewhere = registered_with_bureau(zone) is None
    if step == RolloverStep.NEW_KEY_PUBLISHED:
        # The new DS must be at the parent before the old key may go: sent by EPP, or, for a
        # parent Bureau cannot reach, published as CDS and seen at the parent through DNS.
        if seen_in_parent(zone, rollover.new_key) if elsewhere else send_ds(zone) in (
                DsState.SENT, DsState.UNDELEGATED):
            step = RolloverStep.DS_BOTH
    elif step == RolloverStep.DS_BOTH and now - rollover.step_at >= wait:
        client.set_cryptokey_active(name, rollover.new_key.powerdns_id, True)
        client.set_cryptokey_active(name, rollover.old_key.powerdns_id, False)
        zone.serial = after_key_change(client, name)
        step = RolloverStep.NEW_KEY_ACTIVE
    elif step == RolloverStep.NEW_KEY_ACTIVE and now - rollover.step_at >= wait:
        client.delete_cryptokey(name, rollover.old_key.powerdns_id)
        zone.serial = after_key_change(client, name)
        step = RolloverStep.OLD_KEY_REMOVED
    elif step == RolloverStep.OLD_KEY_REMOVED and (
            elsewhere or send_ds(zone) in (DsState.SENT, DsState.UNDELEGATED)):
        step = RolloverStep.DONE
    if step != rollover.step:
        zone.save(update_fields=["serial", "updated_at"])
        refresh_keys(zone)
        if step == RolloverStep.OLD_KEY_REMOVED:
            send_ds(zone)  # the old DS leaves the registry now the old key is gone
        rollover.step, rollover.step_at = step, clock.now()
        rollover.save(update_fields=["step", "step_at"])
        record_change(zone, DNS_ACTOR, ChangeKind.DNSSEC, summary=f"key rollover: {step}")
    return rollover


# -- turning DNSSEC off -----------------------------------------------------------------------

# RFC 8078 §4: "remove my DS", for a parent that reads CDS/CDNSKEY.
CDS_DELETE = "0 0 0 00"
CDNSKEY_DELETE = "0 3 0 AA=="


def disable_dnssec(*, zone: Zone, actor: Actor) -> Zone:
    """Turn DNSSEC off for a hosted zone, the DS first: Bureau's DS leaves the registry (or,
    for a parent Bureau cannot reach, the zone publishes the CDS/CDNSKEY delete signal); the
    zone stays signed until the DS is gone from the parent and caches had time to forget it
    (`advance_unsigning`, by the rollover job). Signatures removed before would make the
    name bogus for every resolver still holding the DS. Refused during a key rollover: the
    rollover's DS updates would cross this one."""
    verify_may_manage(zone.organisation, actor)
    if not zone.dnssec:
        raise DnssecRefused(_("%(zone)s is not signed.") % {"zone": zone.u_label})
    if zone.unsigning_ds_seen_at is not None:
        raise DnssecRefused(_("DNSSEC of %(zone)s is already being turned off.")
                            % {"zone": zone.u_label})
    rollover = zone.rollovers.filter(step__in=ROLLOVER_ACTIVE_STEPS).first()
    if rollover is not None:
        raise DnssecRefused(_(
            "A key rollover of %(zone)s is under way (%(step)s): its DS updates would cross "
            "the removal of the DS. Turn DNSSEC off once the rollover is done; the health "
            "panel shows its progress.") % {"zone": zone.u_label,
                                            "step": rollover.get_step_display()})
    zone.unsigning_ds_seen_at = clock.now()
    zone.save(update_fields=["unsigning_ds_seen_at", "updated_at"])
    if registered_with_bureau(zone) is None:
        publish_cds_delete(zone)
    else:
        send_ds(zone)  # without this zone's DS: it wants none now
    record_change(zone, actor, ChangeKind.DNSSEC,
                  summary="DNSSEC being turned off: DS removed first, keys after")
    return zone


def publish_cds_delete(zone: Zone) -> None:
    client = conf.client()
    name = str(zone.name)
    client.set_metadata(name, "PUBLISH-CDS", [])
    client.set_metadata(name, "PUBLISH-CDNSKEY", [])
    client.patch_rrsets(name, [RRSetChange(name, "CDS", 3600, (CDS_DELETE,)),
                               RRSetChange(name, "CDNSKEY", 3600, (CDNSKEY_DELETE,))])
    zone.serial = after_key_change(client, name)
    zone.save(update_fields=["serial", "updated_at"])


def ds_still_at_parent(zone: Zone) -> bool | None:
    """Whether a DS of the zone's keys is still at the parent (registry read by EPP, or the
    parent's DS through DNS); None when it could not be read."""
    ours = {to_ds(text) for key in zone.keys.exclude(state=KeyState.REMOVED) for text in key.ds}
    domain = registered_with_bureau(zone)
    held: Sequence[DS] | set[DS] | None
    held = parent_ds(zone) if domain is None else ds_at_registry(domain)
    if held is None:
        return None
    return bool(ours & set(held))


def advance_unsigning(zone: Zone, *, wait: timedelta = timedelta(0)) -> Zone:
    """Next step of turning DNSSEC off: while the DS is at the parent, ask again (EPP) and
    wait; once it is gone and `wait` passed (the DS TTL at the parent), delete the keys."""
    if zone.unsigning_ds_seen_at is None:
        return zone
    still = ds_still_at_parent(zone)
    now = clock.now()
    if still is None or still:
        if still and registered_with_bureau(zone) is not None:
            send_ds(zone)
        zone.unsigning_ds_seen_at = now
        zone.save(update_fields=["unsigning_ds_seen_at", "updated_at"])
        return zone
    if now - zone.unsigning_ds_seen_at < wait:
        return zone
    client = conf.client()
    name = str(zone.name)
    client.disable_dnssec(name)
    client.patch_rrsets(name, [RRSetChange.delete(name, "CDS"),
                               RRSetChange.delete(name, "CDNSKEY")])
    zone.serial = after_key_change(client, name) if conf.secondaries() else client.serial(name)
    zone.dnssec, zone.nsec3, zone.unsigning_ds_seen_at = False, False, None
    zone.ds_state, zone.ds_wanted = DsState.NONE, []
    zone.save(update_fields=["serial", "dnssec", "nsec3", "unsigning_ds_seen_at", "ds_state",
                             "ds_wanted", "updated_at"])
    zone.keys.exclude(state=KeyState.REMOVED).update(state=KeyState.REMOVED, removed_at=now)
    record_change(zone, DNS_ACTOR, ChangeKind.DNSSEC,
                  summary="DNSSEC turned off: the DS is gone, the keys are deleted")
    return zone


# -- names hosted elsewhere -----------------------------------------------------------------


def set_external_dnssec(*, domain: Domain, actor: Actor, ds: Sequence[str] = (),
                        dnskeys: Sequence[str] = ()) -> list[DS]:
    """Send the DS a member gives (or the SHA-256 DS of the DNSKEYs they give) for a name whose
    DNS is hosted elsewhere. An empty list removes DNSSEC at the registry. Bad input is
    refused line by line; nothing reaches the registry then."""
    verify_may_manage(domain.organisation, actor)
    zone = Zone.objects.filter(domain=domain).exclude(
        publish_state=PublishState.WITHDRAWN).first()
    if zone is not None and zone.dnssec and delegated_to_bureau(domain):
        raise DnssecRefused(_("%(name)s uses Bureau's name servers, which sign it: its DS "
                              "is managed by Bureau.") % {"name": domain.u_label})
    problems: list[Problem] = []
    wanted: list[DS] = []
    for line, text in enumerate(ds, 1):
        raw = RawRecord("@", "DS", text, line=line)
        try:
            value = to_ds(text)
            if value.digest_type not in (2, 4):
                raise ValueError("use digest type 2 (SHA-256) or 4 (SHA-384)")
            wanted.append(value)
        except (dns.exception.DNSException, ValueError) as exc:
            problems.append(Problem("content", f"not a usable DS record ({exc}); expected "
                                    "key-tag algorithm digest-type digest", raw))
    for line, text in enumerate(dnskeys, len(ds) + 1):
        raw = RawRecord("@", "DNSKEY", text, line=line)
        try:
            key = dns.rdata.from_text(dns.rdataclass.IN, dns.rdatatype.DNSKEY, text)
            assert isinstance(key, dns.rdtypes.ANY.DNSKEY.DNSKEY)
            if not key.flags & 0x0001:
                raise ValueError("this key has no SEP flag (257): give the key-signing key")
            made = dns.dnssec.make_ds(domain.name.rstrip(".") + ".", key, "SHA256")
            wanted.append(DS(made.key_tag, made.algorithm, made.digest_type,
                             made.digest.hex().upper()))
        except (dns.exception.DNSException, ValueError, AssertionError) as exc:
            problems.append(Problem("content", f"not a usable DNSKEY ({exc}); expected "
                                    "flags protocol algorithm public-key", raw))
    if problems:
        raise RecordsInvalid(problems)
    update(domain=domain, actor=actor, ds_records=wanted)
    return wanted
