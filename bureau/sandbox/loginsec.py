"""RFC 8807 login security on the server side: passwords longer than 16 characters
(`<pw>[LOGIN-SECURITY]</pw>` and the real one in `loginSec:pw`), the client's user agent, and
security events in the login response (`loginSec:loginSecData`: password expiry).

A registrar's password expires `password_lifetime_days` after it was last set (0: never);
within `password_warning_days` of that, a login gets a warning event; after it, a login is
refused (2200, with an error event) unless it sets a new password.
"""

from __future__ import annotations

from dataclasses import dataclass

from bureau.epp import namespaces as ns
from bureau.sandbox.clock import format_time
from bureau.sandbox.errors import EppError
from bureau.sandbox.policy import RegistryConfig
from bureau.sandbox.xmlio import Element, el, q, text

PLACEHOLDER = "[LOGIN-SECURITY]"
_EPP = f"{{{ns.EPP}}}"
DAY = 86400


@dataclass
class Credentials:
    """What a login presents, the loginSec extension applied."""

    password: str
    new_password: str | None
    user_agent: str | None
    used_extension: bool


def credentials(login: Element, selected_extensions: list[str]) -> Credentials:
    """The passwords and user agent of a <login>; EppError when loginSec is misused."""
    password = login.findtext(_EPP + "pw") or ""
    new_password = login.findtext(_EPP + "newPW")
    command = login.getparent()
    assert command is not None
    sec = command.find(f"{_EPP}extension/{q('loginSec', 'loginSec')}")
    if sec is None:
        if PLACEHOLDER in (password, new_password):
            raise EppError(2003, f"{PLACEHOLDER} stands for a password sent in the loginSec"
                                 " extension, and there is none")
        return Credentials(password, new_password, None, False)
    if ns.LOGIN_SEC not in selected_extensions:
        raise EppError(2002, f"the loginSec extension is used but {ns.LOGIN_SEC} is not"
                             " listed in <svcExtension>")
    for tag, value in (("pw", password), ("newPW", new_password)):
        sent = text(sec, f"loginSec:{tag}")
        if sent is not None and value != PLACEHOLDER:
            raise EppError(2306, f"with loginSec:{tag}, <{tag}> must read {PLACEHOLDER}")
        if sent is None and value == PLACEHOLDER:
            raise EppError(2003, f"<{tag}> reads {PLACEHOLDER} but loginSec:{tag} is missing")
    agent = sec.find(q("loginSec", "userAgent"))
    return Credentials(
        text(sec, "loginSec:pw") or password,
        text(sec, "loginSec:newPW") or new_password,
        "; ".join(f"{node.tag.split('}')[1]}={' '.join((node.text or '').split())}"
                  for node in agent) if agent is not None else None,
        True,
    )


def password_events(config: RegistryConfig, changed: int, now: int,
                    ) -> tuple[list[Element], bool]:
    """The password expiry events of a login at `now`, and whether the password expired."""
    lifetime = config.password_lifetime_days
    if not lifetime:
        return [], False
    expires = changed + lifetime * DAY
    if now >= expires:
        return [_event("password", "error", expires,
                       "Password expired: set a new one (newPW) at login")], True
    if now >= expires - config.password_warning_days * DAY:
        return [_event("password", "warning", expires,
                       "Password expiring soon: set a new one (newPW) at login")], False
    return [], False


def _event(kind: str, level: str, expires: int, message: str) -> Element:
    node = el("loginSec:event", message, {"type": kind, "level": level})
    node.set("exDate", format_time(expires))
    return node


def data(events: list[Element]) -> Element:
    """loginSec:loginSecData holding `events`."""
    root = el("loginSec:loginSecData")
    for event in events:
        root.append(event)
    return root

