"""What every command shares: the <command> envelope, command extensions, periods, statuses."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from ipaddress import IPv4Address, IPv6Address, ip_address
from typing import Any, ClassVar, Literal, Protocol, runtime_checkable

from bureau.epp.namespaces import EPP
from bureau.epp.xmlutil import Element, copy_of, el, epp_root, serialize, sub


@runtime_checkable
class CommandExtension(Protocol):
    """Something that adds one element under <extension> of a command.

    `verb` is the EPP command it rides on (create, update...): some extensions (fee) name
    their element after it.
    """

    namespace: ClassVar[str]

    def to_element(self, verb: str) -> Element: ...


@dataclass(frozen=True)
class RawExtension:
    """A registry-specific extension element sent as is (its namespace must be logged in)."""

    element: Element
    namespace: ClassVar[str] = ""

    def to_element(self, verb: str) -> Element:
        return self.element


@dataclass(frozen=True, kw_only=True)
class Command:
    """Base of all commands. Subclasses build the element under <command>."""

    extensions: Sequence[CommandExtension] = field(default=())
    verb: ClassVar[str] = ""

    def build(self, command: Element) -> None:  # pragma: no cover - abstract
        """Append the verb element (<create>, <poll/>...) to the <command> element."""
        raise NotImplementedError

    def all_extensions(self) -> list[CommandExtension]:
        """The extensions to send: the typed shortcuts of a subclass plus `extensions`."""
        return list(self.extensions)

    def to_xml(self, cltrid: str | None = None) -> bytes:
        root = copy_of("command", _command_skeleton)
        command = root[0]
        self.build(command)
        extensions = self.all_extensions()
        if extensions:
            container = sub(command, EPP, "extension")
            for extension in extensions:
                container.append(extension.to_element(self.verb))
        if cltrid is not None:
            sub(command, EPP, "clTRID", cltrid)
        return serialize(root)

    def namespaces(self) -> set[str]:
        """Extension namespaces this command needs to have been logged in."""
        extensions = self.all_extensions()
        return {e.namespace for e in extensions if e.namespace} if extensions else set()


@dataclass(frozen=True)
class Period:
    """A registration period: 1-99 years ("y") or months ("m")."""

    value: int = 1
    unit: Literal["y", "m"] = "y"

    def __post_init__(self) -> None:
        if self.unit not in ("y", "m"):
            raise ValueError(f"period unit {self.unit!r}: use 'y' (years) or 'm' (months)")
        if not 1 <= self.value <= 99:
            raise ValueError(f"period {self.value}{self.unit}: the value must be 1 to 99")

    def add_to(self, parent: Element, ns: str) -> None:
        sub(parent, ns, "period", str(self.value), unit=self.unit)


@dataclass(frozen=True)
class Status:
    """An object status (`clientHold`...) with its optional free-text reason."""

    value: str
    reason: str | None = None
    lang: str | None = None

    def add_to(self, parent: Element, ns: str) -> None:
        node = sub(parent, ns, "status", self.reason, s=self.value)
        if self.lang and self.reason:
            node.set("lang", self.lang)


def glue_address(value: str) -> IPv4Address | IPv6Address:
    """A name server address: a real unicast IPv4 or IPv6 address (not ::, not multicast)."""
    try:
        ip = ip_address(value)
    except ValueError as exc:
        raise ValueError(f"host address {value!r} is not an IPv4 or IPv6 address") from exc
    if ip.is_unspecified or ip.is_multicast:
        raise ValueError(f"host address {value!r} cannot be a name server's address")
    return ip


def statuses(values: Sequence[str | Status]) -> list[Status]:
    return [v if isinstance(v, Status) else Status(v) for v in values]


def _command_skeleton() -> Element:
    root = epp_root()
    sub(root, EPP, "command")
    return root


def _verb_skeleton(ns: str, tag: str, attrs: tuple[Any, ...]) -> Element:
    verb = el(EPP, tag, **dict(attrs))
    sub(verb, ns, tag)
    return verb


def object_element(command: Element, ns: str, tag: str, **attrs: str) -> Element:
    """<verb><obj:verb/></verb> under <command>, e.g. <create><domain:create/></create>."""
    key = (ns, tag, *sorted(attrs.items())) if attrs else (ns, tag)
    verb = copy_of(key, lambda: _verb_skeleton(ns, tag, key[2:]))
    command.append(verb)
    return verb[0]
