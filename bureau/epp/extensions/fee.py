"""RFC 8748 registry fee extension (fee-1.0): ask prices, agree to them, read charges."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import ClassVar

from bureau.epp.base import Period
from bureau.epp.errors import FrameError
from bureau.epp.idn import to_alabel
from bureau.epp.namespaces import DOMAIN, FEE
from bureau.epp.registry import parses
from bureau.epp.xmlutil import (
    Element,
    child,
    children,
    el,
    localname,
    need,
    opt_text,
    parse_bool,
    parse_decimal,
    parse_int,
    sub,
    text,
)

COMMANDS = ("create", "delete", "renew", "update", "transfer", "restore", "custom")
_TRANSFORMS = ("create", "renew", "transfer", "update")


def _currency(value: str | None) -> None:
    if value is not None and (len(value) != 3 or not value.isalpha() or not value.isupper()):
        raise ValueError(f"currency {value!r}: use an ISO 4217 code in capitals, e.g. 'EUR'")


@dataclass(frozen=True)
class FeeCommand:
    """One price question: a command (create, renew, restore...), optional period and phase."""

    name: str
    period: Period | None = None
    phase: str | None = None
    subphase: str | None = None
    custom_name: str | None = None

    def __post_init__(self) -> None:
        if self.name not in COMMANDS:
            raise ValueError(f"fee command {self.name!r}: use one of {', '.join(COMMANDS)}")
        if (self.name == "custom") != (self.custom_name is not None):
            raise ValueError("fee command 'custom' needs custom_name, and only it takes one")


@dataclass(frozen=True)
class FeeCheck:
    """<fee:check> on a domain check: the prices of these commands for every name."""

    commands: Sequence[FeeCommand] = (FeeCommand("create"),)
    currency: str | None = None
    namespace: ClassVar[str] = FEE

    def __post_init__(self) -> None:
        _currency(self.currency)
        if not self.commands:
            raise ValueError("fee check needs at least one command")

    def to_element(self, verb: str) -> Element:
        node = el(FEE, "check")
        if self.currency:
            sub(node, FEE, "currency", self.currency)
        for cmd in self.commands:
            attrs = {"name": cmd.name}
            for key, value in (
                ("customName", cmd.custom_name),
                ("phase", cmd.phase),
                ("subphase", cmd.subphase),
            ):
                if value is not None:
                    attrs[key] = value
            item = sub(node, FEE, "command", **attrs)
            if cmd.period is not None:
                cmd.period.add_to(item, FEE)
        return node


@dataclass(frozen=True)
class Fee:
    amount: Decimal
    description: str | None = None
    refundable: bool | None = None
    grace_period: str | None = None
    applied: str | None = None
    lang: str = "en"

    def __post_init__(self) -> None:
        if Decimal(self.amount) < 0:
            raise ValueError(f"fee {self.amount} is negative: use a Credit for money back")

    def add_to(self, parent: Element) -> None:
        node = sub(parent, FEE, "fee", str(self.amount))
        if self.description is not None:
            node.set("description", self.description)
        if self.refundable is not None:
            node.set("refundable", "1" if self.refundable else "0")
        if self.grace_period is not None:
            node.set("grace-period", self.grace_period)
        if self.applied is not None:
            node.set("applied", self.applied)


@dataclass(frozen=True)
class Credit:
    amount: Decimal
    description: str | None = None

    def add_to(self, parent: Element) -> None:
        node = sub(parent, FEE, "credit", str(self.amount))
        if self.description is not None:
            node.set("description", self.description)


@dataclass(frozen=True)
class FeeOffer:
    """The fees the client agrees to pay on a create, renew, transfer or update (restore).

    A registry refuses a premium name, or a changed price, unless the client names it here.
    """

    fees: Sequence[Fee]
    currency: str | None = None
    credits: Sequence[Credit] = ()
    namespace: ClassVar[str] = FEE

    def __post_init__(self) -> None:
        _currency(self.currency)
        if not self.fees:
            raise ValueError("a fee offer needs at least one fee")

    @property
    def total(self) -> Decimal:
        return sum((Decimal(f.amount) for f in self.fees), Decimal(0))

    def to_element(self, verb: str) -> Element:
        if verb not in _TRANSFORMS:
            raise ValueError(f"fee offers ride on {', '.join(_TRANSFORMS)}, not on {verb}")
        node = el(FEE, verb)
        if self.currency:
            sub(node, FEE, "currency", self.currency)
        for fee in self.fees:
            fee.add_to(node)
        for credit in self.credits:
            credit.add_to(node)
        return node


@dataclass(frozen=True)
class FeeQuote:
    """The server's price for one command of one name."""

    name: str
    fees: tuple[Fee, ...] = ()
    credits: tuple[Credit, ...] = ()
    period: Period | None = None
    phase: str | None = None
    subphase: str | None = None
    custom_name: str | None = None
    standard: bool = False
    reason: str | None = None

    @property
    def total(self) -> Decimal:
        return sum((f.amount for f in self.fees), Decimal(0)) + sum(
            (c.amount for c in self.credits), Decimal(0)
        )


