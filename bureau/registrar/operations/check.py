"""Check: is a name available, and what does an operation on it cost?

Price rule: the price list adopted by the members (bureau.coop, see ``cooperative_prices``),
else Bureau's list price for the TLD (per year for create and renew, flat for transfer
and restore), unless the registry's fee extension asks more (premium names), in which case
the member pays the registry's price. The registry's fee is kept in the quote so that the
create or renew can agree to exactly that amount.

Errors: InvalidName, TldNotSold (field "name").
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from django.utils.translation import gettext as _

from bureau import epp
from bureau.registrar.domains.names import split_tld, to_u_label
from bureau.registrar.registries.models import Registry, Tld

from .common import parse_name, parse_new_name, send, verify_tld_sold
from .errors import OutcomePending, RegistryRefused

PRICED_OPERATIONS = ("create", "renew", "transfer", "restore")


@dataclass(frozen=True)
class Quote:
    name: str
    available: bool
    price: int
    currency: str
    period: int = 1
    operation: str = "create"
    reason: str | None = None
    premium: bool = False
    # What the registry said it will charge (fee extension), to agree to in the command.
    registry_fee: Decimal | None = None
    registry_currency: str | None = None
    # Names the registry listed with this one in its check answer (RFC 9095 bundles: its
    # variants, registered with it), A-labels.
    bundled: tuple[str, ...] = ()
    # Taken as a bundled name of another registration: that registration's name (its RDN).
    bundle_of: str | None = None

    @property
    def names(self) -> tuple[str, ...]:
        """Every name one registration of this one gets: it, then its bundled names."""
        return (self.name, *self.bundled)

    @property
    def u_labels(self) -> tuple[str, ...]:
        return tuple(to_u_label(name) for name in self.names)

    @property
    def u_label(self) -> str:
        return to_u_label(self.name)


class AdoptedPrice(Protocol):
    @property
    def amount(self) -> int: ...  # cents

    @property
    def currency(self) -> str: ...


# Where the prices the members adopted come from, by TLD name for an operation: bureau.coop
# plugs its price lists in when it starts (CoopConfig.ready), so the registrar imports nothing
# of the cooperative. Without one, list prices are the TLD's own.
PriceSource = Callable[[Iterable[str], str], Mapping[str, AdoptedPrice]]
_price_source: PriceSource | None = None


def use_price_source(source: PriceSource | None) -> None:
    global _price_source
    _price_source = source


def cooperative_prices(tlds: Iterable[Tld], operation: str) -> dict[str, int]:
    """For each of these TLDs that a price list the members adopted, in force, covers for this
    operation in the TLD's currency, its price (cents, one year or one operation), by TLD name.
    One query whatever the number of TLDs (a search asks them all)."""
    if _price_source is None:
        return {}
    by_name = {tld.name: tld for tld in tlds}
    adopted = _price_source(by_name.keys(), operation)
    return {name: price.amount for name, price in adopted.items()
            if price.currency == by_name[name].currency}


def service_price(code: str) -> AdoptedPrice | None:
    """The yearly price the members adopted for a service (``Operation.DNS_HOSTING``), in
    force now; ``None`` when no adopted list prices it (the service is then free)."""
    if _price_source is None:
        return None
    return _price_source([code], "service").get(code)


def cooperative_price(tld: Tld, operation: str) -> int | None:
    """``cooperative_prices`` for one TLD: ``None`` when no adopted list in force covers it."""
    return cooperative_prices([tld], operation).get(tld.name)


def list_price(tld: Tld, operation: str, years: int) -> int:
    return priced(tld, operation, years, cooperative_price(tld, operation))


def priced(tld: Tld, operation: str, years: int, adopted: int | None) -> int:
    """The list price given the cooperative's price already looked up (``adopted``)."""
    if adopted is not None:
        return adopted * years if operation in ("create", "renew") else adopted
    if operation == "create":
        return int(tld.create_price) * years
    if operation == "renew":
        return int(tld.renew_price) * years
    if operation == "transfer":
        return int(tld.transfer_price)
    if operation == "restore":
        return int(tld.restore_price)
    raise ValueError(f"no price for operation {operation!r}")


def fee_offer(quote: Quote) -> epp.FeeOffer | None:
    """The fee to agree to in a create/renew/transfer/restore, when the registry quoted one."""
    if quote.registry_fee is None:
        return None
    return epp.FeeOffer([epp.Fee(quote.registry_fee)], currency=quote.registry_currency)


def verify_tlds_sold(names: list[str], sold: Mapping[str, Tld] | None = None
                     ) -> dict[str, Tld]:
    """``verify_tld_sold`` for many names in one query (a search asks every TLD at once), or
    none when the caller already holds the active TLDs (``sold``, by name, with registry)."""
    if sold is None:
        wanted = {split_tld(name)[1] for name in names}
        sold = {tld.name: tld for tld in Tld.objects.select_related("registry")
                .filter(name__in=wanted, is_active=True)}
    return {name: sold.get(split_tld(name)[1]) or verify_tld_sold(name) for name in names}


