"""Bank statements imported, and each booked line of them.

A line's ``entry_ref`` (the bank's reference, with the account) is unique: importing the
same movement again, from the same or an overlapping statement, finds it and credits
nothing. A credited line points to its ledger journal (a top-up)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from bureau.coop.models import Member
from bureau.registrar.accounts.models import Organisation
from bureau.registrar.billing.ledger import format_cents
from bureau.registrar.billing.models import Journal
from bureau.registrar.contacts.models import Contact


class Money(models.Model):
    """An amount in cents of one currency: what every row of money here carries."""

    amount = models.PositiveBigIntegerField(_("amount (cents)"))
    currency = models.CharField(_("currency"), max_length=3)

    class Meta:
        abstract = True

    @property
    def money(self) -> str:
        return f"{format_cents(int(self.amount))} {self.currency}"


class Credited(Money):
    """Money the ledger credited once it was paid (``journal``), and the journal that took it
    back when the bank or the card provider did (``reversal``)."""

    journal = models.OneToOneField(Journal, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="%(class)s", verbose_name=_("credit"))
    reversal = models.OneToOneField(Journal, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="reversed_%(class)s",
                                    verbose_name=_("reversal"))

    class Meta:
        abstract = True


class StatementImport(models.Model):
    filename = models.CharField(_("file"), max_length=255)
    digest = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    format = models.CharField(_("format"), max_length=10)
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    null=True, blank=True, related_name="+",
                                    verbose_name=_("imported by"))
    imported_at = models.DateTimeField(_("imported at"), auto_now_add=True)
    lines = models.PositiveIntegerField(_("lines"), default=0)
    credited = models.PositiveIntegerField(_("credited"), default=0)
    waiting = models.PositiveIntegerField(_("waiting for staff"), default=0)
    debits = models.PositiveIntegerField(_("money out"), default=0)
    known = models.PositiveIntegerField(_("already imported"), default=0)

    class Meta:
        verbose_name = _("statement import")
        verbose_name_plural = _("statement imports")
        ordering = ["-imported_at", "-id"]

    def __str__(self) -> str:
        return f"{self.filename} ({self.imported_at:%Y-%m-%d %H:%M})"


class LineState(models.TextChoices):
    CREDITED = "credited", _("Credited")
    WAITING = "waiting", _("Waiting for staff")
    DEBIT = "debit", _("Money out")


class MatchedBy(models.TextChoices):
    REFERENCE = "reference", _("Payment reference")
    INVOICE = "invoice", _("Invoice number")
    STAFF = "staff", _("Assigned by staff")


class BankLine(Money):
    entry_ref = models.CharField(_("bank reference"), max_length=200, unique=True)
    statement = models.ForeignKey(StatementImport, on_delete=models.PROTECT,
                                  related_name="bank_lines", verbose_name=_("statement"))
    booked_on = models.DateField(_("booked on"))
    credit = models.BooleanField(_("money in"))
    name = models.CharField(_("payer or payee"), max_length=140, blank=True)
    iban = models.CharField(_("IBAN"), max_length=34, blank=True)
    remittance = models.TextField(_("remittance information"), blank=True)
    reference = models.CharField(_("structured reference"), max_length=35, blank=True)
    end_to_end = models.CharField(_("end-to-end id"), max_length=35, blank=True)
    returned = models.BooleanField(_("returned or reversed"), default=False)
    return_reason = models.CharField(_("return reason"), max_length=4, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=LineState.choices)
    matched_by = models.CharField(_("matched by"), max_length=10, choices=MatchedBy.choices,
                                  blank=True)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, null=True,
                                     blank=True, related_name="bank_lines",
                                     verbose_name=_("organisation"))
    # A payment of cooperative shares (reference RF..S<member number>) credits no balance.
    member = models.ForeignKey(Member, on_delete=models.PROTECT, null=True, blank=True,
                               related_name="bank_lines", verbose_name=_("member (shares)"))
    note = models.CharField(_("why it waits"), max_length=255, blank=True)
    suggestion = models.ForeignKey(Organisation, on_delete=models.SET_NULL, null=True,
                                   blank=True, related_name="+",
                                   verbose_name=_("suggested organisation"))
    journal = models.OneToOneField(Journal, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="bank_line", verbose_name=_("ledger journal"))
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    null=True, blank=True, related_name="+",
                                    verbose_name=_("assigned by"))
    assigned_at = models.DateTimeField(_("assigned at"), null=True, blank=True)

    class Meta:
        verbose_name = _("bank statement line")
        verbose_name_plural = _("bank statement lines")
        ordering = ["-booked_on", "-id"]
        indexes = [models.Index(fields=["state", "booked_on"])]

    def __str__(self) -> str:
        return f"{self.booked_on} {self.money} {self.name}"


class WaitingState(models.TextChoices):
    WAITING = "waiting", _("Waiting for payment")
    STARTED = "started", _("Paid, being registered")
    CANCELLED = "cancelled", _("Cancelled")


class WaitingOrder(models.Model):
    """A name the member ordered without the money on the balance: registered as soon as a
    payment credits enough (``operations.waiting``)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE,
                                     related_name="waiting_orders",
                                     verbose_name=_("organisation"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="+", verbose_name=_("ordered by"))
    name = models.CharField(_("domain name"), max_length=253)
    registrant = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="+",
                                   verbose_name=_("holder"))
    period = models.PositiveSmallIntegerField(_("years"), default=1)
    price = models.PositiveIntegerField(_("price accepted (cents)"))
    currency = models.CharField(_("currency"), max_length=3)
    state = models.CharField(_("state"), max_length=10, choices=WaitingState.choices,
                             default=WaitingState.WAITING)
    created_at = models.DateTimeField(_("ordered at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)

    class Meta:
        verbose_name = _("order waiting for payment")
        verbose_name_plural = _("orders waiting for payment")
        ordering = ["created_at", "id"]
        constraints = [models.UniqueConstraint(
            fields=["organisation", "name"], condition=models.Q(state="waiting"),
            name="payments_one_waiting_order_per_name")]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_state_display()})"


