"""RFC 5731 domain name mapping: commands and typed response data.

Names are taken in any form (U-label or A-label) and sent as A-labels.
"""

from __future__ import annotations

import secrets
import string
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import ClassVar, Literal

from bureau.epp.base import (
    Command,
    CommandExtension,
    Period,
    Status,
    glue_address,
    object_element,
    statuses,
)
from bureau.epp.errors import FrameError
from bureau.epp.extensions.bdn import BundleCreate
from bureau.epp.extensions.fee import FeeCheck, FeeOffer
from bureau.epp.extensions.rgp import RestoreReport, RestoreRequest
from bureau.epp.extensions.secdns import SecDNSData, SecDNSUpdate
from bureau.epp.idn import to_alabel
from bureau.epp.namespaces import DOMAIN, EPP
from bureau.epp.registry import parses
from bureau.epp.xmlutil import (
    Element,
    child,
    children,
    format_date,
    need,
    opt_datetime,
    opt_text,
    parse_bool,
    parse_datetime,
    req_text,
    sub,
    text,
)

ONE_YEAR = Period(1, "y")
ContactType = Literal["admin", "tech", "billing"]
TransferOp = Literal["query", "request", "approve", "reject", "cancel"]
TRANSFER_OPS = ("query", "request", "approve", "reject", "cancel")
_AUTH_ALPHABET = string.ascii_letters + string.digits + "-_.!+=%"


def check_id(value: str, what: str) -> None:
    """EPP object ids (contacts, registrant) have 3 to 16 characters (eppcom:clIDType)."""
    if not 3 <= len(value) <= 16:
        raise ValueError(f"{what} {value!r}: EPP ids have 3 to 16 characters")


def generate_auth_info(length: int = 16) -> str:
    """A random transfer secret with letters, digits and symbols (registries ask for all)."""
    while True:
        value = "".join(secrets.choice(_AUTH_ALPHABET) for _ in range(length))
        if any(c.isdigit() for c in value) and any(not c.isalnum() for c in value):
            return value


@dataclass(frozen=True)
class DomainContact:
    type: ContactType
    id: str

    def __post_init__(self) -> None:
        if self.type not in ("admin", "tech", "billing"):
            raise ValueError(f"contact type {self.type!r}: use admin, tech or billing")
        check_id(self.id, f"{self.type} contact id")


@dataclass(frozen=True)
class HostAttr:
    """A name server given by name and glue addresses (hostAttr), not as a host object."""

    name: str
    addresses: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for addr in self.addresses:
            glue_address(addr)  # ValueError names the bad address


Nameserver = str | HostAttr


def _add_ns(parent: Element, nameservers: Sequence[Nameserver]) -> None:
    if not nameservers:
        return
    kinds = {isinstance(n, HostAttr) for n in nameservers}
    if len(kinds) > 1:
        raise ValueError("name servers: give all as host names or all as HostAttr, not a mix")
    ns = sub(parent, DOMAIN, "ns")
    for server in nameservers:
        if isinstance(server, HostAttr):
            attr = sub(ns, DOMAIN, "hostAttr")
            sub(attr, DOMAIN, "hostName", to_alabel(server.name))
            for addr in server.addresses:
                ip = glue_address(addr)
                sub(attr, DOMAIN, "hostAddr", ip.compressed, ip=f"v{ip.version}")
        else:
            sub(ns, DOMAIN, "hostObj", to_alabel(server))


def _add_contacts(parent: Element, contacts: Sequence[DomainContact]) -> None:
    for contact in contacts:
        sub(parent, DOMAIN, "contact", contact.id, type=contact.type)


def _add_auth(parent: Element, auth_info: str) -> None:
    sub(sub(parent, DOMAIN, "authInfo"), DOMAIN, "pw", auth_info)


def _names(names: Sequence[str]) -> None:
    if isinstance(names, str):
        raise TypeError("pass a list of names, not a single string")
    if not names:
        raise ValueError("check at least one name")


@dataclass(frozen=True)
class DomainCheck(Command):
    names: Sequence[str]
    fee: FeeCheck | None = None
    verb: ClassVar[str] = "check"

    def __post_init__(self) -> None:
        _names(self.names)

    def build(self, command: Element) -> None:
        node = object_element(command, DOMAIN, "check")
        for name in self.names:
            sub(node, DOMAIN, "name", to_alabel(name))

    def all_extensions(self) -> list[CommandExtension]:
        return [self.fee, *self.extensions] if self.fee is not None else [*self.extensions]


