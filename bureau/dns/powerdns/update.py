"""Changes sent to PowerDNS as one RFC 2136 update signed with Bureau's publish key.

An API PATCH of a signed zone makes PowerDNS 4.7 rectify the whole zone (the DNSSEC order
of every name: 0.06 s in a 10,000-record zone); its RFC 2136 handler fixes the order of the
changed names only, in the same transaction as the change, with the same serial rule
(SOA-EDIT-DNSUPDATE DEFAULT: YYYYMMDDnn, as SOA-EDIT-API DEFAULT). PowerDNS accepts an
update for a zone only from the addresses in its ALLOW-DNSUPDATE-FROM metadata and signed
with a key of its TSIG-ALLOW-DNSUPDATE metadata (`bureau.dns.publish.allow_updates`); the
server-wide `allow-dnsupdate-from` stays empty, so a zone without them refuses every update.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import dns.exception
import dns.name
import dns.query
import dns.rcode
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.tsig
import dns.tsigkeyring
import dns.update

from .client import RRSetChange, absolute
from .errors import PowerDNSError, PowerDNSRejected, PowerDNSUnavailable


class UpdateRefused(PowerDNSError):
    """PowerDNS refused the update (REFUSED/NOTAUTH): the zone does not allow Bureau's key
    or address yet. Nothing was changed."""


@dataclass(frozen=True)
class UpdateKey:
    name: str  # "bureau-publish."
    algorithm: str  # "hmac-sha256"
    secret: str  # base64


def split_address(address: str) -> tuple[str, int]:
    """"127.0.0.1:5300" or "[::1]:53" -> (host, port)."""
    host, _, port = address.rpartition(":")
    return host.strip("[]"), int(port)


def update_message(zone: str, changes: Sequence[RRSetChange],
                   key: UpdateKey) -> dns.update.UpdateMessage:
    """Each RRset deleted then given its records: the update replaces RRsets, as a PATCH
    does (an empty one is deleted)."""
    ring = dns.tsigkeyring.from_text({key.name: (key.algorithm, key.secret)})
    message = dns.update.UpdateMessage(absolute(zone), keyring=ring,
                                       keyname=dns.name.from_text(key.name),
                                       keyalgorithm=key.algorithm)
    for change in changes:
        owner = dns.name.from_text(absolute(change.name))
        rdtype = dns.rdatatype.from_text(change.rtype)
        message.delete(owner, rdtype)
        for content in change.contents:
            # Absolute names, kept absolute (relativized, the message would append the zone).
            message.add(owner, change.ttl, dns.rdata.from_text(
                dns.rdataclass.IN, rdtype, content, origin=dns.name.root, relativize=False))
    return message


def send_update(address: str, zone: str, changes: Sequence[RRSetChange], key: UpdateKey,
                *, timeout: float = 5.0) -> None:
    """Apply `changes` to `zone` in ONE update (one transaction, one serial bump), over TCP
    to the primary's DNS `address`. Raises `UpdateRefused` (nothing changed, the zone does
    not allow it), `PowerDNSRejected` (another error code, nothing changed) or
    `PowerDNSUnavailable` (no answer in time: the change may or may not be applied)."""
    if not changes:
        return
    message = update_message(zone, changes, key)
    host, port = split_address(address)
    try:
        response = dns.query.tcp(message, host, port=port, timeout=timeout)
    except (dns.tsig.PeerError, dns.exception.FormError) as exc:
        # PowerDNS does not know the key (or not this one): its unsigned BADKEY/BADSIG.
        raise UpdateRefused(f"update of {absolute(zone)}: {exc!r}") from exc
    except (dns.exception.DNSException, OSError) as exc:
        raise PowerDNSUnavailable(f"update of {absolute(zone)} at {address}: {exc}") from exc
    rcode = response.rcode()
    if rcode in (dns.rcode.REFUSED, dns.rcode.NOTAUTH):
        raise UpdateRefused(f"update of {absolute(zone)}: {dns.rcode.to_text(rcode)}")
    if rcode != dns.rcode.NOERROR:
        raise PowerDNSRejected(f"update of {absolute(zone)}: {dns.rcode.to_text(rcode)}")
