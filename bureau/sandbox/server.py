"""The asyncio EPP server over TLS (RFC 5734): greeting, then one frame in, one frame out.

Client certificates are required and checked against the sandbox CA; the certificate's common
name must be the clID that logs in. Commands run one at a time on the event loop (SQLite has a
single connection), which keeps every command a transaction and is fast enough for a sandbox.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import ssl
import time
from pathlib import Path

from bureau.sandbox.faults import Fault
from bureau.sandbox.framing import BadFrameLength, FrameTooLarge, encode_frame, read_frame
from bureau.sandbox.registry import Registry
from bureau.sandbox.responses import Result, greeting
from bureau.sandbox.session import Command, Session

log = logging.getLogger(__name__)
FAULT_KINDS = ("drop_before", "drop_after", "delay", "fail")
_NO_KINDS: frozenset[str] = frozenset()


def tls_context(ca_file: Path, cert: Path, key: Path) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(cert, key)
    context.load_verify_locations(ca_file)
    context.verify_mode = ssl.CERT_REQUIRED
    return context


def _peer_cn(writer: asyncio.StreamWriter) -> str | None:
    cert = writer.get_extra_info("peercert") or {}
    for rdn in cert.get("subject", ()):
        for key, value in rdn:
            if key == "commonName":
                return str(value)
    return None


class EppServer:
    """Serve `registry` on host:port (port 0: a free one, read `port` after `start`)."""

    def __init__(self, registry: Registry, context: ssl.SSLContext, host: str = "127.0.0.1",
                 port: int = 0, tick_seconds: float = 1.0) -> None:
        self.registry = registry
        self.context = context
        self.host = host
        self.port = port
        self.tick_seconds = tick_seconds
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._ticker: asyncio.Task[None] | None = None
        self._watchdog: asyncio.Task[None] | None = None
        # Last activity per connection: one watchdog closes idle ones, cheaper than a
        # wait_for (a task and a timer) around every read.
        self._activity: dict[asyncio.StreamWriter, float] = {}

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, self.host, self.port,
                                                  ssl=self.context)
        self.port = self._server.sockets[0].getsockname()[1]
        self._ticker = asyncio.create_task(self._tick())
        self._watchdog = asyncio.create_task(self._close_idle())

    async def stop(self) -> None:
        for task in (self._ticker, self._watchdog):
            if task:
                task.cancel()
        if self._server:
            self._server.close()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._server:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 2)

    async def _tick(self) -> None:
        """Time-driven events also happen when nobody sends a command."""
        while True:
            await asyncio.sleep(self.tick_seconds)
            try:
                self.registry.tick()
            except Exception:
                log.exception("periodic tick failed")

    async def _close_idle(self) -> None:
        timeout = self.registry.config.idle_timeout
        while True:
            await asyncio.sleep(min(1.0, timeout / 3))
            limit = time.monotonic() - timeout
            for writer, last in list(self._activity.items()):
                if last < limit:
                    writer.close()  # the pending read ends; the session cleans up

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        session = Session(self.registry, _peer_cn(writer))
        self._activity[writer] = time.monotonic()
        try:
            await self._converse(session, reader, writer)
        except (ConnectionError, asyncio.IncompleteReadError, ssl.SSLError, TimeoutError):
            pass  # the peer went away or stalled: nothing to answer
        except asyncio.CancelledError:
            pass
        except Exception:
            log.exception("session crashed")
        finally:
            self._activity.pop(writer, None)
            session.closed()
            self._tasks.discard(task)
            writer.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(writer.wait_closed(), 1)

    async def _converse(self, session: Session, reader: asyncio.StreamReader,
                        writer: asyncio.StreamWriter) -> None:
        registry = self.registry
        config = registry.config
        writer.write(encode_frame(greeting(config.name, registry.now())))
        await writer.drain()
        count = 0
        while True:
            try:
                data = await read_frame(reader, config.max_frame_bytes)
            except FrameTooLarge as exc:
                writer.write(encode_frame(session.render(Result(2500, f"Command failed: {exc};"
                                                                " closing connection"), None)))
                await writer.drain()
                return
            except BadFrameLength:
                return
            if data is None:
                return
            self._activity[writer] = time.monotonic()
            prepared = session.prepare(data)
            if isinstance(prepared, Result):
                writer.write(encode_frame(session.render(prepared, None)))
                await writer.drain()
                if prepared.close:
                    return
                continue
            if prepared.name == "hello":
                writer.write(encode_frame(greeting(config.name, registry.now())))
                await writer.drain()
                continue
            registry.begin_command()  # one look at other connections' commits
            try:
                faults = self._faults(prepared)
                kinds = {f.kind for f in faults} if faults else _NO_KINDS
                if "drop_before" in kinds:
                    return
                if "fail" in kinds:
                    result = Result(2400, "Command failed (injected fault)")
                else:
                    result = session.execute(prepared)
                if "drop_after" in kinds:
                    return
                delay = sum(f.value for f in faults if f.kind == "delay")
                if delay:
                    registry.end_command()
                    await asyncio.sleep(delay / 1000)
                frame = encode_frame(session.render(result, prepared.cltrid))
                count += 1
                close = result.close or self._close_after(count)
            finally:
                registry.end_command()
            writer.write(frame)
            await writer.drain()
            if close:
                return

    def _faults(self, command: Command) -> list[Fault]:
        if command.name in ("invalid", "not-a-command"):
            return []
        return self.registry.take_faults(command.name, FAULT_KINDS)

    def _close_after(self, count: int) -> bool:
        for fault in self.registry.close_after_faults():
            if count >= fault.value:
                self.registry.fault_fired(fault)
                return True
        return False
