"""Process a registry's poll queue: transfers in and out, auto-renewals, deletions, changes
made by the registry, decisions on names it reviewed before creating them. Each message is
stored and applied in one transaction, then acknowledged; a message seen again (lost ack: the
same id and the same content) is acknowledged without being applied twice, and a new message
under an id seen before is applied.

Errors: bureau.epp.EPPError when the registry cannot be reached (the job runs again later).
"""

from __future__ import annotations

import hashlib
import logging
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q

from bureau import epp
from bureau.core import clock
from bureau.registrar.domains.models import (
    HELD_STATES,
    DomainState,
    Operation,
    Outcome,
    live_domain,
)
from bureau.registrar.registries import connection
from bureau.registrar.registries.models import PollMessage, Registry

from .common import Actor, EppOutcome, record
from .domainops import apply_info
from .register import settle_reviewed_create
from .transfer import settle_transfer_in

logger = logging.getLogger("bureau.registrar.poll")
POLLER = Actor.system("poll")




def process_poll_queue(registry: Registry, limit: int = 500) -> int:
    """Apply up to ``limit`` messages; return how many were new."""
    applied = 0
    for _i in range(limit):
        response = connection.execute(registry, epp.PollRequest())
        message = epp.PollMessage.from_response(response)
        if message is None:
            break
        fingerprint = content_fingerprint(message)
        stored = _seen(registry, message, fingerprint)
        if stored is not None:
            logger.info("poll message %s already applied; acknowledging again", message.id)
            _acknowledge(registry, message, stored)
            continue
        try:
            with transaction.atomic():
                stored = PollMessage.objects.create(
                    registry=registry, msg_id=message.id, fingerprint=fingerprint,
                    queued_at=message.queued,
                    text=message.message or "", kind=type(message.data).__name__
                    if message.data is not None else "",
                    object_name=getattr(message.data, "name", "") or "")
                apply_message(registry, message, EppOutcome(response=response))
            applied += 1
        except IntegrityError:
            stored = PollMessage.objects.get(registry=registry, msg_id=message.id,
                                             fingerprint=fingerprint)
            logger.info("poll message %s already applied; acknowledging again", message.id)
        _acknowledge(registry, message, stored)
    return applied


def _seen(registry: Registry, message: epp.PollMessage, fingerprint: str) -> PollMessage | None:
    """The stored copy of this message: the same id and content (rows stored before content
    was fingerprinted: the same id, date and text)."""
    return PollMessage.objects.filter(registry=registry, msg_id=message.id).filter(
        Q(fingerprint=fingerprint)
        | Q(fingerprint="", queued_at=message.queued, text=message.message or "")).first()


def _acknowledge(registry: Registry, message: epp.PollMessage, stored: PollMessage) -> None:
    connection.execute(registry, epp.PollAck(message.id))
    PollMessage.objects.filter(pk=stored.pk).update(acked_at=clock.now())


def content_fingerprint(message: epp.PollMessage) -> str:
    """What makes a message this message, whatever its id: its date, text and data (the
    remaining count and the transaction ids change from one delivery to the next)."""
    content = repr((message.queued.isoformat() if message.queued else None, message.message,
                    message.data, message.change, message.extensions))
    return hashlib.sha256(content.encode()).hexdigest()


def apply_message(registry: Registry, message: epp.PollMessage, outcome: EppOutcome) -> None:
    data: Any = message.data
    if isinstance(data, epp.TransferData):
        _transfer(registry, data, outcome)
    elif isinstance(data, epp.PendingActionData):
        _pending_action(data, outcome, message)
    elif isinstance(data, epp.DomainInfoData):
        _changed(data, message, outcome)
    else:
        logger.info("poll message %s not about a domain: %s", message.id, message.message)


def _transfer(registry: Registry, data: epp.TransferData, outcome: EppOutcome) -> None:
    domain = live_domain(data.name)
    if domain is None:
        return
    ours = data.requested_by == registry.client_id
    detail = {"status": data.status, "requested_by": data.requested_by}
    if ours and domain.state == DomainState.PENDING_TRANSFER_IN:
        if data.status != "pending":
            settle_transfer_in(domain, POLLER, data.status, outcome, data.expires)
        return
    if ours:
        return
    # Someone else asks for (or got) one of our names.
    if data.status == "pending":
        domain.state = DomainState.PENDING_TRANSFER_OUT
        domain.statuses = sorted({*domain.statuses, "pendingTransfer"})
        operation, result = Operation.TRANSFER_OUT, Outcome.PENDING
    elif data.status in ("clientApproved", "serverApproved"):
        domain.state = DomainState.TRANSFERRED_OUT
        operation, result = Operation.TRANSFER_OUT, Outcome.SUCCESS
    else:
        domain.state = DomainState.ACTIVE
        domain.statuses = sorted(set(domain.statuses) - {"pendingTransfer"})
        operation, result = Operation.TRANSFER_CANCEL, Outcome.SUCCESS
    domain.save()
    record(domain=domain, name=domain.name, actor=POLLER, operation=operation, outcome=result,
           epp_outcome=outcome, detail=detail)


def _pending_action(data: epp.PendingActionData, outcome: EppOutcome,
                    message: epp.PollMessage) -> None:
    domain = live_domain(data.name)
    if domain is None:
        return
    if domain.state == DomainState.PENDING_CREATE:  # the registry reviewed the name
        settle_reviewed_create(
            domain, POLLER, data.success, outcome,
            message=message.message or ("approved after review" if data.success
                                        else "refused after review"),
            detail={"pa_cltrid": data.cltrid, "pa_svtrid": data.svtrid,
                    "pa_date": data.date.isoformat()})
        return
    if domain.state in (DomainState.REDEMPTION, DomainState.PENDING_DELETE) and data.success:
        domain.state = DomainState.DELETED
        domain.deleted_at = data.date
        domain.save()
        operation = Operation.DELETE
    else:
        operation = Operation.POLL
    record(domain=domain, name=domain.name, actor=POLLER, operation=operation,
           outcome=Outcome.SUCCESS if data.success else Outcome.FAILED, epp_outcome=outcome,
           message=message.message or "", detail={"pa_svtrid": data.svtrid})


def _changed(data: epp.DomainInfoData, message: epp.PollMessage,
             outcome: EppOutcome) -> None:
    domain = live_domain(data.name)
    if domain is None or domain.state not in HELD_STATES:
        return
    before = domain.expires_at
    changed = apply_info(domain, data)
    domain.save()
    change = message.change
    auto_renew = change is not None and change.operation == "autoRenew"
    record(domain=domain, name=domain.name, actor=POLLER,
           operation=Operation.AUTO_RENEW if auto_renew else Operation.POLL,
           outcome=Outcome.SUCCESS, epp_outcome=outcome, message=message.message or "",
           detail={"changed": changed, "change": change.operation if change else None,
                   "expires_before": before.isoformat() if before else None})
