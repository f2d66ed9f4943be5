"""The hook the registrar's price check asks: the adopted prices in force, if any.

``prices_for(["test", "example"], "create", at=...)`` returns, in one query, the price (cents,
for one year of a create or renew, or one transfer/restore) and currency of each TLD listed by
the most recent adopted price list whose effective date has come and which lists that TLD and
operation; a TLD no adopted list covers is left out (the registrar then keeps its own TLD
price). ``price_for("test", "create")`` is the same for one TLD, ``None`` when none covers it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from bureau.coop.models import PriceItem, PriceListState
from bureau.core import clock

# Which adopted list wins for a subject: the latest effective date, then the latest adoption,
# then the latest list.
IN_FORCE_ORDER = ("-price_list__effective_from", "-price_list__adopted_at", "-price_list_id")


@dataclass(frozen=True)
class AdoptedPrice:
    amount: int
    currency: str
    price_list_id: int


def items_in_force(subjects: Iterable[str], operation: str,
                   at: datetime | None = None) -> dict[str, PriceItem]:
    """The price item in force for each subject an adopted list covers, in one query (every
    adopted item of these subjects, latest first: the lists are few, decided by ballot)."""
    wanted = set(subjects)
    if not wanted:
        return {}
    at = at or clock.now()
    found: dict[str, PriceItem] = {}
    for item in (PriceItem.objects.select_related("price_list")
                 .filter(subject__in=wanted, operation=operation,
                         price_list__state=PriceListState.ADOPTED,
                         price_list__effective_from__lte=at)
                 .order_by(*IN_FORCE_ORDER)):
        found.setdefault(item.subject, item)
    return found


def item_in_force(subject: str, operation: str, at: datetime | None = None) -> PriceItem | None:
    return items_in_force([subject], operation, at).get(subject)


def prices_for(tlds: Iterable[str], operation: str,
               at: datetime | None = None) -> dict[str, AdoptedPrice]:
    """The adopted price in force for each of these TLDs an adopted list covers (one query)."""
    return {subject: AdoptedPrice(amount=item.price, currency=str(item.currency),
                                  price_list_id=item.price_list_id)
            for subject, item in items_in_force(tlds, operation, at).items()}


def price_for(tld: str, operation: str, at: datetime | None = None) -> AdoptedPrice | None:
    return prices_for([tld], operation, at).get(tld)
