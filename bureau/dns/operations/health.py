"""Health checks of a hosted zone, stored for the domain page and the reminders:
delegation at the registry (read with a domain info) against the hosted NS, DS at the
registry against the DNSKEY served, lame name servers, and every secondary at the current
serial."""

from __future__ import annotations

import contextlib

from bureau import epp
from bureau.dns import conf
from bureau.dns.health import HealthProblem, domain_health
from bureau.dns.models import HealthCheck, Zone
from bureau.dns.powerdns import PowerDNSError
from bureau.dns.publish import SyncReport, adopt_member, sync_secondary
from bureau.dns.secondaries import secondary_status, wait_until_current
from bureau.registrar.domains.models import Domain
from bureau.registrar.operations.common import send

from .dnssec import bundle_ds_wanted, ds_at_registry, registered_with_bureau, to_ds


def registry_view(domain: Domain) -> tuple[list[str], list[str]] | None:
    """NS and DS the registry holds for the registration (None: no answer; the checks then
    use Bureau's last known copy). A bundle's names share them (RFC 9095)."""
    outcome = send(domain.registry, epp.DomainInfo(domain.name))
    if outcome.response is None:
        return None
    data: epp.DomainInfoData = outcome.response.data
    ns = [n if isinstance(n, str) else n.name for n in data.nameservers]
    held = ds_at_registry(domain) or []
    return ns, [f"{d.key_tag} {d.algorithm} {d.digest_type} {d.digest}" for d in held]


# What parking changes at the registry on purpose: not drift while the name is parked.
REGISTRY_SIDE_CODES = frozenset({"delegation-missing", "delegation-mismatch",
                                 "ds-without-dnskey", "ds-missing", "ds-mismatch", "ds-stale"})


def delegated_elsewhere(zone: Zone, delegated: list[str]) -> HealthProblem:
    """The member delegated the name to other name servers: Bureau's zone is not what the
    world sees, and Bureau's DS stays away from the registry (it would make the name bogus
    there); the DS the registry holds is the other host's business."""
    return HealthProblem(
        "delegated-elsewhere",
        f"{zone.name} is delegated to {', '.join(sorted(delegated))} at the registry, not "
        f"to Bureau's name servers: the zone Bureau hosts is not in use, and Bureau's DS "
        f"stays off the registry while it is so. To use it, set "
        f"{', '.join(sorted(zone.nameservers))} as the name's name servers (Bureau's DS "
        f"goes with them); otherwise stop hosting it here.",
        {"zone": str(zone.name), "delegated": ", ".join(sorted(delegated)),
         "hosted": ", ".join(sorted(zone.nameservers))})


def check_zone(zone: Zone, *, timeout: float = 2.0) -> HealthCheck:
    """Run the checks and store them. The registry's side is read for the registration the
    zone is a name of: its domain, or the one bundling its name (RFC 9095: every name of a
    bundle is delegated to the bundle's name servers and shows the bundle's one DS set, so
    the DS of the bundle's other zones are expected there, not stale). While the name is
    parked after expiry (the notices app's ERRP parking), its delegation and DS at the
    registry are the parking ones on purpose; while its member delegates it to other name
    servers, Bureau's DNSSEC is not in force on purpose: only the zone's own serving is
    checked then, with one problem saying where the name points."""
    problems: list[HealthProblem] = []
    domain = registered_with_bureau(zone)
    parked = domain is not None and conf.is_parked(domain)
    view = None if parked or domain is None else registry_view(domain)
    delegated: list[str]
    ds: list[str]
    if parked:
        delegated, ds = list(zone.nameservers), []
    elif view is not None:
        delegated, ds = view
    elif domain is not None:
        delegated = list(domain.nameservers)
        ds = [str(d) for d in domain.ds_records.all()]
    else:
        # Registered elsewhere: Bureau cannot read the registry; check the zone itself.
        delegated, ds = list(zone.nameservers), list(zone.ds_wanted)
    elsewhere = (domain is not None and not parked
                 and not {n.lower().rstrip(".") for n in delegated}
                 & {n.lower().rstrip(".") for n in zone.nameservers})
    others: list[str] = []
    if domain is not None:
        # The bundle's other zones' DS: expected at each of its names, validating nothing here.
        own = {to_ds(text) for text in zone.ds_wanted}
        others = [f"{d.key_tag} {int(d.algorithm)} {int(d.digest_type)} {d.digest}"
                  for d in bundle_ds_wanted(domain, zone)[1] if d not in own]
    problems += domain_health(
        str(zone.name), delegated_ns=delegated, hosted_ns=zone.nameservers,
        ds_at_registry=ds if zone.dnssec or ds else [], addresses=conf.nameserver_addresses(),
        port=conf.dns_port(), timeout=timeout, expected_ds=others)
    if parked or elsewhere:
        problems = [p for p in problems if p.code not in REGISTRY_SIDE_CODES]
    if elsewhere:
        problems.insert(0, delegated_elsewhere(zone, delegated))
    secondaries: dict[str, int | None] = {}
    if conf.secondaries():
        problems += check_secondaries(zone, secondaries, timeout=timeout)
    return HealthCheck.objects.create(
        zone=zone, ok=not problems, secondaries=secondaries,
        problems=[{"code": p.code, "message": p.message, "params": p.params}
                  for p in problems])