@dataclass(frozen=True)
class DomainInfo(Command):
    name: str
    auth_info: str | None = None
    hosts: Literal["all", "del", "sub", "none"] = "all"
    verb: ClassVar[str] = "info"

    def build(self, command: Element) -> None:
        node = object_element(command, DOMAIN, "info")
        sub(node, DOMAIN, "name", to_alabel(self.name), hosts=self.hosts)
        if self.auth_info is not None:
            _add_auth(node, self.auth_info)


@dataclass(frozen=True)
class DomainCreate(Command):
    """Register a name. Without auth_info a random one is generated (read it back after)."""

    name: str
    registrant: str | None = None
    contacts: Sequence[DomainContact] = ()
    nameservers: Sequence[Nameserver] = ()
    auth_info: str = field(default="")
    period: Period = ONE_YEAR
    secdns: SecDNSData | None = None
    fee: FeeOffer | None = None
    bundle: BundleCreate | None = None
    verb: ClassVar[str] = "create"

    def __post_init__(self) -> None:
        if self.registrant is not None:
            check_id(self.registrant, "registrant id")
        if not self.auth_info:
            object.__setattr__(self, "auth_info", generate_auth_info())

    def build(self, command: Element) -> None:
        node = object_element(command, DOMAIN, "create")
        sub(node, DOMAIN, "name", to_alabel(self.name))
        self.period.add_to(node, DOMAIN)
        _add_ns(node, self.nameservers)
        if self.registrant is not None:
            sub(node, DOMAIN, "registrant", self.registrant)
        _add_contacts(node, self.contacts)
        _add_auth(node, self.auth_info)

    def all_extensions(self) -> list[CommandExtension]:
        typed = [e for e in (self.secdns, self.fee, self.bundle) if e is not None]
        return typed + list(self.extensions)

    def __repr__(self) -> str:
        return f"DomainCreate(name={self.name!r}, registrant={self.registrant!r}, ...)"


@dataclass(frozen=True)
class DomainRenew(Command):
    """Renew; the current expiry date makes a repeated renew fail instead of renewing twice."""

    name: str
    current_expiry: date
    period: Period = ONE_YEAR
    fee: FeeOffer | None = None
    verb: ClassVar[str] = "renew"

    def __post_init__(self) -> None:
        if isinstance(self.current_expiry, datetime):
            raise TypeError("current_expiry is a date (the expiry's calendar day), not a datetime")

    def build(self, command: Element) -> None:
        node = object_element(command, DOMAIN, "renew")
        sub(node, DOMAIN, "name", to_alabel(self.name))
        sub(node, DOMAIN, "curExpDate", format_date(self.current_expiry))
        self.period.add_to(node, DOMAIN)

    def all_extensions(self) -> list[CommandExtension]:
        return [e for e in (self.fee,) if e is not None] + list(self.extensions)


@dataclass(frozen=True)
class DomainTransfer(Command):
    op: TransferOp
    name: str
    auth_info: str | None = None
    period: Period | None = None
    fee: FeeOffer | None = None
    verb: ClassVar[str] = "transfer"

    def __post_init__(self) -> None:
        if self.op not in TRANSFER_OPS:
            raise ValueError(f"transfer op {self.op!r}: use one of {', '.join(TRANSFER_OPS)}")
        if self.period is not None and self.op != "request":
            raise ValueError("a transfer period is only given with op='request'")

    def build(self, command: Element) -> None:
        node = object_element(command, DOMAIN, "transfer", op=self.op)
        sub(node, DOMAIN, "name", to_alabel(self.name))
        if self.period is not None:
            self.period.add_to(node, DOMAIN)
        if self.auth_info is not None:
            _add_auth(node, self.auth_info)

    def all_extensions(self) -> list[CommandExtension]:
        return [e for e in (self.fee,) if e is not None] + list(self.extensions)


