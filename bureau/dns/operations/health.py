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
from bureau.registrar.operations.common import send

from .dnssec import ds_at_registry


def registry_view(zone: Zone) -> tuple[list[str], list[str]] | None:
    """NS and DS the registry holds for the zone's domain (None: not registered with Bureau
    or no answer; the checks then use Bureau's last known copy)."""
    domain = zone.domain
    if domain is None:
        return None
    outcome = send(domain.registry, epp.DomainInfo(domain.name))
    if outcome.response is None:
        return None
    data: epp.DomainInfoData = outcome.response.data
    ns = [n if isinstance(n, str) else n.name for n in data.nameservers]
    held = ds_at_registry(domain) or []
    return ns, [f"{d.key_tag} {d.algorithm} {d.digest_type} {d.digest}" for d in held]


# What parking changes at the registry on purpose: not drift while the name is parked.
REGISTRY_SIDE_CODES = frozenset({"delegation-missing", "delegation-mismatch",
                                 "ds-without-dnskey", "ds-missing", "ds-mismatch"})


def check_zone(zone: Zone, *, timeout: float = 2.0) -> HealthCheck:
    """Run the checks and store them. While the name is parked after expiry (the notices
    app's ERRP parking), its delegation and DS at the registry are the parking ones on
    purpose: only the zone's own serving is checked then."""
    problems: list[HealthProblem] = []
    parked = zone.domain is not None and conf.is_parked(zone.domain)
    view = None if parked else registry_view(zone)
    delegated: list[str]
    ds: list[str]
    if parked:
        delegated, ds = list(zone.nameservers), []
    elif view is not None:
        delegated, ds = view
    elif zone.domain is not None:
        delegated = list(zone.domain.nameservers)
        ds = [str(d) for d in zone.domain.ds_records.all()]
    else:
        # Registered elsewhere: Bureau cannot read the registry; check the zone itself.
        delegated, ds = list(zone.nameservers), list(zone.ds_wanted)
    problems += domain_health(
        str(zone.name), delegated_ns=delegated, hosted_ns=zone.nameservers,
        ds_at_registry=ds if zone.dnssec or ds else [], addresses=conf.nameserver_addresses(),
        port=conf.dns_port(), timeout=timeout)
    if parked:
        problems = [p for p in problems if p.code not in REGISTRY_SIDE_CODES]
    secondaries: dict[str, int | None] = {}
    if conf.secondaries():
        problems += check_secondaries(zone, secondaries, timeout=timeout)
    return HealthCheck.objects.create(
        zone=zone, ok=not problems, secondaries=secondaries,
        problems=[{"code": p.code, "message": p.message} for p in problems])


def check_secondaries(zone: Zone, serials: dict[str, int | None], *,
                      timeout: float = 2.0) -> list[HealthProblem]:
    """Every secondary's serial against the primary's; one that lags is repaired (NOTIFY,
    the transfer key, a transfer asked through its API) and checked again; what is still
    behind is reported with what to look at. `serials` receives what each one serves."""
    name = str(zone.name)
    try:
        serial = conf.client().serial(name)
    except PowerDNSError as exc:
        return [HealthProblem("primary", f"PowerDNS does not answer: {exc}")]
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
        if s.serial is None:
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
            + (f" ({s.error})" if s.error else "")))
    return problems


def sync_secondaries(*, wait: float = 10.0) -> list[SyncReport]:
    """Every configured secondary brought up to the primary (`publish.sync_secondary`): a
    secondary added later receives every existing zone."""
    return [sync_secondary(conf.client(), s.target(), conf.primary_address(), wait=wait)
            for s in conf.secondaries()]


def latest(zone: Zone) -> HealthCheck | None:
    return zone.health_checks.first()
