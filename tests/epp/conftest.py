"""Fixtures for bureau.epp tests: the official schemas, a throwaway CA, and a tiny
EPP server over real TLS whose behaviour each test can script."""

from __future__ import annotations

import contextlib
import datetime as dt
import ipaddress
import socket
import ssl
import struct
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from lxml import etree

from bureau.epp import ClientConfig, namespaces
from bureau.epp.schema import validate

EPP_NS = namespaces.EPP


def schema_validate(frame: bytes) -> None:
    """Validate against the official IETF schemas the package ships (checked by digest in
    test_epp_frames)."""
    validate(frame)


# ---- certificates ------------------------------------------------------------------------


@dataclass
class PKI:
    ca: Path
    server_cert: Path
    server_key: Path
    client_cert: Path
    client_key: Path


def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def _write_key(key: ec.EllipticCurvePrivateKey, path: Path) -> None:
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )


def _issue(
    ca_key: ec.EllipticCurvePrivateKey, ca_name: x509.Name, cn: str, server: bool
) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    key = ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime.now(dt.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(cn))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
    )
    if server:
        builder = builder.add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
    return builder.sign(ca_key, hashes.SHA256()), key


@pytest.fixture(scope="session")
def pki(tmp_path_factory: pytest.TempPathFactory) -> PKI:
    folder = tmp_path_factory.mktemp("pki")
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = _name("Bureau test CA")
    now = dt.datetime.now(dt.UTC)
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    paths = PKI(*(folder / n for n in ("ca.pem", "srv.pem", "srv.key", "cli.pem", "cli.key")))
    paths.ca.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    for cert_path, key_path, cn, server in (
        (paths.server_cert, paths.server_key, "localhost", True),
        (paths.client_cert, paths.client_key, "registrar-client", False),
    ):
        cert, key = _issue(ca_key, ca_name, cn, server)
        cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        _write_key(key, key_path)
    return paths


# ---- a tiny EPP server -------------------------------------------------------------------

ALL_OBJECTS = list(namespaces.OBJECTS)
ALL_EXTENSIONS = [*namespaces.EXTENSIONS, "urn:example:registry-only-1.0"]


def greeting_xml(objs: list[str], exts: list[str]) -> bytes:
    obj_xml = "".join(f"<objURI>{u}</objURI>" for u in objs)
    ext_xml = "".join(f"<extURI>{u}</extURI>" for u in exts)
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><epp xmlns="{EPP_NS}"><greeting>'
        "<svID>Test Registry</svID><svDate>2026-11-25T12:00:00.0Z</svDate>"
        f"<svcMenu><version>1.0</version><lang>en</lang><lang>fr</lang>{obj_xml}"
        f"<svcExtension>{ext_xml}</svcExtension></svcMenu>"
        "<dcp><access><all/></access><statement><purpose><admin/><prov/></purpose>"
        "<recipient><ours/><public/></recipient><retention><stated/></retention></statement>"
        "</dcp></greeting></epp>"
    ).encode()


def response_xml(code: int, msg: str, cltrid: str | None, body: str = "") -> bytes:
    cl = f"<clTRID>{cltrid}</clTRID>" if cltrid else ""
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><epp xmlns="{EPP_NS}"><response>'
        f'<result code="{code}"><msg>{msg}</msg></result>{body}'
        f"<trID>{cl}<svTRID>SV-{time.monotonic_ns()}</svTRID></trID></response></epp>"
    ).encode()


def check_body(names: list[str]) -> str:
    cds = "".join(f'<domain:cd><domain:name avail="1">{n}</domain:name></domain:cd>' for n in names)
    return (
        f'<resData><domain:chkData xmlns:domain="{namespaces.DOMAIN}">{cds}'
        "</domain:chkData></resData>"
    )


Handler = Callable[[etree._Element, str | None], bytes | None]


