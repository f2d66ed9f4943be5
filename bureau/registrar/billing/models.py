"""Orders and a double-entry ledger of prepaid balances.

Amounts are integer cents with a currency. Every journal's entries sum to zero; an account's
balance is the sum of its entries (``LedgerAccount.balance`` caches it, updated in the same
transaction, and ``ledger.verify_balances`` proves they agree). A member account's balance is
the money that member can spend.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from bureau.core.appendonly import AppendOnlyModel
from bureau.registrar.accounts.models import Organisation
from bureau.registrar.domains.models import Domain, Operation


class AccountKind(models.TextChoices):
    MEMBER = "member", _("Member prepaid balance")
    # Where top-ups come from (bank, card): its balance is minus what members paid in.
    FUNDING = "funding", _("Payments received")
    REVENUE = "revenue", _("Sales")
    # The cooperative's share capital paid in by its members (owed back to them on leaving).
    CAPITAL = "capital", _("Share capital")


class LedgerAccount(models.Model):
    kind = models.CharField(_("kind"), max_length=12, choices=AccountKind.choices)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, null=True,
                                     blank=True, related_name="ledger_accounts",
                                     verbose_name=_("organisation"))
    currency = models.CharField(_("currency"), max_length=3)
    balance = models.BigIntegerField(_("balance (cents)"), default=0)

    class Meta:
        verbose_name = _("ledger account")
        verbose_name_plural = _("ledger accounts")
        constraints = [
            models.UniqueConstraint(fields=["kind", "organisation", "currency"],
                                    name="billing_one_account_per_member_currency"),
            models.UniqueConstraint(fields=["kind", "currency"],
                                    condition=models.Q(organisation__isnull=True),
                                    name="billing_one_system_account_per_currency"),
            models.CheckConstraint(
                condition=models.Q(organisation__isnull=False, kind="member")
                | (models.Q(organisation__isnull=True) & ~models.Q(kind="member")),
                name="billing_member_accounts_have_an_organisation",
            ),
        ]

    def __str__(self) -> str:
        owner = self.organisation or _("Bureau")
        return f"{owner} {self.get_kind_display()} {self.currency}"


class OrderState(models.TextChoices):
    # Charged; the registry has not answered yet.
    PENDING = "pending", _("In progress")
    # The registry's answer was lost: a reconciliation (info) decides.
    UNKNOWN = "unknown", _("Being checked with the registry")
    COMPLETED = "completed", _("Done")
    # Refused or failed; the charge was credited back in the same transaction.
    FAILED = "failed", _("Failed, refunded")
    # Done, then undone within a grace period (e.g. deleted within the add grace period):
    # the registry credited Bureau, Bureau credits the member.
    REFUNDED = "refunded", _("Undone, refunded")


class Order(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT,
                                     related_name="orders", verbose_name=_("organisation"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                             blank=True, related_name="+", verbose_name=_("ordered by"))
    operation = models.CharField(_("operation"), max_length=24, choices=Operation.choices)
    domain_name = models.CharField(_("domain name"), max_length=253)
    domain = models.ForeignKey(Domain, on_delete=models.PROTECT, null=True, blank=True,
                               related_name="orders", verbose_name=_("domain"))
    period = models.PositiveSmallIntegerField(_("years"), default=1)
    amount = models.PositiveIntegerField(_("amount (cents)"))
    currency = models.CharField(_("currency"), max_length=3)
    state = models.CharField(_("state"), max_length=12, choices=OrderState.choices,
                             default=OrderState.PENDING)
    cl_trid = models.CharField(_("client transaction id"), max_length=64, blank=True)
    message = models.TextField(_("message"), blank=True)
    created_at = models.DateTimeField(_("ordered at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_operation_display()} {self.domain_name}"

    @property
    def is_open(self) -> bool:
        return self.state in (OrderState.PENDING, OrderState.UNKNOWN)


class JournalKind(models.TextChoices):
    TOP_UP = "top-up", _("Top-up")
    CHARGE = "charge", _("Charge")
    REFUND = "refund", _("Refund")
    ADJUSTMENT = "adjustment", _("Adjustment")
    SHARE = "share", _("Share payment")
    # A payment the bank took back (a direct debit returned): the top-up undone.
    REVERSAL = "reversal", _("Payment returned")
    # Money paid back by transfer: a balance's remainder, or shares on leaving.
    PAYOUT = "payout", _("Paid back")


class Journal(AppendOnlyModel):
    """One movement of money: two or more entries that sum to zero."""

    kind = models.CharField(_("kind"), max_length=12, choices=JournalKind.choices)
    order = models.ForeignKey(Order, on_delete=models.PROTECT, null=True, blank=True,
                              related_name="journals", verbose_name=_("order"))
    memo = models.CharField(_("memo"), max_length=255, blank=True)
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("journal")
        verbose_name_plural = _("journals")
        constraints = [
            # The database itself refuses a second charge or a second refund for an order.
            models.UniqueConstraint(fields=["order"], condition=models.Q(kind="charge"),
                                    name="billing_order_charged_once"),
            models.UniqueConstraint(fields=["order"], condition=models.Q(kind="refund"),
                                    name="billing_order_refunded_once"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"


class Entry(AppendOnlyModel):
    journal = models.ForeignKey(Journal, on_delete=models.PROTECT, related_name="entries",
                                verbose_name=_("journal"))
    account = models.ForeignKey(LedgerAccount, on_delete=models.PROTECT,
                                related_name="entries", verbose_name=_("account"))
    # Signed: positive adds to the account's balance.
    amount = models.BigIntegerField(_("amount (cents)"))

    class Meta:
        verbose_name = _("entry")
        verbose_name_plural = _("entries")

    def __str__(self) -> str:
        return f"{self.account}: {self.amount:+d}"
