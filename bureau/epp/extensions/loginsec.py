"""RFC 8807 login security (loginSec-1.0): passwords longer than 16 characters, the client's
user agent, and the security events a server reports at login (e.g. a password about to
expire)."""

from __future__ import annotations

import platform
from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

from bureau.epp.namespaces import LOGIN_SEC
from bureau.epp.registry import parses
from bureau.epp.xmlutil import Element, children, el, parse_datetime, sub, text

# What <pw> and <newPW> carry when the real password travels in the extension.
PLACEHOLDER = "[LOGIN-SECURITY]"


@dataclass(frozen=True)
class UserAgent:
    """Who is logging in: the application, the technology it runs on, the system."""

    app: str | None = None
    tech: str | None = None
    os: str | None = None

    def __post_init__(self) -> None:
        if not (self.app or self.tech or self.os):
            raise ValueError("a user agent names at least its app, tech or os")

    @classmethod
    def default(cls) -> UserAgent:
        return cls(app="Bureau", tech=f"Python {platform.python_version()}",
                   os=f"{platform.system()} {platform.release()}".strip() or None)

    def add_to(self, parent: Element) -> None:
        node = sub(parent, LOGIN_SEC, "userAgent")
        # The schema allows (app, tech?, os?), (tech, os?) or os: the order below fits all.
        for tag, value in (("app", self.app), ("tech", self.tech), ("os", self.os)):
            if value:
                sub(node, LOGIN_SEC, tag, value)


@dataclass(frozen=True)
class LoginSecurity:
    """The <loginSec:loginSec> element of a login (see `Login`, which builds it)."""

    user_agent: UserAgent | None = None
    password: str | None = None
    new_password: str | None = None
    namespace: ClassVar[str] = LOGIN_SEC

    def to_element(self, verb: str) -> Element:
        node = el(LOGIN_SEC, "loginSec")
        if self.user_agent is not None:
            self.user_agent.add_to(node)
        if self.password is not None:
            sub(node, LOGIN_SEC, "pw", self.password)
        if self.new_password is not None:
            sub(node, LOGIN_SEC, "newPW", self.new_password)
        return node

    def __repr__(self) -> str:  # never print passwords in logs
        return f"LoginSecurity(user_agent={self.user_agent!r})"


@dataclass(frozen=True)
class LoginEvent:
    """One security event of a login answer: `type` password, certificate, cipher,
    tlsProtocol, newPW, stat or custom; `level` warning or error."""

    type: str
    level: str
    message: str = ""
    name: str | None = None
    expires: datetime | None = None
    value: str | None = None
    duration: str | None = None
    lang: str = "en"

    @property
    def error(self) -> bool:
        return self.level == "error"

    def __str__(self) -> str:
        what = f"{self.type} ({self.name})" if self.name else self.type
        when = f", expires {self.expires.isoformat()}" if self.expires else ""
        detail = f": {self.message}" if self.message else ""
        return f"{self.level} on {what}{when}{detail}"


@dataclass(frozen=True)
class LoginSecData:
    events: tuple[LoginEvent, ...]


@parses(LOGIN_SEC, "loginSecData")
def parse_data(node: Element) -> LoginSecData:
    events = []
    for event in children(node, LOGIN_SEC, "event"):
        expires = event.get("exDate")
        events.append(LoginEvent(
            type=event.get("type", ""),
            level=event.get("level", ""),
            message=text(event),
            name=event.get("name"),
            expires=parse_datetime(expires) if expires else None,
            value=event.get("value"),
            duration=event.get("duration"),
            lang=event.get("lang", "en"),
        ))
    return LoginSecData(tuple(events))
