"""RFC 5733 contact mapping: people and organisations, postal info int/loc, disclosure."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import ClassVar, Literal, TypeVar

from bureau.epp.base import Command, Status, object_element, statuses
from bureau.epp.domain import (
    TRANSFER_OPS,
    PendingActionData,
    TransferData,
    TransferOp,
    check_id,
    generate_auth_info,
    parse_pending,
    parse_status,
)
from bureau.epp.namespaces import CONTACT
from bureau.epp.registry import parses
from bureau.epp.xmlutil import (
    Element,
    child,
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

T = TypeVar("T")
_E164 = re.compile(r"^\+[0-9]{1,3}\.[0-9]{1,14}$")
# Order of the elements inside <contact:disclose>, as the schema wants it.
DISCLOSE_FIELDS = (
    "name:int",
    "name:loc",
    "org:int",
    "org:loc",
    "addr:int",
    "addr:loc",
    "voice",
    "fax",
    "email",
)


@dataclass(frozen=True)
class Phone:
    """An E.164 number as EPP writes it, `+33.123456789`, with an optional extension."""

    number: str
    ext: str | None = None

    def __post_init__(self) -> None:
        if not _E164.match(self.number):
            raise ValueError(
                f"phone {self.number!r}: write it +CC.NUMBER, e.g. +33.123456789 (E.164)"
            )

    def add_to(self, parent: Element, tag: str) -> None:
        node = sub(parent, CONTACT, tag, self.number)
        if self.ext:
            node.set("x", self.ext)


@dataclass(frozen=True)
class Address:
    city: str
    cc: str
    street: tuple[str, ...] = ()
    sp: str | None = None
    pc: str | None = None

    def __post_init__(self) -> None:
        if len(self.street) > 3:
            raise ValueError(f"an address has at most 3 street lines, got {len(self.street)}")
        if len(self.cc) != 2 or not self.cc.isalpha():
            raise ValueError(f"country code {self.cc!r}: use ISO 3166 alpha-2, e.g. 'FR'")

    def add_to(self, parent: Element) -> None:
        node = sub(parent, CONTACT, "addr")
        for line in self.street:
            sub(node, CONTACT, "street", line)
        sub(node, CONTACT, "city", self.city)
        if self.sp is not None:
            sub(node, CONTACT, "sp", self.sp)
        if self.pc is not None:
            sub(node, CONTACT, "pc", self.pc)
        sub(node, CONTACT, "cc", self.cc.upper())


@dataclass(frozen=True)
class PostalInfo:
    """Postal info: type "int" (ASCII only) or "loc" (any script). Name and addr may be None
    only in an update's change."""

    type: Literal["int", "loc"]
    name: str | None
    addr: Address | None
    org: str | None = None

    def __post_init__(self) -> None:
        if self.type not in ("int", "loc"):
            raise ValueError(f"postal info type {self.type!r}: use 'int' or 'loc'")
        if self.type == "int":
            for value in (self.name, self.org, *(self._addr_texts())):
                if value is not None and not value.isascii():
                    raise ValueError(
                        f"postal info 'int' must be ASCII ({value!r}): use type 'loc' for it"
                    )

    def _addr_texts(self) -> tuple[str | None, ...]:
        a = self.addr
        return (*a.street, a.city, a.sp, a.pc) if a else ()

    def add_to(self, parent: Element, full: bool = True) -> None:
        if full and (self.name is None or self.addr is None):
            raise ValueError("postal info needs a name and an address")
        node = sub(parent, CONTACT, "postalInfo", type=self.type)
        if self.name is not None:
            sub(node, CONTACT, "name", self.name)
        if self.org is not None:
            sub(node, CONTACT, "org", self.org)
        if self.addr is not None:
            self.addr.add_to(node)


@dataclass(frozen=True)
class Disclose:
    """Which fields the registry should (flag=True) or should not (False) disclose."""

    flag: bool
    fields: frozenset[str]

    def __post_init__(self) -> None:
        unknown = set(self.fields) - set(DISCLOSE_FIELDS)
        if unknown or not self.fields:
            raise ValueError(
                f"disclose fields {sorted(unknown) or '(none)'}: use {', '.join(DISCLOSE_FIELDS)}"
            )

    def add_to(self, parent: Element) -> None:
        node = sub(parent, CONTACT, "disclose", flag="1" if self.flag else "0")
        for name in DISCLOSE_FIELDS:
            if name in self.fields:
                tag, _, kind = name.partition(":")
                if kind:
                    sub(node, CONTACT, tag, type=kind)
                else:
                    sub(node, CONTACT, tag)


