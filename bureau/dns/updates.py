"""Bureau's RFC 2136 door: dynamic updates signed with a member's ACME key (TSIG, RFC 8945).

ACME clients (certbot's rfc2136 plugin, lego, acme.sh, Caddy's rfc2136 module) send here the
`_acme-challenge` TXT records of a DNS-01 challenge. Each update is verified against the key
kept by Bureau, then handed to the one use case (`credentials.apply_update`): the change is
stored, put in the zone's history under the key's name and published like any other, so
PowerDNS signs it and the secondaries receive it, and Bureau's view of the zone stays equal
to PowerDNS's. The SOA queries clients send first to find the zone are answered as the
primary answers them.

Answers (RFC 2136 §2.2, RFC 8945 §5): NOTAUTH for an unknown, revoked or expired key, a bad
signature, or another zone; REFUSED for an unsigned update, a query other than SOA, or a
record the key may not touch (nothing of that update is applied); NOTIMP for prerequisites
and other opcodes; FORMERR for what cannot be parsed; SERVFAIL when PowerDNS did not confirm
(the change is kept and the job publishes it; the client may send it again).

`serve` runs the door (UDP and TCP) until stopped: `bureau dns_updates`.
"""

from __future__ import annotations

import asyncio
import logging
import struct
from collections.abc import Callable

import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.opcode
import dns.query
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import dns.tsig
import dns.update
from django.db import close_old_connections

from bureau.dns import conf
from bureau.dns.models import AcmeCredential
from bureau.dns.operations import credentials
from bureau.dns.operations.credentials import Edit
from bureau.dns.operations.errors import KeyRefused, RecordsInvalid, UpdateRefused
from bureau.dns.powerdns import PowerDNSError

logger = logging.getLogger("bureau.dns.updates")
MAX_MESSAGE = 65_535


class _Keys:
    """The TSIG keyring dnspython asks while parsing: the key an update is signed with."""

    def __init__(self) -> None:
        self.credential: AcmeCredential | None = None

    def __call__(self, message: dns.message.Message, name: dns.name.Name) -> dns.tsig.Key | None:
        self.credential = credentials.active_key(name.to_text())
        if self.credential is None:
            return None
        return dns.tsig.Key(name, self.credential.secret, dns.tsig.HMAC_SHA256)


def answer(wire: bytes) -> bytes | None:
    """The response to one message (None: not even a header to answer)."""
    keys = _Keys()
    try:
        message = dns.message.from_wire(wire, keyring=keys)
    except (dns.message.UnknownTSIGKey, dns.tsig.BadTime, dns.tsig.BadSignature,
            dns.tsig.BadAlgorithm) as exc:  # unknown, revoked or expired key, forged, late
        logger.info("update refused: %s", exc.__class__.__name__)
        return _unsigned(wire, dns.rcode.NOTAUTH)
    except (dns.exception.DNSException, ValueError):
        return _unsigned(wire, dns.rcode.FORMERR)
    response = dns.message.make_response(message)
    credential = keys.credential
    if message.opcode() == dns.opcode.QUERY:
        # Clients find the zone by its SOA (certbot signs the query, lego does not): answered
        # as the primary answers it; a key sees only its own zone.
        _soa(message, response, credential)
    elif credential is None:  # unsigned (a signature with an unknown key raised above)
        response.set_rcode(dns.rcode.REFUSED)
    elif isinstance(message, dns.update.UpdateMessage):
        response.set_rcode(_update(message, credential))
    else:
        response.set_rcode(dns.rcode.NOTIMP)
    return response.to_wire()


def _update(message: dns.update.UpdateMessage,
            credential: AcmeCredential) -> dns.rcode.Rcode:
    if len(message.zone) != 1 or message.zone[0].rdtype != dns.rdatatype.SOA:
        return dns.rcode.FORMERR
    if message.prerequisite:
        return dns.rcode.NOTIMP  # no ACME client sends any
    edits = []
    for rrset in message.update:
        owner, rtype = rrset.name.to_text().lower(), dns.rdatatype.to_text(rrset.rdtype)
        if rrset.deleting == dns.rdataclass.ANY:
            edits.append(Edit("delete-rrset", owner, rtype))
        elif rrset.deleting == dns.rdataclass.NONE:
            edits.extend(Edit("delete-record", owner, rtype, content=rd.to_text())
                         for rd in rrset)
        else:
            edits.extend(Edit("add", owner, rtype, rrset.ttl, rd.to_text()) for rd in rrset)
    try:
        outcome = credentials.apply_update(credential=credential,
                                           zone_name=message.zone[0].name.to_text(),
                                           edits=edits)
    except KeyRefused as exc:
        logger.info("update refused (NOTAUTH) for %s: %s", credential.key_name, exc)
        return dns.rcode.NOTAUTH
    except (UpdateRefused, RecordsInvalid) as exc:
        logger.info("update refused (REFUSED) for %s: %s", credential.key_name, exc)
        return dns.rcode.REFUSED
    return dns.rcode.NOERROR if outcome.published else dns.rcode.SERVFAIL