@dataclass(frozen=True)
class FeeCheckResult:
    name: str
    available: bool
    fee_class: str | None = None
    commands: tuple[FeeQuote, ...] = ()
    reason: str | None = None

    @property
    def premium(self) -> bool:
        return (self.fee_class or "").lower() == "premium"

    def quote(self, command: str) -> FeeQuote | None:
        return next((c for c in self.commands if c.name == command), None)


@dataclass(frozen=True)
class FeeCheckData:
    currency: str
    results: tuple[FeeCheckResult, ...]

    def for_name(self, name: str) -> FeeCheckResult | None:
        """The result for a domain name, given as U-label or A-label."""
        try:
            wanted = to_alabel(name)
        except ValueError:
            wanted = name.lower()
        return next((r for r in self.results if r.name == wanted), None)


@dataclass(frozen=True)
class FeeTransformData:
    """What a create/renew/transfer/update/delete cost (or refunded), and the balance left."""

    response: str
    currency: str | None = None
    period: Period | None = None
    fees: tuple[Fee, ...] = ()
    credits: tuple[Credit, ...] = ()
    balance: Decimal | None = None
    credit_limit: Decimal | None = None

    @property
    def total(self) -> Decimal:
        return sum((f.amount for f in self.fees), Decimal(0)) + sum(
            (c.amount for c in self.credits), Decimal(0)
        )


def _period(node: Element | None) -> Period | None:
    if node is None:
        return None
    unit = node.get("unit", "y")
    try:
        return Period(parse_int(text(node)), "m" if unit == "m" else "y")
    except ValueError as exc:
        raise FrameError(f"bad fee period: {exc}") from exc


def _fee(node: Element) -> Fee:
    refundable = node.get("refundable")
    return Fee(
        amount=parse_decimal(text(node)),
        description=node.get("description"),
        refundable=parse_bool(refundable) if refundable is not None else None,
        grace_period=node.get("grace-period"),
        applied=node.get("applied"),
        lang=node.get("lang", "en"),
    )


def _credit(node: Element) -> Credit:
    return Credit(parse_decimal(text(node)), node.get("description"))


def _quote(node: Element, available: bool = True) -> FeeQuote:
    """One command's price; when the name is not available for it (avail="0"), a period the
    server got wrong does not make the whole answer unreadable: its reason is what counts."""
    reason = child(node, FEE, "reason")
    period = child(node, FEE, "period")
    if not available:
        try:
            _period(period)
        except FrameError:
            period = None
    return FeeQuote(
        name=node.get("name", ""),
        fees=tuple(_fee(f) for f in children(node, FEE, "fee")),
        credits=tuple(_credit(c) for c in children(node, FEE, "credit")),
        period=_period(period if period is not None else child(node, DOMAIN, "period")),
        phase=node.get("phase"),
        subphase=node.get("subphase"),
        custom_name=node.get("customName"),
        standard=parse_bool(node.get("standard"), False),
        reason=text(reason) if reason is not None else None,
    )


@parses(FEE, "chkData")
def parse_check(node: Element) -> FeeCheckData:
    results = []
    for cd in children(node, FEE, "cd"):
        obj = need(cd, FEE, "objID")
        reason = child(cd, FEE, "reason")
        available = parse_bool(cd.get("avail"), True)
        results.append(
            FeeCheckResult(
                name=text(obj).lower(),
                available=available,
                fee_class=opt_text(cd, FEE, "class"),
                commands=tuple(_quote(c, available) for c in children(cd, FEE, "command")),
                reason=text(reason) if reason is not None else None,
            )
        )
    return FeeCheckData(currency=text(need(node, FEE, "currency")), results=tuple(results))


@parses(FEE, "creData", "renData", "trnData", "updData", "delData")
def parse_transform(node: Element) -> FeeTransformData:
    balance = opt_text(node, FEE, "balance")
    limit = opt_text(node, FEE, "creditLimit")
    return FeeTransformData(
        response=localname(node),
        currency=opt_text(node, FEE, "currency"),
        period=_period(child(node, FEE, "period")),
        fees=tuple(_fee(f) for f in children(node, FEE, "fee")),
        credits=tuple(_credit(c) for c in children(node, FEE, "credit")),
        balance=parse_decimal(balance) if balance else None,
        credit_limit=parse_decimal(limit) if limit else None,
    )
