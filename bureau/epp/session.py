"""One logged-in EPP session: greeting, login, commands, keep-alive, reconnection.

The rule that matters: a command whose bytes went out and whose answer did not come back
raises OutcomeUnknown and is never sent again by this code. Only commands that certainly did
not leave (connection found dead before sending) are sent on a new connection.
"""

from __future__ import annotations

import logging
import ssl
import threading
import time
from collections.abc import Callable
from types import TracebackType

from bureau.epp.base import Command
from bureau.epp.config import ClientConfig
from bureau.epp.core import Greeting, Hello, Login, Logout, parse_greeting
from bureau.epp.errors import (
    CommandFailed,
    EPPConnectionError,
    EPPError,
    ExtensionNotLoggedIn,
    FrameError,
    OutcomeUnknown,
    ResponseUnreadable,
)
from bureau.epp.extensions.loginsec import LoginEvent, LoginSecData, UserAgent
from bureau.epp.namespaces import LOGIN_SEC
from bureau.epp.response import Response, parse_response
from bureau.epp.transport import Transport, client_context
from bureau.epp.trid import TransactionIds
from bureau.epp.xmlutil import parse_xml

log = logging.getLogger(__name__)

# Result codes after which the server ends the session (RFC 5730 §3).
CLOSING_CODES = frozenset({2500, 2501, 2502})
TransportFactory = Callable[[ClientConfig], Transport]
_SESSION_COMMANDS = (Hello, Login, Logout)


class NotSent(EPPConnectionError):
    """Writing the frame failed: the server got at most a partial frame, which it ignores."""


def tls_transport(config: ClientConfig) -> Transport:
    context = client_context(config.cafile, config.certfile, config.keyfile)
    return Transport.connect(
        config.host,
        config.port,
        context,
        server_hostname=config.server_hostname,
        timeout=config.timeout,
        max_frame=config.max_frame,
    )


