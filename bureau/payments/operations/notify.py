"""After a payment is credited (the transaction committed): a job pays what was waiting for
the money and emails the organisation's billing people."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

logger = logging.getLogger("bureau.payments")


def after_credit(organisation_ids: Sequence[int], lines: Sequence[Any]) -> None:
    from ..tasks import settle_payments

    by_organisation: dict[int, list[int]] = {}
    for line in lines:
        by_organisation.setdefault(line.organisation_id, []).append(line.pk)
    for organisation_id in organisation_ids:
        settle_payments.enqueue(organisation_id=organisation_id,
                                line_ids=by_organisation.get(organisation_id, []))
