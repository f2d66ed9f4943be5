"""Health checks of a hosted domain, as pure functions over what was observed.

The caller gathers the facts (NS and DS at the registry, DNSKEYs and answers from each name
server, e.g. with `probe_nameserver`) and these functions say what is wrong, in words a
member can act on. Nothing here raises on a bad zone: problems are returned.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import dns.flags
import dns.rcode
import dns.rdata

from bureau.dns.dnssec import DNSSECError, fetch_dnskeys, match_ds
from bureau.dns.query import QueryFailed, answer_rrset, ask


@dataclass(frozen=True)
class HealthProblem:
    code: str  # stable identifier: "delegation-mismatch", "ds-mismatch", "lame", ...
    message: str  # in English, for logs and the API
    # What the message says, to say it again in the reader's language (bureau.dns.messages):
    # "text" names the sentence when a code has several, the rest are its values.
    params: dict[str, str] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class NameserverAnswer:
    """What one name server said about the zone's SOA."""

    nameserver: str
    address: str
    authoritative: bool = False
    rcode: str = "NOERROR"
    serial: int | None = None
    error: str | None = None  # no answer at all (timeout, refused connection)


def _names(names: Iterable[str]) -> set[str]:
    return {n.strip().lower().rstrip(".") + "." for n in names if n.strip()}


def check_delegation(
    zone: str, delegated_ns: Iterable[str], hosted_ns: Iterable[str]
) -> list[HealthProblem]:
    """The NS at the registry (parent side) must be exactly the name servers hosting the zone."""
    parent, hosted = _names(delegated_ns), _names(hosted_ns)
    problems = []
    if not parent:
        problems.append(
            HealthProblem(
                "delegation-missing",
                f"{zone} has no name servers at the registry: the zone is not reachable; "
                f"set {', '.join(sorted(hosted))} at the registry",
                {"zone": zone, "hosted": ", ".join(sorted(hosted))},
            )
        )
        return problems
    missing, extra = hosted - parent, parent - hosted
    if missing or extra:
        parts = []
        if missing:
            parts.append(f"add {', '.join(sorted(missing))}")
        if extra:
            parts.append(f"remove {', '.join(sorted(extra))}")
        problems.append(
            HealthProblem(
                "delegation-mismatch",
                f"the name servers of {zone} at the registry differ from the hosting ones: "
                + " and ".join(parts)
                + " at the registry",
                {"zone": zone, "add": ", ".join(sorted(missing)),
                 "remove": ", ".join(sorted(extra))},
            )
        )
    return problems


def _ds_key(text: str) -> tuple[str, ...]:
    fields = text.split()
    return (*fields[:3], "".join(fields[3:]).upper())


def check_ds(
    zone: str, ds_at_registry: Iterable[str], dnskeys: Iterable[dns.rdata.Rdata],
    expected: Iterable[str] = (),
) -> list[HealthProblem]:
    """Every DS at the registry should match a DNSKEY served, and at least one must.
    `expected` DS are there on purpose for other zones (a bundle's other names, which share
    the DS set at the registry): not stale, though they validate nothing here."""
    ds_list = list(ds_at_registry)
    keys = list(dnskeys)
    others = {_ds_key(text) for text in expected}
    if not keys and ds_list:
        return [
            HealthProblem(
                "ds-without-dnskey",
                f"{zone} has DS records at the registry but the zone is not signed: validating "
                "resolvers will fail to resolve it; remove the DS or sign the zone",
                {"zone": zone},
            )
        ]
    if not keys:
        return []
    if not ds_list:
        return [
            HealthProblem(
                "ds-missing",
                f"{zone} is signed but has no DS at the registry: DNSSEC is not in force; "
                "send the DS to the registry",
                {"zone": zone},
            )
        ]
    matches = match_ds(zone, ds_list, keys)
    problems = [
        HealthProblem(
            "ds-stale",
            f"DS {m.ds} at the registry matches no key of {zone}: remove it at the registry",
            {"zone": zone, "ds": str(m.ds)},
        )
        for m in matches
        if not m.matches and _ds_key(m.ds) not in others
    ]
    if not any(m.matches for m in matches):
        problems.insert(
            0,
            HealthProblem(
                "ds-mismatch",
                f"no DS at the registry matches the keys of {zone}: validating resolvers will "
                "fail to resolve it; send the current DS to the registry now",
                {"zone": zone},
            ),
        )
    return problems