@dataclass
class FakeRegistry:
    """EPP over TLS on 127.0.0.1, one thread per connection. Switches let tests break it."""

    pki: PKI
    objs: list[str] = field(default_factory=lambda: list(ALL_OBJECTS))
    exts: list[str] = field(default_factory=lambda: list(ALL_EXTENSIONS))
    password: str = "s3cret-pw"
    delay: float = 0.0  # seconds before answering a command
    drop_next: int = 0  # close the connection after reading the next N commands, unanswered
    close_idle_after: float | None = None  # close connections idle this long
    handler: Handler | None = None
    port: int = 0
    logins: list[dict[str, object]] = field(default_factory=list)
    frames: list[bytes] = field(default_factory=list)
    executed: list[str] = field(default_factory=list)  # command verbs actually processed
    hellos: int = 0
    active: int = 0
    max_active: int = 0
    connections: int = 0

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._conns: list[ssl.SSLSocket] = []
        self._stop = threading.Event()
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.minimum_version = ssl.TLSVersion.TLSv1_2
        ctx.load_cert_chain(self.pki.server_cert, self.pki.server_key)
        ctx.load_verify_locations(self.pki.ca)
        ctx.verify_mode = ssl.CERT_REQUIRED  # registries demand a client certificate
        self._ctx = ctx
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.2)
        self.port = self._listener.getsockname()[1]
        threading.Thread(target=self._accept_loop, daemon=True).start()

    def config(self, **overrides: object) -> ClientConfig:
        values: dict[str, object] = dict(
            host="127.0.0.1",
            port=self.port,
            client_id="bureau",
            password=self.password,
            cafile=str(self.pki.ca),
            certfile=str(self.pki.client_cert),
            keyfile=str(self.pki.client_key),
            server_hostname="localhost",
            timeout=5.0,
        )
        values.update(overrides)
        return ClientConfig(**values)  # type: ignore[arg-type]

    # -- plumbing --

    def _accept_loop(self) -> None:
        while not self._stop.is_set():
            try:
                raw, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=self._serve, args=(raw,), daemon=True).start()

    @staticmethod
    def _read(sock: ssl.SSLSocket, n: int) -> bytes:
        data = b""
        while len(data) < n:
            chunk = sock.recv(n - len(data))
            if not chunk:
                raise ConnectionError("client closed")
            data += chunk
        return data

    @staticmethod
    def _send(sock: ssl.SSLSocket, frame: bytes) -> None:
        sock.sendall(struct.pack(">I", len(frame) + 4) + frame)

    def _serve(self, raw: socket.socket) -> None:
        try:
            sock = self._ctx.wrap_socket(raw, server_side=True)
        except (ssl.SSLError, OSError):
            raw.close()
            return
        with self._lock:
            self._conns.append(sock)
            self.connections += 1
            self.active += 1
            self.max_active = max(self.max_active, self.active)
        try:
            self._send(sock, greeting_xml(self.objs, self.exts))
            sock.settimeout(self.close_idle_after)
            while True:
                try:
                    (size,) = struct.unpack(">I", self._read(sock, 4))
                except TimeoutError:
                    return  # idle too long: close, as registries do
                frame = self._read(sock, size - 4)
                self.frames.append(frame)
                answer = self._answer(frame)
                if answer is None:
                    return
                if self.delay:
                    time.sleep(self.delay)
                self._send(sock, answer)
                if b"<logout" in frame:
                    return
        except (ConnectionError, OSError, ssl.SSLError):
            return
        finally:
            with self._lock:
                self.active -= 1
            sock.close()

    def _answer(self, frame: bytes) -> bytes | None:
        root = etree.fromstring(frame)
        if root.find(f"{{{EPP_NS}}}hello") is not None:
            self.hellos += 1
            return greeting_xml(self.objs, self.exts)
        command = root.find(f"{{{EPP_NS}}}command")
        assert command is not None
        verb = etree.QName(command[0]).localname
        cltrid = command.findtext(f"{{{EPP_NS}}}clTRID")
        with self._lock:
            if self.drop_next and verb != "login":
                self.drop_next -= 1
                self.executed.append(verb)  # executed, but the answer never leaves
                return None
        self.executed.append(verb)
        if verb == "login":
            login = command[0]
            self.logins.append(
                {
                    "pw": login.findtext(f"{{{EPP_NS}}}pw"),
                    "newPW": login.findtext(f"{{{EPP_NS}}}newPW"),
                    "objs": [e.text for e in login.iter(f"{{{EPP_NS}}}objURI")],
                    "exts": [e.text for e in login.iter(f"{{{EPP_NS}}}extURI")],
                }
            )
            if login.findtext(f"{{{EPP_NS}}}pw") != self.password:
                return response_xml(2200, "Authentication error", cltrid)
            new_pw = login.findtext(f"{{{EPP_NS}}}newPW")
            if new_pw:
                self.password = new_pw
            return response_xml(1000, "Command completed successfully", cltrid)
        if verb == "logout":
            return response_xml(1500, "Command completed successfully; ending session", cltrid)
        if self.handler is not None:
            answer = self.handler(command, cltrid)
            if answer is not None:
                return answer
        names = [e.text or "" for e in command.iter(f"{{{namespaces.DOMAIN}}}name")]
        return response_xml(1000, "Command completed successfully", cltrid, check_body(names))

    def kill_connections(self) -> None:
        """Close every open connection from the server side (a registry restart)."""
        with self._lock:
            conns, self._conns = self._conns, []
        for sock in conns:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def stop(self) -> None:
        self._stop.set()
        self._listener.close()
        self.kill_connections()


@pytest.fixture
def registry(pki: PKI) -> Iterator[FakeRegistry]:
    server = FakeRegistry(pki)
    yield server
    server.stop()


# ---- the sandbox registry (bureau.sandbox), for integration tests ------------------------


@pytest.fixture
def sandbox(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    from bureau.epp.transport import Transport
    from bureau.sandbox import testing

    receive = Transport.receive

    def validated(self: Transport) -> bytes:
        """Every frame the sandbox sends must be valid EPP, error answers included."""
        frame = receive(self)
        schema_validate(frame)
        return frame

    monkeypatch.setattr(Transport, "receive", validated)
    with testing.start_sandbox(tmp_path / "sandbox") as running:
        yield running


def sandbox_config(sandbox: object, clid: str = "bureau", **overrides: object) -> ClientConfig:
    account = sandbox.registrars[clid]  # type: ignore[attr-defined]
    values: dict[str, object] = dict(
        host=sandbox.host,  # type: ignore[attr-defined]
        port=sandbox.port,  # type: ignore[attr-defined]
        client_id=account.clid,
        password=account.password,
        cafile=str(sandbox.ca_file),  # type: ignore[attr-defined]
        certfile=str(account.cert_file),
        keyfile=str(account.key_file),
        server_hostname="localhost",
        timeout=10.0,
    )
    values.update(overrides)
    return ClientConfig(**values)  # type: ignore[arg-type]