class Mandate(models.Model):
    """A SEPA Core direct-debit mandate: the organisation lets the cooperative collect from
    this account. The text the person accepted is kept as shown."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT,
                                     related_name="mandates", verbose_name=_("organisation"))
    reference = models.CharField(_("mandate reference"), max_length=35, unique=True)
    holder = models.CharField(_("account holder"), max_length=70)
    iban = models.CharField(_("IBAN"), max_length=34)
    bic = models.CharField(_("BIC"), max_length=11)
    signed_on = models.DateField(_("signed on"))
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                  related_name="+", verbose_name=_("signed by"))
    text = models.TextField(_("mandate text accepted"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    # Two returned or rejected collections in a row suspend renewals by direct debit.
    failures = models.PositiveSmallIntegerField(_("failed collections in a row"), default=0)
    suspended_at = models.DateTimeField(_("suspended at"), null=True, blank=True)

    class Meta:
        verbose_name = _("direct-debit mandate")
        verbose_name_plural = _("direct-debit mandates")
        constraints = [models.UniqueConstraint(
            fields=["organisation"], condition=models.Q(revoked_at__isnull=True),
            name="payments_one_mandate_in_force")]

    def __str__(self) -> str:
        return str(self.reference)

    @property
    def usable(self) -> bool:
        return self.revoked_at is None and self.suspended_at is None


class DebitFile(models.Model):
    """A pain.008 file handed to the bank."""

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   null=True, blank=True, related_name="+",
                                   verbose_name=_("created by"))
    xml = models.BinaryField(_("pain.008 file"))
    # The file's MsgId: how the bank's status report (pain.002) names it.
    message_id = models.CharField(_("message id"), max_length=35, blank=True, db_index=True)
    collections = models.PositiveIntegerField(_("collections"))
    total = models.PositiveBigIntegerField(_("total (cents)"))

    class Meta:
        verbose_name = _("direct-debit file")
        verbose_name_plural = _("direct-debit files")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"pain.008 #{self.pk}"


class CollectionState(models.TextChoices):
    SCHEDULED = "scheduled", _("Announced")
    SENT = "sent", _("Sent to the bank")
    PAID = "paid", _("Paid")
    RETURNED = "returned", _("Returned or rejected")


class Collection(Credited):
    """One direct debit: announced to the member (pre-notification), put in a pain.008
    file, then confirmed (credited to the balance) or returned by a bank statement."""

    mandate = models.ForeignKey(Mandate, on_delete=models.PROTECT, related_name="collections",
                                verbose_name=_("mandate"))
    # Set when it pays a member's shares (into the share capital, not the balance).
    member = models.ForeignKey(Member, on_delete=models.PROTECT, null=True, blank=True,
                               related_name="collections", verbose_name=_("member (shares)"))
    end_to_end = models.CharField(_("end-to-end id"), max_length=35, unique=True)
    due_on = models.DateField(_("due on"))
    text = models.CharField(_("text"), max_length=140)
    # What it is for, once: "renewal:<domain id>:<paid until>" keeps a job from asking twice.
    purpose = models.CharField(_("purpose"), max_length=100, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=CollectionState.choices,
                             default=CollectionState.SCHEDULED)
    sequence = models.CharField(_("sequence type"), max_length=4, blank=True)
    file = models.ForeignKey(DebitFile, on_delete=models.PROTECT, null=True, blank=True,
                             related_name="items", verbose_name=_("file"))
    return_reason = models.CharField(_("return reason"), max_length=4, blank=True)
    created_at = models.DateTimeField(_("announced at"), auto_now_add=True)

    class Meta:
        verbose_name = _("direct debit")
        verbose_name_plural = _("direct debits")
        ordering = ["due_on", "id"]
        constraints = [models.UniqueConstraint(
            fields=["purpose"], condition=~models.Q(purpose="") & ~models.Q(state="returned"),
            name="payments_one_collection_per_purpose")]

    def __str__(self) -> str:
        return f"{self.end_to_end} {self.money}"


class CardState(models.TextChoices):
    OPEN = "open", _("Waiting for the card payment")
    PAID = "paid", _("Paid")
    REFUNDED = "refunded", _("Refunded")
    DISPUTED = "disputed", _("Disputed")


class CardPayment(Credited):
    """A top-up by card through the provider's hosted checkout page."""

    # A top-up of this organisation's balance, or a payment of this member's shares.
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, null=True,
                                     blank=True, related_name="card_payments",
                                     verbose_name=_("organisation"))
    member = models.ForeignKey(Member, on_delete=models.PROTECT, null=True, blank=True,
                               related_name="card_payments", verbose_name=_("member (shares)"))
    provider = models.CharField(_("provider"), max_length=20)
    checkout_id = models.CharField(_("checkout id"), max_length=255, unique=True)
    payment_id = models.CharField(_("payment id"), max_length=255, blank=True, db_index=True)
    state = models.CharField(_("state"), max_length=10, choices=CardState.choices,
                             default=CardState.OPEN)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("paid by"))
    created_at = models.DateTimeField(_("started at"), auto_now_add=True)

    class Meta:
        verbose_name = _("card payment")
        verbose_name_plural = _("card payments")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.provider} {self.checkout_id}"


