"""Jobs of payments (run by `bureau worker`). They live beside the operations that queue them
(``notify``) and the ones they run, so that neither imports the other from outside."""

from __future__ import annotations

import logging

from django_tasks import task

from bureau.registrar.accounts.models import Organisation

from ..models import BankLine, LineState
from .debits import plan_renewal_debits
from .waiting import settle

logger = logging.getLogger("bureau.payments")


@task()
def settle_payments(*, organisation_id: int, line_ids: list[int]) -> dict[str, object]:
    """A payment was credited: pay what waited for it and tell the member."""
    done = settle(Organisation.objects.get(pk=organisation_id), line_ids)
    return {"registered": done.registered, "renewed": done.renewed,
            "failed": [name for name, _reason in done.failed],
            "still_waiting": [o.name for o in done.still_waiting]}


@task()
def plan_debits() -> dict[str, object]:
    """Announce the direct debits that coming auto-renewals need (periodic)."""
    return {"announced": [c.end_to_end for c in plan_renewal_debits()]}


@task()
def settle_statement(*, statement_id: int) -> dict[str, object]:
    """``settle_payments`` for every organisation a statement credited."""
    credited: dict[int, list[int]] = {}
    for line_id, organisation_id in BankLine.objects.filter(
            statement_id=statement_id, state=LineState.CREDITED,
            organisation__isnull=False).values_list("pk", "organisation_id"):
        credited.setdefault(organisation_id, []).append(line_id)
    failed = []
    for organisation in Organisation.objects.filter(pk__in=credited):
        try:
            settle(organisation, credited[organisation.pk])
        except Exception:
            logger.exception("settling the payments of organisation %s", organisation.pk)
            failed.append(organisation.pk)
    return {"organisations": len(credited), "failed": failed}