def _check_postal(infos: Sequence[PostalInfo]) -> None:
    kinds = [p.type for p in infos]
    if not 1 <= len(kinds) <= 2 or len(set(kinds)) != len(kinds):
        raise ValueError("give one or two postal infos, at most one 'int' and one 'loc'")


def _auth(parent: Element, auth_info: str) -> None:
    sub(sub(parent, CONTACT, "authInfo"), CONTACT, "pw", auth_info)


@dataclass(frozen=True)
class ContactCheck(Command):
    ids: Sequence[str]
    verb: ClassVar[str] = "check"

    def __post_init__(self) -> None:
        if isinstance(self.ids, str) or not self.ids:
            raise ValueError("pass a non-empty list of contact ids")

    def build(self, command: Element) -> None:
        node = object_element(command, CONTACT, "check")
        for ident in self.ids:
            sub(node, CONTACT, "id", ident)


@dataclass(frozen=True)
class ContactInfo(Command):
    id: str
    auth_info: str | None = None
    verb: ClassVar[str] = "info"

    def build(self, command: Element) -> None:
        node = object_element(command, CONTACT, "info")
        sub(node, CONTACT, "id", self.id)
        if self.auth_info is not None:
            _auth(node, self.auth_info)


@dataclass(frozen=True)
class ContactCreate(Command):
    id: str
    postal_info: Sequence[PostalInfo]
    email: str
    voice: Phone | None = None
    fax: Phone | None = None
    auth_info: str = field(default="")
    disclose: Disclose | None = None
    verb: ClassVar[str] = "create"

    def __post_init__(self) -> None:
        _check_postal(self.postal_info)
        if "@" not in self.email:
            raise ValueError(f"contact email {self.email!r} has no @")
        check_id(self.id, "contact id")
        if not self.auth_info:
            object.__setattr__(self, "auth_info", generate_auth_info())

    def build(self, command: Element) -> None:
        node = object_element(command, CONTACT, "create")
        sub(node, CONTACT, "id", self.id)
        for info in self.postal_info:
            info.add_to(node)
        if self.voice:
            self.voice.add_to(node, "voice")
        if self.fax:
            self.fax.add_to(node, "fax")
        sub(node, CONTACT, "email", self.email)
        _auth(node, self.auth_info)
        if self.disclose:
            self.disclose.add_to(node)


@dataclass(frozen=True)
class ContactUpdate(Command):
    """Change a contact; None leaves a field as it is."""

    id: str
    add_statuses: Sequence[str | Status] = ()
    rem_statuses: Sequence[str | Status] = ()
    postal_info: Sequence[PostalInfo] = ()
    voice: Phone | None = None
    fax: Phone | None = None
    email: str | None = None
    auth_info: str | None = None
    disclose: Disclose | None = None
    verb: ClassVar[str] = "update"

    def build(self, command: Element) -> None:
        node = object_element(command, CONTACT, "update")
        sub(node, CONTACT, "id", self.id)
        for tag, stats in (("add", self.add_statuses), ("rem", self.rem_statuses)):
            if stats:
                part = sub(node, CONTACT, tag)
                for status in statuses(stats):
                    status.add_to(part, CONTACT)
        changes = (
            self.postal_info,
            self.voice,
            self.fax,
            self.email,
            self.auth_info,
            self.disclose,
        )
        if any(c for c in changes) or len(node) == 1:
            chg = sub(node, CONTACT, "chg")
            for info in self.postal_info:
                info.add_to(chg, full=False)
            if self.voice:
                self.voice.add_to(chg, "voice")
            if self.fax:
                self.fax.add_to(chg, "fax")
            if self.email is not None:
                sub(chg, CONTACT, "email", self.email)
            if self.auth_info is not None:
                _auth(chg, self.auth_info)
            if self.disclose:
                self.disclose.add_to(chg)


@dataclass(frozen=True)
class ContactDelete(Command):
    id: str
    verb: ClassVar[str] = "delete"

    def build(self, command: Element) -> None:
        sub(object_element(command, CONTACT, "delete"), CONTACT, "id", self.id)


@dataclass(frozen=True)
class ContactTransfer(Command):
    op: TransferOp
    id: str
    auth_info: str | None = None
    verb: ClassVar[str] = "transfer"

    def __post_init__(self) -> None:
        if self.op not in TRANSFER_OPS:
            raise ValueError(f"transfer op {self.op!r}: use one of {', '.join(TRANSFER_OPS)}")

    def build(self, command: Element) -> None:
        node = object_element(command, CONTACT, "transfer", op=self.op)
        sub(node, CONTACT, "id", self.id)
        if self.auth_info is not None:
            _auth(node, self.auth_info)


# ---- responses -------------------------------------------------------------------------


@dataclass(frozen=True)
class ContactAvailability:
    id: str
    available: bool
    reason: str | None = None


