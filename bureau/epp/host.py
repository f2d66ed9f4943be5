"""RFC 5732 host mapping: name servers as objects, with glue addresses."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

from bureau.epp.base import Command, Status, glue_address, object_element, statuses
from bureau.epp.domain import PendingActionData, parse_pending, parse_status
from bureau.epp.idn import to_alabel
from bureau.epp.namespaces import HOST
from bureau.epp.registry import parses
from bureau.epp.xmlutil import (
    Element,
    children,
    need,
    opt_datetime,
    opt_text,
    parse_bool,
    parse_datetime,
    req_text,
    sub,
    text,
)


def _add_addrs(parent: Element, addresses: Sequence[str]) -> None:
    for addr in addresses:
        ip = glue_address(addr)
        sub(parent, HOST, "addr", ip.compressed, ip=f"v{ip.version}")


@dataclass(frozen=True)
class HostCheck(Command):
    names: Sequence[str]
    verb: ClassVar[str] = "check"

    def __post_init__(self) -> None:
        if isinstance(self.names, str) or not self.names:
            raise ValueError("pass a non-empty list of host names")

    def build(self, command: Element) -> None:
        node = object_element(command, HOST, "check")
        for name in self.names:
            sub(node, HOST, "name", to_alabel(name))


@dataclass(frozen=True)
class HostInfo(Command):
    name: str
    verb: ClassVar[str] = "info"

    def build(self, command: Element) -> None:
        sub(object_element(command, HOST, "info"), HOST, "name", to_alabel(self.name))


@dataclass(frozen=True)
class HostCreate(Command):
    """Create a host; addresses (glue) only for names under a domain of this registry."""

    name: str
    addresses: Sequence[str] = ()
    verb: ClassVar[str] = "create"

    def build(self, command: Element) -> None:
        node = object_element(command, HOST, "create")
        sub(node, HOST, "name", to_alabel(self.name))
        _add_addrs(node, self.addresses)


@dataclass(frozen=True)
class HostUpdate(Command):
    name: str
    add_addresses: Sequence[str] = ()
    rem_addresses: Sequence[str] = ()
    add_statuses: Sequence[str | Status] = ()
    rem_statuses: Sequence[str | Status] = ()
    new_name: str | None = None
    verb: ClassVar[str] = "update"

    def build(self, command: Element) -> None:
        node = object_element(command, HOST, "update")
        sub(node, HOST, "name", to_alabel(self.name))
        for tag, addrs, stats in (
            ("add", self.add_addresses, self.add_statuses),
            ("rem", self.rem_addresses, self.rem_statuses),
        ):
            if addrs or stats:
                part = sub(node, HOST, tag)
                _add_addrs(part, addrs)
                for status in statuses(stats):
                    status.add_to(part, HOST)
        if self.new_name is not None:
            sub(sub(node, HOST, "chg"), HOST, "name", to_alabel(self.new_name))


@dataclass(frozen=True)
class HostDelete(Command):
    name: str
    verb: ClassVar[str] = "delete"

    def build(self, command: Element) -> None:
        sub(object_element(command, HOST, "delete"), HOST, "name", to_alabel(self.name))


@dataclass(frozen=True)
class HostAvailability:
    name: str
    available: bool
    reason: str | None = None


@dataclass(frozen=True)
class HostCheckData:
    results: tuple[HostAvailability, ...]


@dataclass(frozen=True)
class HostInfoData:
    name: str
    roid: str
    statuses: tuple[Status, ...] = ()
    addresses: tuple[str, ...] = ()
    sponsor: str = ""
    creator: str | None = None
    created: datetime | None = None
    updater: str | None = None
    updated: datetime | None = None
    transferred: datetime | None = None


@dataclass(frozen=True)
class HostCreateData:
    name: str
    created: datetime


@parses(HOST, "chkData")
def parse_check(node: Element) -> HostCheckData:
    results = []
    for cd in children(node, HOST, "cd"):
        name = need(cd, HOST, "name")
        results.append(
            HostAvailability(
                text(name).lower(), parse_bool(name.get("avail")), opt_text(cd, HOST, "reason")
            )
        )
    return HostCheckData(tuple(results))


@parses(HOST, "infData")
def parse_info(node: Element) -> HostInfoData:
    return HostInfoData(
        name=req_text(node, HOST, "name").lower(),
        roid=req_text(node, HOST, "roid"),
        statuses=tuple(parse_status(s) for s in children(node, HOST, "status")),
        addresses=tuple(text(a) for a in children(node, HOST, "addr")),
        sponsor=req_text(node, HOST, "clID"),
        creator=opt_text(node, HOST, "crID"),
        created=opt_datetime(node, HOST, "crDate"),
        updater=opt_text(node, HOST, "upID"),
        updated=opt_datetime(node, HOST, "upDate"),
        transferred=opt_datetime(node, HOST, "trDate"),
    )


@parses(HOST, "creData")
def parse_create(node: Element) -> HostCreateData:
    return HostCreateData(
        name=req_text(node, HOST, "name").lower(),
        created=parse_datetime(req_text(node, HOST, "crDate")),
    )


@parses(HOST, "panData")
def parse_host_pending(node: Element) -> PendingActionData:
    return parse_pending(node, HOST, "name")
