"""Health checks of a hosted zone, stored for the domain page and the reminders:
delegation at the registry (read with a domain info) against the hosted NS, DS at the
registry against the DNSKEY served, lame name servers, and every secondary at the current
serial."""

from __future__ import annotations

from bureau import epp
from bureau.dns import conf
from bureau.dns.health import HealthProblem, domain_health
from bureau.dns.models import HealthCheck, Zone
from bureau.dns.powerdns import PowerDNSError
from bureau.dns.secondaries import secondary_status
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
    servers = [s.server() for s in conf.secondaries()]
    if servers:
        try:
            serial = conf.client().serial(str(zone.name))
        except PowerDNSError as exc:
            problems.append(HealthProblem("primary", f"PowerDNS does not answer: {exc}"))
            serial = None
        if serial is not None:
            for status in secondary_status(str(zone.name), serial, servers, timeout=timeout):
                secondaries[str(status.server)] = status.serial
                if not status.current:
                    problems.append(HealthProblem(
                        "serial-behind",
                        f"secondary {status.server} serves serial {status.serial} of "
                        f"{zone.name}, current is {serial}: it did not transfer the last "
                        "change" + (f" ({status.error})" if status.error else "")))
    return HealthCheck.objects.create(
        zone=zone, ok=not problems, secondaries=secondaries,
        problems=[{"code": p.code, "message": p.message} for p in problems])


def latest(zone: Zone) -> HealthCheck | None:
    return zone.health_checks.first()
