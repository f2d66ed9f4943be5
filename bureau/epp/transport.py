"""RFC 5734 transport: EPP frames over TLS, each prefixed with its 4-byte total length."""

from __future__ import annotations

import contextlib
import select
import socket
import ssl
import struct

from bureau.epp.errors import EPPConnectionError, FrameError

HEADER = struct.Struct(">I")
DEFAULT_MAX_FRAME = 16 * 1024 * 1024  # a greeting or a big info is a few kB; 16 MB is plenty


def client_context(
    cafile: str | None, certfile: str | None = None, keyfile: str | None = None
) -> ssl.SSLContext:
    """TLS 1.2+, the server verified against `cafile`, our certificate presented."""
    context = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, cafile=cafile)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    if certfile:
        context.load_cert_chain(certfile, keyfile)
    return context


class Transport:
    """One TLS connection carrying length-prefixed frames. Not thread-safe (a session is)."""

    def __init__(self, sock: ssl.SSLSocket, max_frame: int = DEFAULT_MAX_FRAME) -> None:
        self.sock = sock
        self.max_frame = max_frame
        # A registered poll object: checking for input costs one syscall and no fd lists.
        self._readable = select.poll()
        self._readable.register(sock, select.POLLIN)

    @classmethod
    def connect(
        cls,
        host: str,
        port: int,
        context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float = 30.0,
        max_frame: int = DEFAULT_MAX_FRAME,
    ) -> Transport:
        try:
            raw = socket.create_connection((host, port), timeout=timeout)
        except OSError as exc:
            raise EPPConnectionError(f"cannot connect to {host}:{port}: {exc}") from exc
        try:
            raw.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            sock = context.wrap_socket(raw, server_hostname=server_hostname or host)
        except (OSError, ssl.SSLError) as exc:
            raw.close()
            raise EPPConnectionError(f"TLS handshake with {host}:{port} failed: {exc}") from exc
        return cls(sock, max_frame)

    def settimeout(self, timeout: float | None) -> None:
        self.sock.settimeout(timeout)

    def send(self, frame: bytes) -> None:
        self.sock.sendall(HEADER.pack(len(frame) + HEADER.size) + frame)

    def _read_exact(self, size: int) -> bytes:
        chunks = []
        while size:
            chunk = self.sock.recv(min(size, 1 << 20))
            if not chunk:
                raise ConnectionResetError("connection closed by the server")
            chunks.append(chunk)
            size -= len(chunk)
        return b"".join(chunks)

    def receive(self) -> bytes:
        (total,) = HEADER.unpack(self._read_exact(HEADER.size))
        if total <= HEADER.size:
            raise FrameError(f"frame length {total} is too small to hold a frame")
        if total > self.max_frame:
            raise FrameError(f"frame of {total} bytes exceeds the {self.max_frame} bytes limit")
        return self._read_exact(total - HEADER.size)

    def closed_by_peer(self) -> bool:
        """True when the server has closed (or sent unasked data): do not send on it."""
        if self.sock.fileno() < 0:
            return True
        if self.sock.pending():
            return True
        # Poll first: an idle healthy connection is not readable, and this costs one syscall.
        # Reading only when something arrived keeps the common case off the TLS layer.
        if not self._readable.poll(0):
            return False
        timeout = self.sock.gettimeout()
        try:
            self.sock.settimeout(0.0)
            try:
                data = self.sock.recv(1)
            finally:
                self.sock.settimeout(timeout)
        except (ssl.SSLWantReadError, BlockingIOError):
            return False  # only TLS records (e.g. TLS 1.3 session tickets), no data
        except (OSError, ssl.SSLError):
            return True
        # b"" is a close; any byte is out of protocol, so the connection is unusable either way.
        del data
        return True

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.sock.close()