class ProviderEvent(models.Model):
    """A webhook event handled once: the provider may send it again."""

    provider = models.CharField(_("provider"), max_length=20)
    event_id = models.CharField(_("event id"), max_length=255)
    kind = models.CharField(_("kind"), max_length=100)
    received_at = models.DateTimeField(_("received at"), auto_now_add=True)

    class Meta:
        verbose_name = _("provider event")
        verbose_name_plural = _("provider events")
        constraints = [models.UniqueConstraint(fields=["provider", "event_id"],
                                               name="payments_event_once")]

    def __str__(self) -> str:
        return f"{self.provider} {self.event_id}"


class PayoutState(models.TextChoices):
    REQUESTED = "requested", _("To send")
    SENT = "sent", _("Sent to the bank")
    DONE = "done", _("Seen on the statement")


class Payout(Money):
    """Money paid back by credit transfer: what is left on a balance, or cooperative shares
    refunded on leaving. Booked in the ledger when requested (the money is owed from then);
    the bank's statement shows it went out."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, null=True,
                                     blank=True, related_name="payouts",
                                     verbose_name=_("organisation"))
    member = models.ForeignKey(Member, on_delete=models.PROTECT, null=True, blank=True,
                               related_name="payouts", verbose_name=_("member (shares)"))
    name = models.CharField(_("payee"), max_length=70)
    iban = models.CharField(_("IBAN"), max_length=34)
    bic = models.CharField(_("BIC"), max_length=11)
    text = models.CharField(_("text"), max_length=140)
    end_to_end = models.CharField(_("end-to-end id"), max_length=35, unique=True)
    state = models.CharField(_("state"), max_length=10, choices=PayoutState.choices,
                             default=PayoutState.REQUESTED)
    journal = models.OneToOneField(Journal, on_delete=models.PROTECT, related_name="payout",
                                   verbose_name=_("ledger journal"))
    file = models.ForeignKey("PayoutFile", on_delete=models.PROTECT, null=True, blank=True,
                             related_name="items", verbose_name=_("file"))
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                     null=True, blank=True, related_name="+",
                                     verbose_name=_("requested by"))
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)

    class Meta:
        verbose_name = _("payout")
        verbose_name_plural = _("payouts")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.end_to_end} {self.money}"


class PayoutFile(models.Model):
    """A pain.001 file handed to the bank."""

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   null=True, blank=True, related_name="+",
                                   verbose_name=_("created by"))
    xml = models.BinaryField(_("pain.001 file"))
    transfers = models.PositiveIntegerField(_("transfers"))
    total = models.PositiveBigIntegerField(_("total (cents)"))

    class Meta:
        verbose_name = _("credit-transfer file")
        verbose_name_plural = _("credit-transfer files")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"pain.001 #{self.pk}"
