"""The hook the registrar's price check asks: the adopted price in force, if any.

``price_for("test", "create", at=...)`` returns the price (cents, for one year of a create or
renew, or one transfer/restore) and currency of the most recent adopted price list whose
effective date has come and which lists that TLD and operation; ``None`` when no adopted
list covers it (the registrar then keeps its own TLD price).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bureau.coop import clock
from bureau.coop.models import PriceItem, PriceListState


@dataclass(frozen=True)
class AdoptedPrice:
    amount: int
    currency: str
    price_list_id: int


def item_in_force(subject: str, operation: str, at: datetime | None = None) -> PriceItem | None:
    at = at or clock.now()
    return (PriceItem.objects.select_related("price_list")
            .filter(subject=subject, operation=operation,
                    price_list__state=PriceListState.ADOPTED,
                    price_list__effective_from__lte=at)
            .order_by("-price_list__effective_from", "-price_list__adopted_at",
                      "-price_list_id").first())


def price_for(tld: str, operation: str, at: datetime | None = None) -> AdoptedPrice | None:
    item = item_in_force(tld, operation, at)
    if item is None:
        return None
    return AdoptedPrice(amount=item.price, currency=str(item.currency),
                        price_list_id=item.price_list_id)