@dataclass(frozen=True)
class DomainUpdate(Command):
    """Change a domain. `registrant=""` removes the registrant, `auth_info=""` nulls it;
    None leaves a field unchanged."""

    name: str
    add_nameservers: Sequence[Nameserver] = ()
    rem_nameservers: Sequence[Nameserver] = ()
    add_contacts: Sequence[DomainContact] = ()
    rem_contacts: Sequence[DomainContact] = ()
    add_statuses: Sequence[str | Status] = ()
    rem_statuses: Sequence[str | Status] = ()
    registrant: str | None = None
    auth_info: str | None = None
    secdns: SecDNSUpdate | None = None
    fee: FeeOffer | None = None
    restore: RestoreRequest | RestoreReport | None = None
    verb: ClassVar[str] = "update"

    def build(self, command: Element) -> None:
        node = object_element(command, DOMAIN, "update")
        sub(node, DOMAIN, "name", to_alabel(self.name))
        for tag, servers, contacts, stats in (
            ("add", self.add_nameservers, self.add_contacts, self.add_statuses),
            ("rem", self.rem_nameservers, self.rem_contacts, self.rem_statuses),
        ):
            if servers or contacts or stats:
                part = sub(node, DOMAIN, tag)
                _add_ns(part, servers)
                _add_contacts(part, contacts)
                for status in statuses(stats):
                    status.add_to(part, DOMAIN)
        has_change = self.registrant is not None or self.auth_info is not None
        # RFC 3915 restores (and extension-only updates) send an empty <chg/>.
        if has_change or len(node) == 1:
            chg = sub(node, DOMAIN, "chg")
            if self.registrant is not None:
                sub(chg, DOMAIN, "registrant", self.registrant)
            if self.auth_info is not None:
                auth = sub(chg, DOMAIN, "authInfo")
                if self.auth_info:
                    sub(auth, DOMAIN, "pw", self.auth_info)
                else:
                    sub(auth, DOMAIN, "null")

    def all_extensions(self) -> list[CommandExtension]:
        typed = [e for e in (self.secdns, self.restore, self.fee) if e is not None]
        return typed + list(self.extensions)


def DomainRestore(  # named like a command class: it builds one
    name: str, report: RestoreReport | None = None, fee: FeeOffer | None = None
) -> DomainUpdate:
    """The RFC 3915 restore: an empty domain update carrying the rgp request or report."""
    return DomainUpdate(name, restore=report or RestoreRequest(), fee=fee)


@dataclass(frozen=True)
class DomainDelete(Command):
    name: str
    verb: ClassVar[str] = "delete"

    def build(self, command: Element) -> None:
        node = object_element(command, DOMAIN, "delete")
        sub(node, DOMAIN, "name", to_alabel(self.name))


# ---- responses -------------------------------------------------------------------------


# Read-only by convention, not frozen, like Response: searches build thousands a second.
@dataclass
class DomainAvailability:
    name: str
    available: bool
    reason: str | None = None


@dataclass
class DomainCheckData:
    results: tuple[DomainAvailability, ...]

    def __getitem__(self, name: str) -> DomainAvailability:
        wanted = to_alabel(name)
        for result in self.results:
            if result.name == wanted:
                return result
        raise KeyError(name)


@dataclass(frozen=True)
class DomainInfoData:
    name: str
    roid: str
    statuses: tuple[Status, ...] = ()
    registrant: str | None = None
    contacts: tuple[DomainContact, ...] = ()
    nameservers: tuple[Nameserver, ...] = ()
    hosts: tuple[str, ...] = ()
    sponsor: str = ""
    creator: str | None = None
    created: datetime | None = None
    updater: str | None = None
    updated: datetime | None = None
    expires: datetime | None = None
    transferred: datetime | None = None
    auth_info: str | None = None

    @property
    def status_values(self) -> frozenset[str]:
        return frozenset(s.value for s in self.statuses)


@dataclass(frozen=True)
class DomainCreateData:
    name: str
    created: datetime
    expires: datetime | None = None


@dataclass(frozen=True)
class DomainRenewData:
    name: str
    expires: datetime | None = None


@dataclass(frozen=True)
class TransferData:
    """A transfer's state: in a transfer response or a poll message (domain or contact)."""

    name: str
    status: str
    requested_by: str
    requested_at: datetime
    action_by: str
    action_due: datetime
    expires: datetime | None = None


@dataclass(frozen=True)
class PendingActionData:
    """The outcome of an action the registry had left pending (poll message panData)."""

    name: str
    success: bool
    cltrid: str | None
    svtrid: str
    date: datetime


def parse_status(node: Element) -> Status:
    reason = text(node) or None
    return Status(node.get("s", ""), reason, node.get("lang") if reason else None)