def check_lame(zone: str, answers: Iterable[NameserverAnswer]) -> list[HealthProblem]:
    """A name server that does not answer authoritatively for the zone is lame."""
    problems = []
    for answer in answers:
        who = f"{answer.nameserver} ({answer.address})"
        if answer.error is not None:
            problems.append(
                HealthProblem("lame", f"{who} does not answer for {zone}: {answer.error}",
                              {"who": who, "zone": zone, "error": str(answer.error)})
            )
        elif not answer.authoritative or answer.rcode != "NOERROR" or answer.serial is None:
            problems.append(
                HealthProblem(
                    "lame",
                    f"{who} is listed for {zone} but does not serve it (rcode {answer.rcode}, "
                    f"{'authoritative' if answer.authoritative else 'not authoritative'}): "
                    "add the zone on that server or remove it from the NS",
                    {"text": "lame-not-serving", "who": who, "zone": zone,
                     "rcode": answer.rcode, "authoritative": "yes" if answer.authoritative
                     else ""},
                )
            )
    return problems


def check_serials(
    zone: str, answers: Iterable[NameserverAnswer], expected_serial: int
) -> list[HealthProblem]:
    """Every name server must serve the current serial (secondaries that lag are reported)."""
    return [
        HealthProblem(
            "serial-behind",
            f"{a.nameserver} ({a.address}) serves serial {a.serial} of {zone}, current is "
            f"{expected_serial}: the secondary did not transfer the last change",
            {"who": f"{a.nameserver} ({a.address})", "serial": str(a.serial), "zone": zone,
             "current": str(expected_serial)},
        )
        for a in answers
        if a.error is None and a.serial is not None and a.serial != expected_serial
    ]


def probe_nameserver(
    zone: str, nameserver: str, address: str, *, port: int = 53, timeout: float = 2.0
) -> NameserverAnswer:
    """Ask one server for the zone's SOA (no recursion) and record what it said."""
    try:
        response = ask(address, zone, "SOA", port=port, timeout=timeout)
    except QueryFailed as exc:
        return NameserverAnswer(nameserver, address, error=str(exc))
    soa = answer_rrset(response, zone.rstrip(".") + ".", "SOA")
    return NameserverAnswer(
        nameserver,
        address,
        authoritative=bool(response.flags & dns.flags.AA),
        rcode=dns.rcode.to_text(response.rcode()),
        serial=int(soa[0].serial) if soa is not None else None,
    )


def domain_health(
    zone: str,
    *,
    delegated_ns: Iterable[str],
    hosted_ns: Iterable[str],
    ds_at_registry: Iterable[str],
    addresses: Mapping[str, Sequence[str]],
    port: int = 53,
    timeout: float = 2.0,
    expected_ds: Iterable[str] = (),
) -> list[HealthProblem]:
    """All checks for one domain: delegation, lameness, serials, DS against the served DNSKEY
    (`expected_ds`: other zones' DS that share the registry's set, see `check_ds`).

    `addresses` maps each hosted name server to its addresses (Bureau knows its own); the
    DNSKEY is read from the first server that answers."""
    hosted = list(hosted_ns)
    problems = check_delegation(zone, delegated_ns, hosted)
    answers = [
        probe_nameserver(zone, ns, address, port=port, timeout=timeout)
        for ns in hosted
        for address in addresses.get(ns, ())
    ]
    problems += check_lame(zone, answers)
    serials = [a.serial for a in answers if a.serial is not None]
    if serials:
        problems += check_serials(zone, answers, max(serials))
    dnskeys: list[dns.rdata.Rdata] = []
    for answer in answers:
        if answer.serial is None:
            continue
        try:
            rrset, _ = fetch_dnskeys(answer.address, zone, port=port, timeout=timeout)
        except DNSSECError:
            break  # answers but has no DNSKEY: the zone is unsigned
        except QueryFailed:
            continue
        dnskeys = list(rrset)
        break
    return problems + check_ds(zone, ds_at_registry, dnskeys, expected_ds)