def check(names: list[str], *, operation: str = "create", period: int = 1,
          sold: Mapping[str, Tld] | None = None) -> list[Quote]:
    """Quotes for these names, in the order given (one check command per registry).
    ``sold``: the active TLDs by name with their registry, when the caller has loaded them."""
    # A name to register must be in one script per label; one held is quoted as it is.
    parse = parse_new_name if operation in ("create", "transfer") else parse_name
    parsed = [parse(name) for name in names]
    tlds = verify_tlds_sold(parsed, sold)
    by_registry: dict[int, list[str]] = defaultdict(list)
    registries: dict[int, Registry] = {}
    for name, tld in tlds.items():
        by_registry[tld.registry.pk].append(name)
        registries[tld.registry.pk] = tld.registry
    adopted = cooperative_prices(set(tlds.values()), operation)
    quotes: dict[str, Quote] = {}
    for registry_id, batch in by_registry.items():
        # A registry lists a name's bundle after it, but once only: two names of one bundle
        # asked together (entraide.ngo and entraide.ong) would show no bundle. A name in a
        # bundling TLD is therefore asked alone; the others go in one command.
        alone = [name for name in batch if tlds[name].bundles]
        together = [name for name in batch if not tlds[name].bundles]
        for names_asked in [*([name] for name in alone), *([together] if together else [])]:
            quotes.update(_check_at(registries[registry_id], names_asked, tlds, operation,
                                    period, adopted=adopted))
    return [quotes[name] for name in parsed]


def _check_at(registry: Registry, names: list[str], tlds: dict[str, Tld], operation: str,
              period: int, *, adopted: dict[str, int] | None = None) -> dict[str, Quote]:
    """``adopted``: the cooperative's prices of these TLDs, when the caller looked them up."""
    if adopted is None:
        adopted = cooperative_prices({tlds[name] for name in names}, operation)
    fee = None
    if registry.fee_namespace or registry.greeting_at is None:
        # Before the first greeting we do not know; the library refuses an extension the
        # registry did not offer, and then we ask again without it.
        fee = epp.FeeCheck([epp.FeeCommand(operation, epp.Period(period)
                                           if operation in ("create", "renew") else None)])
    try:
        outcome = send(registry, epp.DomainCheck(names, fee=fee))
    except epp.ExtensionNotLoggedIn:
        outcome = send(registry, epp.DomainCheck(names))
        fee = None
    if outcome.response is None:
        if outcome.failure is not None:
            raise RegistryRefused(outcome.message, outcome.failure.code, field="name")
        raise OutcomePending(outcome.message)
    data: epp.DomainCheckData = outcome.response.data
    fees: epp.FeeCheckData | None = outcome.response.extension(epp.FeeCheckData)
    bundled = listed_with(names, [r.name for r in data.results])
    result = {}
    for name in names:
        tld = tlds[name]
        availability = data[name]
        price = priced(tld, operation, period, adopted.get(tld.name))
        registry_fee = None
        currency = None
        premium = False
        fee_result = fees.for_name(name) if fees is not None else None
        quote = fee_result.quote(operation) if fee_result is not None else None
        available, reason = availability.available, availability.reason
        if available and fee_result is not None and not fee_result.available:
            # RFC 8748: the registry sells no such operation (e.g. that period) for the name.
            available, reason = False, fee_result.reason
        if quote is not None and quote.fees:
            registry_fee = quote.total
            currency = fees.currency if fees is not None else None
            premium = bool(fee_result and fee_result.premium)
            price = max(price, int((registry_fee * 100).to_integral_value()))
        result[name] = Quote(
            name=name, available=available, reason=reason,
            price=price, currency=str(tld.currency), period=period, operation=operation,
            premium=premium, registry_fee=registry_fee, registry_currency=currency,
            bundled=tuple(bundled.get(name, ())),
        )
        if not available and tld.bundles and operation == "create":
            result[name] = _with_bundle_of(registry, result[name])
    return result


def _with_bundle_of(registry: Registry, q: Quote) -> Quote:
    """A name taken as a variant of another one says so, in neutral terms: the registry's
    public info names the bundle's registered name."""
    outcome = send(registry, epp.DomainInfo(q.name))
    bundle = outcome.response.extension(epp.BundleData) if outcome.response else None
    if bundle is None or bundle.rdn.alabel == q.name:
        return q
    return dataclasses.replace(
        q, bundle_of=bundle.rdn.alabel,
        reason=str(_("part of a registered bundle, with %(name)s")
                   % {"name": to_u_label(bundle.rdn.alabel)}))


def listed_with(asked: list[str], listed: list[str]) -> dict[str, list[str]]:
    """Names a bundling registry added to its check answer, each after the name asked that
    produced it (RFC 9095 servers list a name's bundle with it)."""
    extra: dict[str, list[str]] = {}
    current = None
    wanted = set(asked)
    for name in listed:
        if name in wanted:
            current = name
        elif current is not None:
            extra.setdefault(current, []).append(name)
    return extra


def quote(name: str, *, operation: str = "create", period: int = 1,
          tld: Tld | None = None) -> Quote:
    """One name's quote; an operation that has verified the name (an A-label) and looked up
    its ``tld`` already passes it, which spares a query."""
    if tld is None:
        return check([name], operation=operation, period=period)[0]
    return _check_at(tld.registry, [name], {name: tld}, operation, period)[name]
