"""RFC 8748 fees: prices per TLD policy (standard or premium), fee:check, client fee checks."""

from __future__ import annotations

from decimal import Decimal

from bureau.epp import namespaces as ns
from bureau.sandbox.billing import balance
from bureau.sandbox.context import Ctx
from bureau.sandbox.errors import EppError
from bureau.sandbox.names import split
from bureau.sandbox.policy import TldPolicy
from bureau.sandbox.xmlio import Element, children, el, sub, text

COMMANDS = ("create", "renew", "transfer", "restore")
# What a transform response's fee is for, by its element (fee:creData...).
DESCRIPTIONS = {"creData": "create", "renData": "renew", "trnData": "transfer",
                "updData": "restore", "delData": "delete"}


def fee_class(policy: TldPolicy, name: str) -> str:
    return "premium" if split(name)[0] in policy.premium else "standard"


def price(policy: TldPolicy, name: str, command: str, years: int = 1) -> Decimal:
    """What `command` costs for `name` (the RDN of a bundle: one price for the bundle)."""
    if command == "restore":
        return policy.restore
    per_year = policy.premium.get(split(name)[0]) or getattr(policy, command)
    return (per_year * years).quantize(Decimal("0.01"))


def money(value: Decimal) -> str:
    return str(value.quantize(Decimal("0.01")))


def verify_client_fee(ctx: Ctx, policy: TldPolicy, name: str, command: str,
                      amount: Decimal) -> None:
    """The client's fee:<command> must cover the price; premium names need one (RFC 8748)."""
    ext = ctx.ext(ns.FEE)
    if ext is None:
        if fee_class(policy, name) == "premium" and amount > 0:
            raise EppError(2306, f"{name} is a premium name costing {money(amount)} "
                                 f"{policy.currency}: send the fee extension to accept it")
        return
    currency = text(ext, "fee:currency")
    if currency and currency != policy.currency:
        raise EppError(2306, f"fees for .{split(name)[1]} are in {policy.currency}, "
                             f"not {currency}")
    offered = sum((Decimal(f.text or "0") for f in children(ext, "fee:fee")), Decimal(0))
    if offered < amount:
        raise EppError(2004, f"fee too low: {command} of {name} costs {money(amount)} "
                             f"{policy.currency}, the command offered {money(offered)}")


def result_element(ctx: Ctx, kind: str, policy: TldPolicy, amount: Decimal | None,
                   years: int | None = None, credit: Decimal | None = None) -> Element:
    """fee:creData / renData / trnData / updData / delData with the balance after it."""
    root = el(f"fee:{kind}")
    sub(root, "fee:currency", policy.currency)
    if years is not None:
        sub(root, "fee:period", str(years), {"unit": "y"})
    if amount is not None:
        sub(root, "fee:fee", money(amount), {"description": DESCRIPTIONS[kind]})
    if credit is not None and credit > 0:
        sub(root, "fee:credit", money(-credit), {"description": "grace period refund"})
    sub(root, "fee:balance", money(balance(ctx.conn, ctx.clid)))
    return root


def check_element(ctx: Ctx, fee_check: Element, names: list[str]) -> Element:
    """fee:chkData for the names of a domain:check (one cd per name and command).

    A name whose fees cannot be given (TLD not served, reserved name, other currency, a period
    this TLD does not sell) gets avail="0" and a reason instead of commands (RFC 8748 5.1.1)."""
    currency = text(fee_check, "fee:currency")
    commands = children(fee_check, "fee:command")
    root = el("fee:chkData")
    first = ctx.config.tlds.get(split(names[0])[1]) if names else None
    sub(root, "fee:currency", first.currency if first else "EUR")
    for name in names:
        cd = sub(root, "fee:cd")
        sub(cd, "fee:objID", name)
        try:
            policy = ctx.tld_of(name)
            if split(name)[0] in policy.reserved:
                raise EppError(2306, f"{name} is reserved by the registry: not for sale")
            if currency and currency != policy.currency:
                raise EppError(2306, f"fees for .{policy.name} are in {policy.currency}")
            quotes = [(command.get("name", ""), _years(ctx, policy, command))
                      for command in commands]
        except EppError as exc:
            cd.set("avail", "0")
            sub(cd, "fee:reason", exc.detail)
            continue
        sub(cd, "fee:class", fee_class(policy, name))
        for cmd_name, years in quotes:
            node = sub(cd, "fee:command", attrs={"name": cmd_name})
            if cmd_name not in COMMANDS:
                sub(node, "fee:reason", f"no fee is defined for {cmd_name}")
                continue
            if years is not None:
                sub(node, "fee:period", str(years), {"unit": "y"})
            if fee_class(policy, name) == "standard":
                node.set("standard", "1")
            sub(node, "fee:fee", money(price(policy, name, cmd_name, years or 1)),
                {"description": cmd_name})
    return root


def _years(ctx: Ctx, policy: TldPolicy, command: Element) -> int | None:
    """The years a priced command asks for (1 by default); None for restore (no period)."""
    if command.get("name") not in COMMANDS or command.get("name") == "restore":
        return None
    period = command.find(f"{{{ns.FEE}}}period")
    if period is None:
        return 1
    return ctx.years(int(period.text or "0"), period.get("unit", "y"), policy)