def check_secondaries(zone: Zone, serials: dict[str, int | None], *,
                      timeout: float = 2.0) -> list[HealthProblem]:
    """Every secondary's serial against the primary's; one that lags is repaired (NOTIFY,
    the transfer key, a transfer asked through its API) and checked again; what is still
    behind is reported with what to look at. `serials` receives what each one serves."""
    name = str(zone.name)
    try:
        serial = conf.client().serial(name)
    except PowerDNSError as exc:
        return [HealthProblem("primary", f"PowerDNS does not answer: {exc}",
                              {"error": str(exc)})]
    targets = {str(s.server()): s for s in conf.secondaries()}
    status = secondary_status(name, serial, [s.server() for s in targets.values()],
                              timeout=timeout)
    behind = [s for s in status if not s.current]
    if behind:
        # Failures here are reported below: the secondary is still behind.
        with contextlib.suppress(PowerDNSError):
            conf.client().notify(name)
        for lagging in behind:
            with contextlib.suppress(PowerDNSError):
                adopt_member(targets[str(lagging.server)].target(), name, timeout=timeout)
        again = {str(s.server): s for s in wait_until_current(
            name, serial, [s.server for s in behind], timeout=max(timeout, 5.0))}
        status = [again.get(str(s.server), s) for s in status]
    problems = []
    for s in status:
        serials[str(s.server)] = s.serial
        if s.current:
            continue
        silent = s.serial is None
        if silent:
            advice = ("it does not answer for the zone: check that the server runs, that "
                      "it is a consumer of Bureau's catalog, and that it reaches the "
                      "primary at " + conf.primary_address())
        else:
            advice = ("a NOTIFY and a transfer did not bring it up to date: check that it "
                      "reaches the primary at " + conf.primary_address() + " and holds "
                      "Bureau's transfer key (bureau dns_secondaries sync copies it)")
        problems.append(HealthProblem(
            "serial-behind",
            f"secondary {s.server} serves serial {s.serial} of {zone.name}, current is "
            f"{serial}: it did not transfer the last change; {advice}"
            + (f" ({s.error})" if s.error else ""),
            {"text": "secondary-silent" if silent else "secondary-behind",
             "who": str(s.server), "serial": str(s.serial), "zone": str(zone.name),
             "current": str(serial), "primary": conf.primary_address(),
             "error": str(s.error or "")}))
    return problems


def sync_secondaries(*, wait: float = 10.0) -> list[SyncReport]:
    """Every configured secondary brought up to the primary (`publish.sync_secondary`): a
    secondary added later receives every existing zone."""
    return [sync_secondary(conf.client(), s.target(), conf.primary_address(), wait=wait)
            for s in conf.secondaries()]


def latest(zone: Zone) -> HealthCheck | None:
    return zone.health_checks.first()
