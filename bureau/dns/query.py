"""Small DNS query helpers over UDP (falling back to TCP when truncated), for checks and tests."""

from __future__ import annotations

import dns.flags
import dns.message
import dns.name
import dns.query
import dns.rdatatype
import dns.rrset


class QueryFailed(Exception):
    """A server did not answer, or answered with an error; the message names the server."""


def ask(
    server: str,
    qname: str | dns.name.Name,
    rtype: str | dns.rdatatype.RdataType,
    *,
    port: int = 53,
    dnssec: bool = False,
    timeout: float = 2.0,
    tcp: bool = False,
) -> dns.message.Message:
    """One query to one server, no recursion asked; TCP retry when the UDP answer is truncated."""
    query = dns.message.make_query(qname, rtype, want_dnssec=dnssec)
    query.flags &= ~dns.flags.RD
    try:
        if tcp:
            return dns.query.tcp(query, server, port=port, timeout=timeout)
        response = dns.query.udp(query, server, port=port, timeout=timeout)
        if response.flags & dns.flags.TC:
            response = dns.query.tcp(query, server, port=port, timeout=timeout)
        return response
    except (OSError, dns.exception.DNSException) as exc:
        raise QueryFailed(
            f"{server}:{port} did not answer {qname} {rtype} ({exc.__class__.__name__}: {exc})"
        ) from exc


def answer_rrset(
    response: dns.message.Message,
    qname: str | dns.name.Name,
    rtype: str | dns.rdatatype.RdataType,
    *,
    covers: str | dns.rdatatype.RdataType | None = None,
) -> dns.rrset.RRset | None:
    """The RRset (or, with `covers`, its RRSIG RRset) from the answer section, or None."""
    name = dns.name.from_text(qname) if isinstance(qname, str) else qname
    wanted = dns.rdatatype.RdataType.make(rtype)
    covered = dns.rdatatype.RdataType.make(covers) if covers is not None else dns.rdatatype.NONE
    for rrset in response.answer:
        if rrset.name == name and rrset.rdtype == wanted and rrset.covers == covered:
            return rrset
    return None


def soa_serial(server: str, zone: str, *, port: int = 53, timeout: float = 2.0) -> int | None:
    """The SOA serial a server gives authoritatively for `zone`, or None if it does not."""
    response = ask(server, zone, "SOA", port=port, timeout=timeout)
    rrset = answer_rrset(response, zone.rstrip(".") + ".", "SOA")
    if rrset is None or not response.flags & dns.flags.AA:
        return None
    return int(rrset[0].serial)


