"""Deposit history, the names each deposit holds, and operator alerts."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class DepositKind(models.TextChoices):
    FULL = "full", _("Full (weekly)")
    INCREMENTAL = "inc", _("Incremental (daily)")


class DepositState(models.TextChoices):
    WRITING = "writing", _("Being written")
    WRITTEN = "written", _("Written, not delivered")
    DELIVERED = "delivered", _("Delivered to the agent")
    VERIFIED = "verified", _("Delivered and verified")
    FAILED = "failed", _("Failed")


# Deposits whose names count as deposited (an incremental leaves them out).
DEPOSITED_STATES = (DepositState.WRITTEN, DepositState.DELIVERED, DepositState.VERIFIED)
# Deposits the agent has.
DELIVERED_STATES = (DepositState.DELIVERED, DepositState.VERIFIED)


class Deposit(models.Model):
    """One deposit: a folder of files made from a snapshot of the database at ``started_at``."""

    kind = models.CharField(_("kind"), max_length=4, choices=DepositKind.choices)
    date = models.DateField(_("deposit date (in the file names)"))
    profile = models.CharField(_("format profile"), max_length=32)
    compression = models.CharField(_("compression"), max_length=8)
    folder = models.CharField(_("folder"), max_length=500)
    state = models.CharField(_("state"), max_length=10, choices=DepositState.choices,
                             default=DepositState.WRITING)
    # [{"name", "kind", "seq", "records", "size", "sha256"}] of the data files, in order.
    files = models.JSONField(_("files"), default=list, blank=True)
    hash_file = models.CharField(_("hash file"), max_length=100, blank=True)
    records = models.PositiveBigIntegerField(_("rows"), default=0)
    skipped_redemption = models.PositiveBigIntegerField(_("names in redemption left out"),
                                                        default=0)
    started_at = models.DateTimeField(_("data read at"))
    written_at = models.DateTimeField(_("written at"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    delivery_attempts = models.PositiveIntegerField(_("delivery attempts"), default=0)
    error = models.TextField(_("last error"), blank=True)

    class Meta:
        verbose_name = _("deposit")
        verbose_name_plural = _("deposits")
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["kind", "state", "started_at"])]
        constraints = [
            # Two deposits of one day would share the hash file's name at the agent; this
            # also settles two workers (or a worker and an operator) starting at once.
            models.UniqueConstraint(fields=["date"], condition=~models.Q(state="failed"),
                                    name="escrow_one_deposit_per_day"),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.kind} ({self.state})"

    @property
    def file_names(self) -> list[str]:
        # the abbreviation table and the hash file's signature, then the hash file itself
        if not self.hash_file:
            return [str(f["name"]) for f in self.files]
        table = self.hash_file.replace("_hash.txt", "_abbreviations.txt")
        return [str(f["name"]) for f in self.files] + [table, f"{self.hash_file}.asc",
                                                       self.hash_file]


class DepositedName(models.Model):
    """A name a deposit holds: what an incremental leaves out (one anti-join in SQL) and what
    the verifier checks an incremental against. Millions of rows, written by one INSERT ...
    SELECT per deposit: no index (but the primary key) and no foreign-key constraint in the
    database, whose per-row checks and index updates took longer than writing the deposit
    itself (the deposit row is made first by the same use case; Django still cascades
    deletions); the queries read a deposit series whole, a sequential scan. Rows of superseded
    deposit series are pruned by a job of their own (tasks.prune_history)."""

    deposit = models.ForeignKey(Deposit, on_delete=models.CASCADE, related_name="names",
                                verbose_name=_("deposit"), db_constraint=False,
                                db_index=False)
    name = models.CharField(_("name (A-label)"), max_length=253)

    class Meta:
        verbose_name = _("deposited name")
        verbose_name_plural = _("deposited names")

    def __str__(self) -> str:
        return str(self.name)


class AlertKind(models.TextChoices):
    LATE_FULL = "late-full", _("Full deposit late")
    LATE_INC = "late-inc", _("Incremental deposit late")
    DELIVERY = "delivery", _("Delivery failed")
    DEPOSIT = "deposit", _("Deposit failed")


class EscrowAlert(models.Model):
    """Something the operator must look at; open until the condition is gone."""

    kind = models.CharField(_("kind"), max_length=10, choices=AlertKind.choices)
    message = models.TextField(_("message"))
    raised_at = models.DateTimeField(_("raised at"))
    last_seen_at = models.DateTimeField(_("last seen at"))
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    emailed = models.BooleanField(_("operators emailed"), default=False)

    class Meta:
        verbose_name = _("escrow alert")
        verbose_name_plural = _("escrow alerts")
        ordering = ["-raised_at"]
        constraints = [
            models.UniqueConstraint(fields=["kind"], condition=models.Q(resolved_at__isnull=True),
                                    name="escrow_one_open_alert_per_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.raised_at:%Y-%m-%d %H:%M})"