class Session:
    """A thread-safe EPP session (one command at a time). Use `with Session(cfg) as s:`."""

    def __init__(
        self,
        config: ClientConfig,
        transport_factory: TransportFactory = tls_transport,
        trids: TransactionIds | None = None,
    ) -> None:
        self.config = config
        self._factory = transport_factory
        self._trids = trids or TransactionIds(config.cltrid_prefix)
        self._next_trid: str | None = None
        self._transport: Transport | None = None
        self._lock = threading.RLock()
        self._password = config.password
        self._new_password = config.new_password
        self._last_used = 0.0
        self.greeting: Greeting | None = None
        self.obj_uris: tuple[str, ...] = ()
        self.ext_uris: tuple[str, ...] = ()
        self.logins = 0  # how many times this session logged in (reconnections show here)
        # Security events of the last login (RFC 8807), e.g. a password expiry warning.
        self.login_events: tuple[LoginEvent, ...] = ()
        self._untaken_events: list[LoginEvent] = []  # see take_login_events

    # ---- connection -------------------------------------------------------------------

    @property
    def connected(self) -> bool:
        return self._transport is not None

    def connect(self) -> Greeting:
        """Connect, read the greeting and log in. Raises EPPConnectionError."""
        with self._lock:
            self._drop()
            transport = self._factory(self.config)
            try:
                greeting = parse_greeting(parse_xml(transport.receive()))
            except (OSError, ssl.SSLError, FrameError) as exc:
                transport.close()
                raise EPPConnectionError(f"no valid greeting from the server: {exc}") from exc
            self._transport = transport
            self.greeting = greeting
            try:
                self._login(greeting)
            except BaseException:
                self._drop()
                raise
            return greeting

    def _login(self, greeting: Greeting) -> None:
        objs = tuple(u for u in self.config.obj_uris if u in greeting.obj_uris)
        exts = tuple(u for u in self.config.ext_uris if u in greeting.ext_uris)
        if not objs:
            raise EPPConnectionError(
                f"the server offers none of the objects this client speaks "
                f"(server: {', '.join(greeting.obj_uris)})"
            )
        secure = LOGIN_SEC in exts
        try:
            login = Login(
                client_id=self.config.client_id,
                password=self._password,
                new_password=self._new_password,
                obj_uris=objs,
                ext_uris=exts,
                language=self.config.language,
                login_security=secure,
                user_agent=(self.config.user_agent or UserAgent.default()) if secure else None,
            )
        except ValueError as exc:
            raise EPPConnectionError(f"cannot log in as {self.config.client_id}: {exc}") from exc
        try:
            response = self._roundtrip(login)
        except CommandFailed as exc:
            events = self._login_events(exc.response)
            detail = "".join(f"; {event}" for event in events)
            raise EPPConnectionError(
                f"login as {self.config.client_id} refused: {exc}{detail}", code=exc.code,
                events=events,
            ) from exc
        except OutcomeUnknown as exc:
            raise EPPConnectionError(f"login got no answer: {exc}") from exc
        self.login_events = self._login_events(response)
        self._untaken_events.extend(self.login_events)
        if self._new_password is not None:
            # The password changed: later reconnections must use the new one, once.
            self._password, self._new_password = self._new_password, None
        self.obj_uris, self.ext_uris = objs, exts
        self.logins += 1

    def take_login_events(self) -> list[LoginEvent]:
        """The events of the logins made since the last call (a pooled session logs in
        again after a reconnection): each is handed over once, for the caller to record."""
        events, self._untaken_events = self._untaken_events, []
        return events

    def _login_events(self, response: Response) -> tuple[LoginEvent, ...]:
        """The RFC 8807 events of a login answer, each logged (a password about to expire
        must reach whoever can change it)."""
        data: LoginSecData | None = response.extension(LoginSecData)
        events = data.events if data is not None else ()
        for event in events:
            log.warning("EPP login as %s at %s: %s", self.config.client_id, self.config.host,
                        event)
        return events

    def _drop(self) -> None:
        if self._transport is not None:
            self._transport.close()
            self._transport = None

    def _ready(self) -> Transport:
        """A live, logged-in transport; reconnects when the old one is known to be dead."""
        transport = self._transport
        if transport is not None and transport.closed_by_peer():
            log.info("EPP connection to %s closed by the server, reconnecting", self.config.host)
            self._drop()
            transport = None
        if transport is not None and time.monotonic() - self._last_used >= self.config.keepalive:
            try:
                self._hello(transport)
            except EPPError:
                self._drop()
                transport = None
        if transport is None:
            self.connect()
            assert self._transport is not None
            transport = self._transport
        return transport

    # ---- commands ---------------------------------------------------------------------

    def _hello(self, transport: Transport) -> Greeting:
        try:
            transport.send(Hello().to_xml())
            greeting = parse_greeting(parse_xml(transport.receive()))
        except (OSError, ssl.SSLError, FrameError) as exc:
            self._drop()
            raise EPPConnectionError(f"hello failed: {exc}") from exc
        self._last_used = time.monotonic()
        return greeting

    def hello(self) -> Greeting:
        """Send a hello (keep-alive, or to read a fresh greeting)."""
        with self._lock:
            return self._hello(self._ready())

    def keepalive(self) -> None:
        """Send a hello if the session was idle for `config.keepalive` seconds."""
        with self._lock:
            if self._transport is not None and (
                time.monotonic() - self._last_used >= self.config.keepalive
            ):
                try:
                    self._hello(self._transport)
                except EPPConnectionError:
                    log.info("keep-alive failed; the next command will reconnect")

    def _roundtrip(self, command: Command) -> Response:
        transport = self._transport
        assert transport is not None
        cltrid, self._next_trid = self._next_trid or self._trids.next(), None
        frame = command.to_xml(cltrid)
        debug = log.isEnabledFor(logging.DEBUG)
        if debug:
            log.debug("EPP %s %s -> %s", type(command).__name__, cltrid, self.config.host)
        try:
            transport.send(frame)
        except (OSError, ssl.SSLError) as exc:
            # sendall failed: the frame did not fully leave, and a partial frame is never
            # executed, so the command can safely go again on a new connection.
            self._drop()
            raise NotSent(f"sending {cltrid} failed, command not sent: {exc}") from exc
        # Done while the server works: the session counts as used from the moment the command
        # went out, and the next clTRID is ready before the next command comes.
        self._last_used = time.monotonic()
        self._next_trid = self._trids.next()
        try:
            data = transport.receive()
        except TimeoutError as exc:
            self._drop()
            raise OutcomeUnknown(
                f"no answer to {type(command).__name__} {cltrid} within {self.config.timeout}s",
                cltrid,
            ) from exc
        except (OSError, ssl.SSLError, FrameError) as exc:
            self._drop()
            raise OutcomeUnknown(
                f"connection lost waiting for the answer to {type(command).__name__} {cltrid}: "
                f"{exc}",
                cltrid,
            ) from exc
        try:
            response = parse_response(data)
        except FrameError as exc:
            self._drop()
            raise ResponseUnreadable(f"answer to {cltrid} unreadable: {exc}", cltrid) from exc
        if response.cltrid is not None and response.cltrid != cltrid:
            self._drop()
            raise OutcomeUnknown(
                f"answer carries clTRID {response.cltrid}, expected {cltrid}", cltrid
            )
        code = response.results[0].code
        if debug:
            log.debug("EPP %s %s <- %d %s", cltrid, response.svtrid, code, response.message)
        if code in CLOSING_CODES:
            self._drop()
        if code >= 2000:
            raise CommandFailed(response)
        return response

    def execute(self, command: Command) -> Response:
        """Send a command and return its response; raises CommandFailed for codes >= 2000."""
        if isinstance(command, _SESSION_COMMANDS):
            raise TypeError(
                f"{type(command).__name__} is handled by the session: use hello(), connect() "
                "or close()"
            )
        needed = command.namespaces()
        with self._lock:
            for attempt in (1, 2):
                self._ready()
                if needed and not needed.issubset(self.ext_uris):
                    missing = needed.difference(self.ext_uris)
                    raise ExtensionNotLoggedIn(
                        f"{type(command).__name__} uses {', '.join(sorted(missing))}, which the "
                        f"server did not announce or this client does not enable"
                    )
                try:
                    return self._roundtrip(command)
                except NotSent:
                    if attempt == 2:
                        raise
                    log.info("EPP send failed before the frame left; reconnecting once")
            raise AssertionError("unreachable")

    def close(self) -> None:
        """Log out (best effort) and close the connection."""
        with self._lock:
            if self._transport is None:
                return
            try:
                self._roundtrip(Logout())
            except EPPError as exc:
                log.debug("logout failed: %s", exc)
            finally:
                self._drop()

    def __enter__(self) -> Session:
        if self._transport is None:
            self.connect()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
