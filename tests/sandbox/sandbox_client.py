"""A tiny framed TLS EPP client for the sandbox tests: raw XML in, parsed lxml tree out.

Every frame received is validated against the official schemas (bureau/epp/xsd).
"""

from __future__ import annotations

import contextlib
import socket
import struct
from typing import Any

from lxml import etree

from bureau.epp.schema import validate
from bureau.sandbox.testing import Sandbox

NS = {
    "e": "urn:ietf:params:xml:ns:epp-1.0",
    "domain": "urn:ietf:params:xml:ns:domain-1.0",
    "host": "urn:ietf:params:xml:ns:host-1.0",
    "contact": "urn:ietf:params:xml:ns:contact-1.0",
    "secDNS": "urn:ietf:params:xml:ns:secDNS-1.1",
    "rgp": "urn:ietf:params:xml:ns:rgp-1.0",
    "fee": "urn:ietf:params:xml:ns:epp:fee-1.0",
    "b-dn": "urn:ietf:params:xml:ns:epp:b-dn",
    "changePoll": "urn:ietf:params:xml:ns:changePoll-1.0",
}
ALL_OBJ = ("domain-1.0", "host-1.0", "contact-1.0")
ALL_EXT = ("secDNS-1.1", "rgp-1.0", "epp:fee-1.0", "epp:b-dn", "changePoll-1.0")
XMLNS = " ".join(f'xmlns:{k}="{v}"' for k, v in NS.items() if k != "e")


class Reply:
    def __init__(self, raw: bytes) -> None:
        self.raw = raw
        self.root = etree.fromstring(raw)

    @property
    def code(self) -> int:
        return int(self.text("//e:result/@code"))

    @property
    def msg(self) -> str:
        return str(self.root.xpath("string(//e:result/e:msg)", namespaces=NS))

    def xpath(self, path: str) -> list[Any]:
        found: Any = self.root.xpath(path, namespaces=NS)
        return list(found)

    def text(self, path: str) -> str:
        return str(self.root.xpath(f"string({path})", namespaces=NS))

    def __repr__(self) -> str:
        return self.raw.decode()


