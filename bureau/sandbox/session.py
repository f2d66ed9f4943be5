"""One EPP session: frame checks, login state, and dispatch of commands to their handlers."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from lxml import etree

from bureau.epp import namespaces as ns
from bureau.sandbox import contacts, domains, hosts, loginsec, poll, store
from bureau.sandbox.context import Ctx
from bureau.sandbox.errors import MESSAGES, EppError
from bureau.sandbox.registry import Registry
from bureau.sandbox.responses import Result, render
from bureau.sandbox.xmlio import Element, parse_frame

log = logging.getLogger(__name__)
_EPP = f"{{{ns.EPP}}}"
Handler = Callable[[Ctx, Element, Element], Result]

HANDLERS: dict[str, Handler] = {
    **{f"domain:{verb}": h for verb, h in domains.HANDLERS.items()},
    **{f"host:{verb}": h for verb, h in hosts.HANDLERS.items()},
    **{f"contact:{verb}": h for verb, h in contacts.HANDLERS.items()},
}
KNOWN_NAMESPACES = frozenset({ns.EPP, ns.EPPCOM, ns.LOGIN_SEC, *ns.OBJECTS, *ns.EXTENSIONS})
_PREFIX_OF = {uri: prefix for prefix, uri in ns.PREFIXES.items()}
_VERBS = frozenset(_EPP + v for v in ("check", "info", "create", "delete", "renew",
                                       "transfer", "update"))
_COMMANDS = frozenset(_EPP + v for v in ("check", "create", "delete", "info", "login",
                                          "logout", "poll", "renew", "transfer", "update",
                                          "extension", "clTRID"))
MAX_LOGIN_FAILURES = 3
READ_ONLY = frozenset({"domain:check", "host:check", "contact:check", "host:info",
                       "contact:info", "domain:info"})


@dataclass
class Command:
    """A parsed, schema-valid frame: `name` is 'hello', 'login', 'domain:create', ..."""

    name: str
    root: Element
    cltrid: str | None


def _cltrid(root: Element) -> str | None:
    """The clTRID to echo: its value as the schema reads it (a token of 3 to 64 characters),
    None when there is none or it is invalid (echoing it would make the answer invalid)."""
    node = root.find(f"{_EPP}command/{_EPP}clTRID")
    value = " ".join((node.text or "").split()) if node is not None else ""
    return value if 3 <= len(value) <= 64 else None


class Session:
    def __init__(self, registry: Registry, peer_cn: str | None) -> None:
        self.registry = registry
        self.peer_cn = peer_cn
        self.clid: str | None = None
        self.selected: frozenset[str] = frozenset()  # objURIs and extURIs chosen at login
        self.login_failures = 0

    # -- frame checks --------------------------------------------------------------------
    def prepare(self, data: bytes) -> Command | Result:
        """Parse and validate a frame: a Command to run, or the error Result to send."""
        try:
            root = parse_frame(data, self.registry.parser)
        except EppError as exc:
            return Result.error(exc)
        cltrid = _cltrid(root)
        if not self.registry.schema.validate(root):
            return Command("invalid", root, cltrid)
        child = root[0]
        if child.tag == _EPP + "hello":
            return Command("hello", root, None)
        if child.tag != _EPP + "command":
            return Command("not-a-command", root, None)
        verb = child[0]
        local = etree.QName(verb).localname
        if local in ("login", "logout", "poll"):
            return Command(local, root, cltrid)
        obj = verb[0]
        qname = etree.QName(obj)
        return Command(f"{_PREFIX_OF.get(qname.namespace or '', '?')}:{qname.localname}",
                       root, cltrid)

    def _schema_error(self, root: Element) -> EppError:
        """Name the first problem; unknown commands are 2000, a protocol version other than
        1.0 is 2100, unknown extensions 2103, wrong values 2005."""
        if len(root) == 0 or root[0].tag not in (_EPP + "hello", _EPP + "command"):
            return EppError(2001, "a client may only send <hello> or <command>")
        verb = root[0][0] if root[0].tag == _EPP + "command" and len(root[0]) else None
        if verb is not None and isinstance(verb.tag, str) and verb.tag not in _COMMANDS:
            return EppError(2000, f"<{etree.QName(verb).localname}> is not an EPP command")
        version = root.findtext(f"{_EPP}command/{_EPP}login/{_EPP}options/{_EPP}version")
        if version is not None and version.strip() != "1.0":
            return EppError(2100, f"EPP version {version.strip()!r} is not offered; use 1.0")
        for node in root.iter():
            if not isinstance(node.tag, str):
                continue
            uri = etree.QName(node).namespace or ""
            if uri not in KNOWN_NAMESPACES:
                parent = node.getparent()
                if parent is not None and parent.tag == _EPP + "extension":
                    return EppError(2103, f"extension {uri} is not implemented here")
                if parent is not None and parent.tag in _VERBS:
                    return EppError(2307, f"object service {uri} is not implemented here")
                return EppError(2001, f"namespace {uri!r} is unknown here ({node.tag})")
        error: Any = self.registry.schema.error_log.last_error  # type: ignore[attr-defined]
        message = f"line {error.line}: {error.message}"
        if "Missing child element" in error.message:
            return EppError(2003, message)
        if "facet" in error.message or "is not a valid value" in error.message:
            return EppError(2005, message)
        return EppError(2001, message)

    # -- execution -----------------------------------------------------------------------
    def execute(self, command: Command) -> Result:
        try:
            if command.name == "invalid":
                raise self._schema_error(command.root)
            if command.name == "not-a-command":
                raise EppError(2001, "a client may only send <hello> or <command>")
            if command.name == "login":
                return self._login(command)
            if self.clid is None:
                raise EppError(2002, "log in first")
            if command.name == "logout":
                self._end()
                return Result(1500, close=True)
            return self._run(command)
        except EppError as exc:
            return Result.error(exc)
        except Exception:
            incident = uuid.uuid4().hex[:12]
            log.exception("incident %s while running %s", incident, command.name)
            return Result(2400, f"Command failed: internal error, incident {incident}")

    def _run(self, command: Command) -> Result:
        assert self.clid is not None
        registry = self.registry
        now = registry.tick()
        cmd = command.root[0]
        verb = cmd[0]
        extensions = {}
        ext = cmd.find(_EPP + "extension")
        if ext is not None:
            extensions = {etree.QName(e).namespace or "": e for e in ext}
        self._verify_selected(verb, extensions)
        ctx = Ctx(registry.conn, registry.config, now, self.clid, registry.svtrid(),
                  command.cltrid, extensions, self.selected)
        if command.name == "poll":
            with store.transaction(registry.conn):
                return poll.handle(ctx, verb.get("op", ""), verb.get("msgID"))
        handler = HANDLERS.get(command.name)
        if handler is None:
            raise EppError(2101, f"{command.name} is not implemented")
        if command.name in READ_ONLY:  # no transaction needed: one consistent SELECT each
            return handler(ctx, verb[0], verb)
        try:
            with store.transaction(registry.conn):
                return handler(ctx, verb[0], verb)
        finally:
            registry.events_changed()

    def _verify_selected(self, verb: Element, extensions: dict[str, Element]) -> None:
        """A session uses only the services its client chose at login (RFC 5730 2.9.1.1).

        Services this server lacks never get here (schema check: 2307, 2103). For one it offers
        but the client left out, 2002 "Command use error" fits: the command is valid, only this
        session's context forbids it; 2307 and 2103 would wrongly say the server lacks it."""
        if verb.tag in _VERBS:
            obj_uri = etree.QName(verb[0]).namespace
            if obj_uri not in self.selected:
                raise EppError(2002, f"object service {obj_uri} was not selected at login")
        for uri in extensions:
            if uri not in self.selected:
                raise EppError(2002, f"extension {uri} was not selected at login")

    def _login(self, command: Command) -> Result:
        if self.clid is not None:
            raise EppError(2002, f"already logged in as {self.clid}")
        login = command.root[0][0]
        clid = login.findtext(_EPP + "clID") or ""
        svcs = login.find(_EPP + "svcs")
        assert svcs is not None
        objects = [u.text or "" for u in svcs.iterfind(_EPP + "objURI")]
        extensions = [u.text or "" for u in svcs.iterfind(f"{_EPP}svcExtension/{_EPP}extURI")]
        given = loginsec.credentials(login, extensions)
        conn = self.registry.conn
        row = conn.execute("SELECT pw, pw_changed FROM registrars WHERE id = ?",
                           (clid,)).fetchone()
        if row is None or row["pw"] != given.password:
            self.login_failures += 1
            if self.login_failures >= MAX_LOGIN_FAILURES:
                raise EppError(2501, "too many failed logins")
            raise EppError(2200, "unknown clID or wrong password")
        if self.peer_cn != clid:
            raise EppError(2200, f"the client certificate is issued to {self.peer_cn!r},"
                                 f" not to {clid!r}")
        lang = login.findtext(f"{_EPP}options/{_EPP}lang")
        if lang != "en":
            raise EppError(2102, f"language {lang!r} is not offered; use en")
        for uri_text in objects:
            if uri_text not in ns.OBJECTS:
                raise EppError(2307, f"object service {uri_text} is not offered")
        for uri_text in extensions:
            if uri_text not in ns.EXTENSIONS:
                raise EppError(2103, f"extension {uri_text} is not offered")
        if self.registry.sessions[clid] >= self.registry.config.session_limit:
            raise EppError(2502, f"{clid} already has "
                                 f"{self.registry.config.session_limit} sessions open")
        now = self.registry.now()
        events, expired = loginsec.password_events(self.registry.config,
                                                   row["pw_changed"] or now, now)
        extension = [loginsec.data(events)] if events and ns.LOGIN_SEC in extensions else []
        if expired and not given.new_password:
            return Result(2200, f"{MESSAGES[2200]}: the password of {clid} expired; log in"
                                " with a new one (newPW)", extension=extension)
        with store.transaction(conn):
            if given.new_password:
                conn.execute("UPDATE registrars SET pw = ?, pw_changed = ? WHERE id = ?",
                             (given.new_password, now, clid))
                extension = []  # the new password has a fresh lifetime
            elif row["pw_changed"] is None:
                conn.execute("UPDATE registrars SET pw_changed = ? WHERE id = ?", (now, clid))
            if given.user_agent is not None:
                conn.execute("UPDATE registrars SET user_agent = ? WHERE id = ?",
                             (given.user_agent, clid))
        self.clid = clid
        self.selected = frozenset(objects + extensions)
        self.registry.sessions[clid] += 1
        return Result(1000, extension=extension)

    def _end(self) -> None:
        if self.clid is not None:
            self.registry.sessions[self.clid] -= 1
            self.clid = None

    def closed(self) -> None:
        self._end()

    def render(self, result: Result, cltrid: str | None) -> bytes:
        frame = render(result, cltrid, result.svtrid or self.registry.svtrid())
        if self.registry.validate_responses and not self.registry.schema.validate(
                etree.fromstring(frame)):
            error: Any = self.registry.schema.error_log.last_error  # type: ignore[attr-defined]
            log.error("invalid response %s: %s", frame, error.message)
            self.registry.invalid_responses.append(
                f"line {error.line}: {error.message}\n{frame.decode(errors='replace')}")
            frame = render(Result(2400, f"Command failed: the sandbox built an invalid "
                                        f"response (line {error.line}: {error.message})"),
                           cltrid, self.registry.svtrid())
        return frame