@dataclass(frozen=True)
class ContactCheckData:
    results: tuple[ContactAvailability, ...]


@dataclass(frozen=True)
class ContactInfoData:
    id: str
    roid: str
    statuses: tuple[Status, ...]
    postal_info: tuple[PostalInfo, ...]
    email: str
    sponsor: str
    voice: Phone | None = None
    fax: Phone | None = None
    creator: str | None = None
    created: datetime | None = None
    updater: str | None = None
    updated: datetime | None = None
    transferred: datetime | None = None
    auth_info: str | None = None
    disclose: Disclose | None = None

    def postal(self, kind: str) -> PostalInfo | None:
        return next((p for p in self.postal_info if p.type == kind), None)


@dataclass(frozen=True)
class ContactCreateData:
    id: str
    created: datetime


def _unchecked(cls: type[T], **values: object) -> T:
    """A dataclass from server data, without the input checks meant for people's input."""
    obj = object.__new__(cls)
    for key, value in values.items():
        object.__setattr__(obj, key, value)
    return obj


def _phone(node: Element | None) -> Phone | None:
    if node is None or not text(node):
        return None
    return _unchecked(Phone, number=text(node), ext=node.get("x"))


def _postal(node: Element) -> PostalInfo:
    addr = need(node, CONTACT, "addr")
    address = _unchecked(
        Address,
        city=req_text(addr, CONTACT, "city"),
        cc=req_text(addr, CONTACT, "cc"),
        street=tuple(text(s) for s in children(addr, CONTACT, "street")),
        sp=opt_text(addr, CONTACT, "sp"),
        pc=opt_text(addr, CONTACT, "pc"),
    )
    return _unchecked(
        PostalInfo,
        type=node.get("type", "int"),
        name=req_text(node, CONTACT, "name"),
        addr=address,
        org=opt_text(node, CONTACT, "org"),
    )


def _disclose(node: Element | None) -> Disclose | None:
    if node is None:
        return None
    names = set()
    for item in node:
        if not isinstance(item.tag, str):
            continue
        tag = item.tag.rsplit("}", 1)[-1]
        names.add(f"{tag}:{item.get('type')}" if item.get("type") else tag)
    return Disclose(parse_bool(node.get("flag")), frozenset(names))


@parses(CONTACT, "chkData")
def parse_check(node: Element) -> ContactCheckData:
    results = []
    for cd in children(node, CONTACT, "cd"):
        ident = need(cd, CONTACT, "id")
        results.append(
            ContactAvailability(
                text(ident), parse_bool(ident.get("avail")), opt_text(cd, CONTACT, "reason")
            )
        )
    return ContactCheckData(tuple(results))


@parses(CONTACT, "infData")
def parse_info(node: Element) -> ContactInfoData:
    auth = child(node, CONTACT, "authInfo")
    return ContactInfoData(
        id=req_text(node, CONTACT, "id"),
        roid=req_text(node, CONTACT, "roid"),
        statuses=tuple(parse_status(s) for s in children(node, CONTACT, "status")),
        postal_info=tuple(_postal(p) for p in children(node, CONTACT, "postalInfo")),
        voice=_phone(child(node, CONTACT, "voice")),
        fax=_phone(child(node, CONTACT, "fax")),
        email=req_text(node, CONTACT, "email"),
        sponsor=req_text(node, CONTACT, "clID"),
        creator=opt_text(node, CONTACT, "crID"),
        created=opt_datetime(node, CONTACT, "crDate"),
        updater=opt_text(node, CONTACT, "upID"),
        updated=opt_datetime(node, CONTACT, "upDate"),
        transferred=opt_datetime(node, CONTACT, "trDate"),
        auth_info=opt_text(auth, CONTACT, "pw") if auth is not None else None,
        disclose=_disclose(child(node, CONTACT, "disclose")),
    )


@parses(CONTACT, "creData")
def parse_create(node: Element) -> ContactCreateData:
    return ContactCreateData(
        id=req_text(node, CONTACT, "id"), created=parse_datetime(req_text(node, CONTACT, "crDate"))
    )


@parses(CONTACT, "trnData")
def parse_transfer(node: Element) -> TransferData:
    return TransferData(
        name=req_text(node, CONTACT, "id"),
        status=req_text(node, CONTACT, "trStatus"),
        requested_by=req_text(node, CONTACT, "reID"),
        requested_at=parse_datetime(req_text(node, CONTACT, "reDate")),
        action_by=req_text(node, CONTACT, "acID"),
        action_due=parse_datetime(req_text(node, CONTACT, "acDate")),
    )


@parses(CONTACT, "panData")
def parse_contact_pending(node: Element) -> PendingActionData:
    return parse_pending(node, CONTACT, "id")
