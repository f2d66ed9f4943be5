"""RFC 5730 session-level frames: greeting, hello, login, logout, poll."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

from bureau.epp.base import Command, CommandExtension
from bureau.epp.errors import FrameError
from bureau.epp.extensions.loginsec import PLACEHOLDER, LoginSecurity, UserAgent
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


def _check_password(password: str, what: str, login_security: bool) -> None:
    if len(password) < 6:
        raise ValueError(f"{what} has {len(password)} characters: EPP needs at least 6")
    if len(password) > 16 and not login_security:
        raise ValueError(f"{what} has {len(password)} characters: EPP allows 16, more only"
                         " with login security (RFC 8807), which the server must offer")


@dataclass(frozen=True, kw_only=True)
class Login(Command):
    """With `login_security` (the server offers RFC 8807), the user agent goes along and a
    password longer than 16 characters travels in the extension."""

    client_id: str
    password: str
    obj_uris: Sequence[str]
    ext_uris: Sequence[str] = ()
    new_password: str | None = None
    language: str = "en"
    version: str = EPP_VERSION
    login_security: bool = False
    user_agent: UserAgent | None = None
    verb: ClassVar[str] = "login"

    def __post_init__(self) -> None:
        _check_password(self.password, "password", self.login_security)
        if self.new_password is not None:
            _check_password(self.new_password, "new password", self.login_security)
        if not self.obj_uris:
            raise ValueError("login needs at least one object URI (e.g. the domain mapping)")

    def _long(self, password: str | None) -> bool:
        return password is not None and len(password) > 16

    def build(self, command: Element) -> None:
        login = sub(command, EPP, "login")
        sub(login, EPP, "clID", self.client_id)
        sub(login, EPP, "pw", PLACEHOLDER if self._long(self.password) else self.password)
        if self.new_password is not None:
            sub(login, EPP, "newPW",
                PLACEHOLDER if self._long(self.new_password) else self.new_password)
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

    def all_extensions(self) -> list[CommandExtension]:
        extensions = list(self.extensions)
        if self.login_security:
            extensions.insert(0, LoginSecurity(
                user_agent=self.user_agent,
                password=self.password if self._long(self.password) else None,
                new_password=self.new_password if self._long(self.new_password) else None))
        return extensions

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