class EppClient:
    def __init__(self, sandbox: Sandbox, clid: str = "bureau", *, validate_frames: bool = True,
                 timeout: float = 10) -> None:
        self.sandbox = sandbox
        self.clid = clid
        self.validate_frames = validate_frames
        context = sandbox.client_context(clid)
        raw = socket.create_connection((sandbox.host, sandbox.port), timeout=timeout)
        self.sock = context.wrap_socket(raw, server_hostname="localhost")
        self.greeting = self.read()
        self._n = 0

    def read(self) -> Reply:
        header = self._exact(4)
        (length,) = struct.unpack(">I", header)
        raw = self._exact(length - 4)
        if self.validate_frames:
            validate(raw)
        return Reply(raw)

    def _exact(self, n: int) -> bytes:
        data = b""
        while len(data) < n:
            chunk = self.sock.recv(n - len(data))
            if not chunk:
                raise ConnectionError("server closed the connection")
            data += chunk
        return data

    def send_raw(self, payload: bytes) -> None:
        self.sock.sendall(struct.pack(">I", len(payload) + 4) + payload)

    def send(self, xml: str) -> Reply:
        self.send_raw(xml.encode())
        return self.read()

    def command(self, body: str, extension: str = "") -> Reply:
        """Wrap `body` (the verb element) in <epp><command> with a clTRID, send, read."""
        self._n += 1
        ext = f"<extension>{extension}</extension>" if extension else ""
        return self.send(f'<?xml version="1.0" encoding="UTF-8"?><epp xmlns="{NS["e"]}" '
                         f'{XMLNS}><command>{body}{ext}<clTRID>T-{self._n:04d}</clTRID>'
                         "</command></epp>")

    def login(self, password: str | None = None, extensions: tuple[str, ...] = ALL_EXT,
              new_pw: str | None = None, objects: tuple[str, ...] = ALL_OBJ) -> Reply:
        pw = password or self.sandbox.registrars[self.clid].password
        objs = "".join(f"<objURI>urn:ietf:params:xml:ns:{o}</objURI>" for o in objects)
        exts = "".join(f"<extURI>urn:ietf:params:xml:ns:{e}</extURI>" for e in extensions)
        svc_ext = f"<svcExtension>{exts}</svcExtension>" if exts else ""
        new = f"<newPW>{new_pw}</newPW>" if new_pw else ""
        return self.command(
            f"<login><clID>{self.clid}</clID><pw>{pw}</pw>{new}<options><version>1.0</version>"
            f"<lang>en</lang></options><svcs>{objs}{svc_ext}</svcs></login>")

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.sock.close()

    # -- shortcuts -----------------------------------------------------------------------
    def domain_check(self, *names: str, extension: str = "") -> Reply:
        inner = "".join(f"<domain:name>{n}</domain:name>" for n in names)
        return self.command(f"<check><domain:check>{inner}</domain:check></check>", extension)

    def domain_info(self, name: str, pw: str | None = None) -> Reply:
        auth = f"<domain:authInfo><domain:pw>{pw}</domain:pw></domain:authInfo>" if pw else ""
        return self.command(f"<info><domain:info><domain:name>{name}</domain:name>{auth}"
                            "</domain:info></info>")

    def domain_create(self, name: str, years: int = 1, *, registrant: str | None = None,
                      ns: tuple[str, ...] = (), contacts: tuple[tuple[str, str], ...] = (),
                      pw: str = "secret-1", extension: str = "") -> Reply:
        parts = [f"<domain:name>{name}</domain:name>",
                 f'<domain:period unit="y">{years}</domain:period>']
        if ns:
            parts.append("<domain:ns>" + "".join(f"<domain:hostObj>{h}</domain:hostObj>"
                                                 for h in ns) + "</domain:ns>")
        if registrant:
            parts.append(f"<domain:registrant>{registrant}</domain:registrant>")
        parts += [f'<domain:contact type="{t}">{c}</domain:contact>' for t, c in contacts]
        parts.append(f"<domain:authInfo><domain:pw>{pw}</domain:pw></domain:authInfo>")
        return self.command(f"<create><domain:create>{''.join(parts)}</domain:create></create>",
                            extension)

    def domain_delete(self, name: str, extension: str = "") -> Reply:
        return self.command(f"<delete><domain:delete><domain:name>{name}</domain:name>"
                            "</domain:delete></delete>", extension)

    def domain_renew(self, name: str, cur_exp: str, years: int = 1, extension: str = "") -> Reply:
        return self.command(
            f"<renew><domain:renew><domain:name>{name}</domain:name><domain:curExpDate>{cur_exp}"
            f'</domain:curExpDate><domain:period unit="y">{years}</domain:period>'
            "</domain:renew></renew>", extension)

    def domain_transfer(self, op: str, name: str, pw: str | None = None,
                        extension: str = "") -> Reply:
        auth = f"<domain:authInfo><domain:pw>{pw}</domain:pw></domain:authInfo>" if pw else ""
        return self.command(f'<transfer op="{op}"><domain:transfer><domain:name>{name}'
                            f"</domain:name>{auth}</domain:transfer></transfer>", extension)

    def domain_update(self, name: str, inner: str = "", extension: str = "") -> Reply:
        return self.command(f"<update><domain:update><domain:name>{name}</domain:name>{inner}"
                            "</domain:update></update>", extension)

    def poll(self) -> Reply:
        return self.command('<poll op="req"/>')

    def ack(self, msg_id: str) -> Reply:
        return self.command(f'<poll op="ack" msgID="{msg_id}"/>')

    def drain_poll(self) -> list[Reply]:
        replies: list[Reply] = []
        while True:
            reply = self.poll()
            if reply.code != 1301:
                assert reply.code == 1300, reply
                return replies
            replies.append(reply)
            self.ack(reply.text("//e:msgQ/@id"))

    def contact_create(self, handle: str, name: str = "Camille Martin", pw: str = "c-secret",
                       disclose: str = "") -> Reply:
        """A contact with loc postal info, voice and email; `disclose` is the XML after the
        authInfo, e.g. '<contact:disclose flag="0"><contact:voice/></contact:disclose>'."""
        return self.command(
            f"<create><contact:create><contact:id>{handle}</contact:id>"
            f'<contact:postalInfo type="loc"><contact:name>{name}</contact:name>'
            "<contact:org>Coopérative Exemple</contact:org><contact:addr>"
            "<contact:street>1 rue de la Paix</contact:street><contact:city>Paris</contact:city>"
            "<contact:pc>75001</contact:pc><contact:cc>FR</contact:cc></contact:addr>"
            "</contact:postalInfo><contact:voice>+33.123456789</contact:voice>"
            "<contact:email>camille@example.org</contact:email>"
            f"<contact:authInfo><contact:pw>{pw}</contact:pw></contact:authInfo>{disclose}"
            "</contact:create></create>")

    def contact_info(self, handle: str, pw: str | None = None) -> Reply:
        auth = f"<contact:authInfo><contact:pw>{pw}</contact:pw></contact:authInfo>" if pw \
            else ""
        return self.command(f"<info><contact:info><contact:id>{handle}</contact:id>{auth}"
                            "</contact:info></info>")

    def host_create(self, name: str, *addrs: str) -> Reply:
        parts = "".join(f'<host:addr ip="{"v6" if ":" in a else "v4"}">{a}</host:addr>'
                        for a in addrs)
        return self.command(f"<create><host:create><host:name>{name}</host:name>{parts}"
                            "</host:create></create>")