def _nameservers(node: Element | None) -> tuple[Nameserver, ...]:
    if node is None:
        return ()
    servers: list[Nameserver] = [text(h).lower() for h in children(node, DOMAIN, "hostObj")]
    for attr in children(node, DOMAIN, "hostAttr"):
        servers.append(
            HostAttr(
                req_text(attr, DOMAIN, "hostName").lower(),
                tuple(text(a) for a in children(attr, DOMAIN, "hostAddr")),
            )
        )
    return tuple(servers)


_CD, _NAME, _REASON = (f"{{{DOMAIN}}}{tag}" for tag in ("cd", "name", "reason"))


@parses(DOMAIN, "chkData")
def parse_check(node: Element) -> DomainCheckData:
    # Hot on availability searches: precomputed tags and one pass over each <cd>.
    results = []
    for cd in node.iterchildren(_CD):
        name = reason = None
        for item in cd:
            tag = item.tag
            if tag == _NAME:
                if name is None:
                    name = item
            elif tag == _REASON and reason is None:
                reason = item
        if name is None:
            raise FrameError("<cd> lacks its required <name> element")
        results.append(
            DomainAvailability(
                text(name).lower(),
                parse_bool(name.get("avail")),
                None if reason is None else text(reason),
            )
        )
    return DomainCheckData(tuple(results))


@parses(DOMAIN, "infData")
def parse_info(node: Element) -> DomainInfoData:
    auth = child(node, DOMAIN, "authInfo")
    return DomainInfoData(
        name=req_text(node, DOMAIN, "name").lower(),
        roid=req_text(node, DOMAIN, "roid"),
        statuses=tuple(parse_status(s) for s in children(node, DOMAIN, "status")),
        registrant=opt_text(node, DOMAIN, "registrant"),
        contacts=tuple(
            DomainContact(c.get("type", "admin"), text(c))  # type: ignore[arg-type]
            for c in children(node, DOMAIN, "contact")
        ),
        nameservers=_nameservers(child(node, DOMAIN, "ns")),
        hosts=tuple(text(h).lower() for h in children(node, DOMAIN, "host")),
        sponsor=req_text(node, DOMAIN, "clID"),
        creator=opt_text(node, DOMAIN, "crID"),
        created=opt_datetime(node, DOMAIN, "crDate"),
        updater=opt_text(node, DOMAIN, "upID"),
        updated=opt_datetime(node, DOMAIN, "upDate"),
        expires=opt_datetime(node, DOMAIN, "exDate"),
        transferred=opt_datetime(node, DOMAIN, "trDate"),
        auth_info=opt_text(auth, DOMAIN, "pw") if auth is not None else None,
    )


@parses(DOMAIN, "creData")
def parse_create(node: Element) -> DomainCreateData:
    return DomainCreateData(
        name=req_text(node, DOMAIN, "name").lower(),
        created=parse_datetime(req_text(node, DOMAIN, "crDate")),
        expires=opt_datetime(node, DOMAIN, "exDate"),
    )


@parses(DOMAIN, "renData")
def parse_renew(node: Element) -> DomainRenewData:
    return DomainRenewData(
        name=req_text(node, DOMAIN, "name").lower(), expires=opt_datetime(node, DOMAIN, "exDate")
    )


@parses(DOMAIN, "trnData")
def parse_transfer(node: Element) -> TransferData:
    return TransferData(
        name=req_text(node, DOMAIN, "name").lower(),
        status=req_text(node, DOMAIN, "trStatus"),
        requested_by=req_text(node, DOMAIN, "reID"),
        requested_at=parse_datetime(req_text(node, DOMAIN, "reDate")),
        action_by=req_text(node, DOMAIN, "acID"),
        action_due=parse_datetime(req_text(node, DOMAIN, "acDate")),
        expires=opt_datetime(node, DOMAIN, "exDate"),
    )


def parse_pending(node: Element, ns: str, id_tag: str) -> PendingActionData:
    ident = need(node, ns, id_tag)
    tr = need(node, ns, "paTRID")
    return PendingActionData(
        name=text(ident).lower(),
        success=parse_bool(ident.get("paResult")),
        cltrid=opt_text(tr, EPP, "clTRID"),
        svtrid=req_text(tr, EPP, "svTRID"),
        date=parse_datetime(req_text(node, ns, "paDate")),
    )


@parses(DOMAIN, "panData")
def parse_domain_pending(node: Element) -> PendingActionData:
    return parse_pending(node, DOMAIN, "name")
