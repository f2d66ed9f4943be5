"""Use case: deliver the written deposits to the escrow agent over SFTP, oldest first.

The library uploads (resuming), checks size and SHA-256 on the server and retries with
backoff. Attempts and the last error are recorded; a deposit that could not be delivered
stays ``written`` (the next run tries again) and raises an alert.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from bureau.core import clock
from bureau.escrow.deliver import DeliveryError, SftpTarget, deliver

from . import conf
from .alerts import raise_alert, resolve
from .models import AlertKind, Deposit, DepositState

log = logging.getLogger("bureau.registrar.escrow")


@dataclass
class DeliveryReport:
    delivered: list[Deposit] = field(default_factory=list)
    failed: list[tuple[Deposit, str]] = field(default_factory=list)


def deposit_paths(deposit: Deposit) -> list[Path]:
    folder = Path(deposit.folder)
    paths = [folder / name for name in deposit.file_names]
    missing = [p.name for p in paths if not p.is_file()]
    if missing:
        raise DeliveryError(f"deposit {deposit.date} {deposit.kind}: files missing from "
                            f"{folder}: {', '.join(missing)}")
    return paths


def deliver_one(deposit: Deposit, target: SftpTarget, retries: int,
                sleep: Callable[[float], None] = time.sleep) -> None:
    attempts = 1

    def counting_sleep(seconds: float) -> None:
        nonlocal attempts
        attempts += 1
        sleep(seconds)

    try:
        deliver(deposit_paths(deposit), target, retries=retries, sleep=counting_sleep)
    except DeliveryError as e:
        deposit.delivery_attempts += attempts
        deposit.error = str(e)
        deposit.save(update_fields=["delivery_attempts", "error"])
        raise
    deposit.delivery_attempts += attempts
    deposit.state = DepositState.DELIVERED
    deposit.delivered_at = clock.now()
    deposit.error = ""
    deposit.save(update_fields=["delivery_attempts", "state", "delivered_at", "error"])


def deliver_pending(target: SftpTarget | None = None, retries: int | None = None,
                    sleep: Callable[[float], None] = time.sleep,
                    report: Callable[[str], None] | None = None) -> DeliveryReport:
    target = target or conf.sftp_target()
    retries = conf.delivery_retries() if retries is None else retries
    out = DeliveryReport()
    for deposit in Deposit.objects.filter(state=DepositState.WRITTEN).order_by("started_at",
                                                                                "id"):
        if report:
            report(f"delivering {deposit.date} {deposit.kind} ({len(deposit.file_names)} files)")
        try:
            deliver_one(deposit, target, retries, sleep)
        except DeliveryError as e:
            out.failed.append((deposit, str(e)))
            raise_alert(AlertKind.DELIVERY,
                        f"Escrow deposit {deposit.date} ({deposit.kind}) was not delivered: {e}")
            break  # keep the order: later deposits wait for this one
        out.delivered.append(deposit)
        log.info("escrow deposit %s %s delivered", deposit.date, deposit.kind)
    if not out.failed:
        resolve(AlertKind.DELIVERY)
    return out
