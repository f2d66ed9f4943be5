"""Jobs of the core: a ledger check that also proves the queue works end to end."""

from __future__ import annotations

import logging

from django_tasks import task

logger = logging.getLogger(__name__)


@task()
def verify_ledger() -> int:
    """Check that every balance equals the sum of its entries; return the number that do not
    (0 when all is well) and log each one, since a drift is a bug to investigate."""
    from bureau.registrar.billing.ledger import verify_balances

    wrong = verify_balances()
    for account in wrong:
        logger.error("ledger drift on account %s (id %s)", account, account.pk)
    return len(wrong)
