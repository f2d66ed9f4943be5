"""RFC 5730 session-level frames: greeting, hello, login, logout, poll."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

from bureau.epp.base import Command
from bureau.epp.errors import FrameError
from bureau.epp.namespaces import EPP
from bureau.epp.xmlutil import (
    Element,
    child,
    epp_root,
    localname,
    need,
    parse_datetime,
    req_text,
    serialize,
    sub,
    texts,
)

EPP_VERSION = "1.0"


@dataclass(frozen=True, kw_only=True)
class Hello(Command):
    """<hello/>: answered by a greeting; used as keep-alive. It carries no clTRID."""

    def build(self, command: Element) -> None:  # pragma: no cover - to_xml overridden
        raise NotImplementedError

    def to_xml(self, cltrid: str | None = None) -> bytes:
        root = epp_root()
        sub(root, EPP, "hello")
        return serialize(root)


def _check_password(password: str, what: str) -> None:
    if not 6 <= len(password) <= 16:
        raise ValueError(f"{what} has {len(password)} characters: EPP allows 6 to 16")


@dataclass(frozen=True, kw_only=True)
class Login(Command):
    client_id: str
    password: str
    obj_uris: Sequence[str]
    ext_uris: Sequence[str] = ()
    new_password: str | None = None
    language: str = "en"
    version: str = EPP_VERSION
    verb: ClassVar[str] = "login"

    def __post_init__(self) -> None:
        _check_password(self.password, "password")
        if self.new_password is not None:
            _check_password(self.new_password, "new password")
        if not self.obj_uris:
            raise ValueError("login needs at least one object URI (e.g. the domain mapping)")

    def build(self, command: Element) -> None:
        login = sub(command, EPP, "login")
        sub(login, EPP, "clID", self.client_id)
        sub(login, EPP, "pw", self.password)
        if self.new_password is not None:
            sub(login, EPP, "newPW", self.new_password)
        options = sub(login, EPP, "options")
        sub(options, EPP, "version", self.version)
        sub(options, EPP, "lang", self.language)
        svcs = sub(login, EPP, "svcs")
        for uri in self.obj_uris:
            sub(svcs, EPP, "objURI", uri)
        if self.ext_uris:
            ext = sub(svcs, EPP, "svcExtension")
            for uri in self.ext_uris:
                sub(ext, EPP, "extURI", uri)

    def __repr__(self) -> str:  # never print passwords in logs
        return f"Login(client_id={self.client_id!r}, obj_uris={list(self.obj_uris)!r})"


@dataclass(frozen=True, kw_only=True)
class Logout(Command):
    verb: ClassVar[str] = "logout"

    def build(self, command: Element) -> None:
        sub(command, EPP, "logout")


@dataclass(frozen=True, kw_only=True)
class PollRequest(Command):
    """Ask for the oldest message of the queue (answered with 1301, or 1300 when empty)."""

    verb: ClassVar[str] = "poll"

    def build(self, command: Element) -> None:
        sub(command, EPP, "poll", op="req")


@dataclass(frozen=True)
class PollAck(Command):
    """Remove a message from the queue once processed."""

    msg_id: str
    verb: ClassVar[str] = "poll"

    def build(self, command: Element) -> None:
        sub(command, EPP, "poll", op="ack", msgID=self.msg_id)


@dataclass(frozen=True)
class Greeting:
    server_id: str
    server_date: datetime
    versions: tuple[str, ...]
    languages: tuple[str, ...]
    obj_uris: tuple[str, ...]
    ext_uris: tuple[str, ...]
    dcp_access: str | None = None


def parse_greeting(root: Element) -> Greeting:
    greeting = need(root, EPP, "greeting")
    menu = need(greeting, EPP, "svcMenu")
    ext = child(menu, EPP, "svcExtension")
    dcp = child(greeting, EPP, "dcp")
    access = child(dcp, EPP, "access") if dcp is not None else None
    if access is not None and len(access):
        dcp_access: str | None = localname(access[0])
    else:
        dcp_access = None
    versions = texts(menu, EPP, "version")
    if EPP_VERSION not in versions:
        raise FrameError(f"server speaks EPP {', '.join(versions)}, not {EPP_VERSION}")
    return Greeting(
        server_id=req_text(greeting, EPP, "svID"),
        server_date=parse_datetime(req_text(greeting, EPP, "svDate")),
        versions=versions,
        languages=texts(menu, EPP, "lang"),
        obj_uris=texts(menu, EPP, "objURI"),
        ext_uris=texts(ext, EPP, "extURI") if ext is not None else (),
        dcp_access=dcp_access,
    )