def _soa(message: dns.message.Message, response: dns.message.Message,
         credential: AcmeCredential | None) -> None:
    """An SOA question relayed to the primary, its answer copied; REFUSED for other types,
    and for a signed question outside the key's zone."""
    question = message.question[0] if message.question else None
    if question is None or question.rdtype != dns.rdatatype.SOA or (
            credential is not None
            and not question.name.is_subdomain(dns.name.from_text(credential.zone.name))):
        response.set_rcode(dns.rcode.REFUSED)
        return
    host, _sep, port = conf.primary_address().rpartition(":")
    try:
        primary = dns.query.udp(dns.message.make_query(question.name, dns.rdatatype.SOA),
                                host.strip("[]"), timeout=3, port=int(port))
    except (dns.exception.DNSException, OSError):
        response.set_rcode(dns.rcode.SERVFAIL)
        return
    response.set_rcode(primary.rcode())
    response.flags |= primary.flags & dns.flags.AA
    response.answer, response.authority = primary.answer, primary.authority


def _unsigned(wire: bytes, rcode: dns.rcode.Rcode) -> bytes | None:
    """An answer to a message that could not be verified or parsed: the header, its
    question, the rcode, unsigned (RFC 8945 §5.3.2: no key to sign it with)."""
    try:
        message = dns.message.from_wire(wire, keyring=False, question_only=True)
    except dns.exception.DNSException:
        if len(wire) < 2:
            return None
        header = bytearray(wire[:2]) + bytes(10)
        header[2] = 0x80  # QR
        header[3] = rcode & 0x0F
        return bytes(header)
    response = dns.message.make_response(message)
    response.set_rcode(rcode)
    return response.to_wire()


def _answered(wire: bytes) -> bytes | None:
    """One message in a worker thread: the database connection is the thread's own."""
    close_old_connections()
    try:
        return answer(wire)
    except PowerDNSError as exc:
        logger.warning("update not confirmed by PowerDNS: %s", exc)
        return _unsigned(wire, dns.rcode.SERVFAIL)
    except Exception:
        logger.exception("update failed")
        return _unsigned(wire, dns.rcode.SERVFAIL)
    finally:
        close_old_connections()


class _Datagrams(asyncio.DatagramProtocol):
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport: asyncio.DatagramTransport = transport  # type: ignore[assignment]

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        asyncio.get_running_loop().create_task(self._reply(data, addr))

    async def _reply(self, data: bytes, addr: tuple[str, int]) -> None:
        reply = await asyncio.to_thread(_answered, data)
        if reply is not None:
            self.transport.sendto(reply, addr)


async def _stream(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while True:
            size = struct.unpack("!H", await reader.readexactly(2))[0]
            reply = await asyncio.to_thread(_answered, await reader.readexactly(size))
            if reply is None:
                break
            writer.write(struct.pack("!H", len(reply)) + reply)
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()


async def serve(host: str, port: int, ready: Callable[[int], None] | None = None) -> None:
    """Answer on `host:port` (UDP and TCP) until cancelled; `ready` gets the port (0 picks
    one: TCP's, then UDP on the same)."""
    loop = asyncio.get_running_loop()
    server = await asyncio.start_server(_stream, host, port)
    port = server.sockets[0].getsockname()[1]
    transport, _protocol = await loop.create_datagram_endpoint(_Datagrams,
                                                               local_addr=(host, port))
    logger.info("RFC 2136 updates answered on %s:%s (UDP, TCP)", host, port)
    if ready is not None:
        ready(port)
    try:
        async with server:
            await server.serve_forever()
    finally:
        transport.close()
