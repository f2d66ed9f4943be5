"""The cooperative's records.

Membership: ``College`` (configurable), ``Member`` (one per person), ``ShareMovement``
(append-only: subscriptions and refunds at nominal value; a member's shares are the sum).
Decisions: ``Ballot`` with ``BallotOption``s; ``Participation`` records *that* a member voted
(one person, one vote); ``Vote`` records *what* was chosen with a random receipt token and,
for a secret ballot, no link to the person. ``PriceList`` / ``PriceItem`` are participatory
price proposals (breakdown and resulting price) with ``Comment``s and a ballot.
Invoices: ``Invoice`` (append-only, number from ``InvoiceSequence`` in the same transaction).
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from bureau.core.appendonly import AppendOnlyModel
from bureau.registrar.accounts.models import Organisation
from bureau.registrar.billing.models import Journal


class Admission(models.TextChoices):
    """Who may choose a college when joining: anyone, or only Bureau's staff accounts (the
    employees' college: a customer cannot join it)."""

    ANYONE = "anyone", _("Anyone")
    STAFF = "staff", _("Bureau's staff (its employees)")


class College(models.Model):
    """A college of the SCIC (employees, customers/beneficiaries, contributors...)."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_open = models.BooleanField(_("open to new members"), default=True)
    admission = models.CharField(
        _("who may join it"), max_length=12, choices=Admission.choices,
        default=Admission.ANYONE)

    class Meta:
        verbose_name = _("college")
        verbose_name_plural = _("colleges")
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return str(self.name)

    @property
    def label(self) -> str:
        """The name in the page's language while it is the founding one (renamed in the
        admin: as the cooperative wrote it)."""
        default = FOUNDING_COLLEGES.get(self.code)
        if default is not None and self.name == default[0]:
            return str(default[1])
        return str(self.name)


# The colleges created by migration 0002: their stored (French) name, translated label.
FOUNDING_COLLEGES = {
    "employees": ("Salarié·es", _("Employees")),
    "customers": ("Client·es et bénéficiaires", _("Customers and beneficiaries")),
    "contributors": ("Contributeurs et contributrices", _("Contributors")),
}


class MemberStatus(models.TextChoices):
    # Joined, shares subscribed, not paid yet: not a member until they are (no vote).
    PENDING = "pending", _("Share payment awaited")
    ACTIVE = "active", _("Member")
    LEFT = "left", _("Left")
    EXCLUDED = "excluded", _("Excluded")


class Member(models.Model):
    """A person who holds shares: an associate (associé·e) of the cooperative."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                related_name="coop_member", verbose_name=_("person"))
    number = models.PositiveIntegerField(_("member number"), unique=True)
    college = models.ForeignKey(College, on_delete=models.PROTECT, related_name="members",
                                verbose_name=_("college"))
    display_name = models.CharField(_("name"), max_length=200)
    status = models.CharField(_("status"), max_length=10, choices=MemberStatus.choices,
                              default=MemberStatus.ACTIVE)
    joined_at = models.DateTimeField(_("joined at"))
    left_at = models.DateTimeField(_("left at"), null=True, blank=True)
    leaving_reason = models.TextField(_("reason for leaving"), blank=True)

    class Meta:
        verbose_name = _("member")
        verbose_name_plural = _("members")
        ordering = ["number"]

    def __str__(self) -> str:
        return f"#{self.number} {self.display_name}"

    @property
    def is_active(self) -> bool:
        return self.status == MemberStatus.ACTIVE

    @property
    def shares(self) -> int:
        total = self.movements.aggregate(total=models.Sum("shares"))["total"]
        return int(total or 0)


class MovementKind(models.TextChoices):
    SUBSCRIPTION = "subscription", _("Subscription")
    REFUND = "refund", _("Refund")


class ShareMovement(AppendOnlyModel):
    """Shares subscribed (+) or refunded (-), always at their nominal value."""

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="movements",
                               verbose_name=_("member"))
    kind = models.CharField(_("kind"), max_length=12, choices=MovementKind.choices)
    shares = models.IntegerField(_("shares"))
    unit_value = models.PositiveIntegerField(_("nominal value (cents)"))
    currency = models.CharField(_("currency"), max_length=3)
    at = models.DateTimeField(_("at"))
    reason = models.CharField(_("reason"), max_length=255, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    null=True, blank=True, related_name="+",
                                    verbose_name=_("recorded by"))

    class Meta:
        verbose_name = _("share movement")
        verbose_name_plural = _("share movements")
        ordering = ["at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(kind="subscription", shares__gt=0)
                           | models.Q(kind="refund", shares__lt=0)),
                name="coop_movement_sign_matches_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.member} {self.shares:+d}"

    @property
    def amount(self) -> int:
        return self.shares * self.unit_value


class SharePayment(AppendOnlyModel):
    """Money a member paid for their shares (bank transfer, or recorded by staff), with the
    ledger journal that moved it into the share capital."""

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="payments",
                               verbose_name=_("member"))
    journal = models.OneToOneField(Journal, on_delete=models.PROTECT,
                                   related_name="share_payment",
                                   verbose_name=_("ledger journal"))
    # Negative: a payment taken back (a direct debit returned, a card payment refunded).
    amount = models.IntegerField(_("amount (cents)"))
    currency = models.CharField(_("currency"), max_length=3)
    at = models.DateTimeField(_("at"))
    how = models.CharField(_("paid by"), max_length=140)

    class Meta:
        verbose_name = _("share payment")
        verbose_name_plural = _("share payments")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.member} {self.amount}"


class BallotState(models.TextChoices):
    # Scheduled by the board, not yet shown to members.
    DRAFT = "draft", _("Scheduled")
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed, results published")


class Ballot(models.Model):
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("proposal"))
    opens_at = models.DateTimeField(_("opens at"))
    closes_at = models.DateTimeField(_("closes at"))
    quorum_percent = models.PositiveSmallIntegerField(
        _("quorum (% of members)"), default=25,
        help_text=_("Share of the members who must take part for the result to count."))
    secret = models.BooleanField(_("secret ballot"), default=True)
    # {college code: percent}; empty means one person, one vote without weighting.
    college_weights = models.JSONField(_("college weights (%)"), default=dict, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=BallotState.choices,
                             default=BallotState.DRAFT)
    # Filled at closing, never changed after.
    electorate = models.JSONField(_("members entitled to vote, per college"), default=dict,
                                  blank=True)
    result = models.JSONField(_("result"), default=dict, blank=True)
    commitment = models.CharField(_("SHA-256 of the published votes"), max_length=64,
                                  blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   null=True, blank=True, related_name="+",
                                   verbose_name=_("proposed by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("ballot")
        verbose_name_plural = _("ballots")
        ordering = ["-opens_at", "-id"]
        # The board: who schedules, opens and closes ballots from the portal.
        permissions = [("manage_ballots", _("Can schedule, open and close ballots"))]

    def __str__(self) -> str:
        return str(self.title)

    @property
    def weighted(self) -> bool:
        return bool(self.college_weights)


class OptionMeaning(models.TextChoices):
    FOR = "for", _("For")
    AGAINST = "against", _("Against")
    ABSTAIN = "abstain", _("Abstention")
    CHOICE = "choice", _("Choice")


class BallotOption(models.Model):
    ballot = models.ForeignKey(Ballot, on_delete=models.CASCADE, related_name="options",
                               verbose_name=_("ballot"))
    position = models.PositiveSmallIntegerField(_("position"))
    label = models.CharField(_("label"), max_length=200)
    meaning = models.CharField(_("meaning"), max_length=10, choices=OptionMeaning.choices,
                               default=OptionMeaning.CHOICE)

    class Meta:
        verbose_name = _("option")
        verbose_name_plural = _("options")
        ordering = ["position"]
        constraints = [models.UniqueConstraint(fields=["ballot", "position"],
                                               name="coop_option_position_once")]

    def __str__(self) -> str:
        return str(self.label)


class Participation(AppendOnlyModel):
    """That a member took part in a ballot (not what they chose, for a secret ballot)."""

    ballot = models.ForeignKey(Ballot, on_delete=models.PROTECT, related_name="participations",
                               verbose_name=_("ballot"))
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="participations",
                               verbose_name=_("member"))
    college = models.ForeignKey(College, on_delete=models.PROTECT, related_name="+",
                                verbose_name=_("college"))

    class Meta:
        verbose_name = _("participation")
        verbose_name_plural = _("participations")
        constraints = [models.UniqueConstraint(fields=["ballot", "member"],
                                               name="coop_one_person_one_vote")]


class Vote(AppendOnlyModel):
    """A cast vote. Random primary key and no timestamp, so that neither the order of rows
    nor a time links a secret vote to its ``Participation``."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    ballot = models.ForeignKey(Ballot, on_delete=models.PROTECT, related_name="votes",
                               verbose_name=_("ballot"))
    option = models.ForeignKey(BallotOption, on_delete=models.PROTECT, related_name="votes",
                               verbose_name=_("option"))
    college = models.ForeignKey(College, on_delete=models.PROTECT, related_name="+",
                                verbose_name=_("college"))
    receipt = models.CharField(_("receipt"), max_length=40, unique=True)
    # Only for a public ballot.
    member = models.ForeignKey(Member, on_delete=models.PROTECT, null=True, blank=True,
                               related_name="public_votes", verbose_name=_("member"))

    class Meta:
        verbose_name = _("vote")
        verbose_name_plural = _("votes")


class PriceListState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    VOTING = "voting", _("Being voted on")
    ADOPTED = "adopted", _("Adopted")
    REJECTED = "rejected", _("Rejected")


class PriceList(models.Model):
    """A participatory price proposal; once adopted by its ballot it is what the registrar
    charges from ``effective_from`` until a later adopted list takes over."""

    title = models.CharField(_("title"), max_length=200)
    rationale = models.TextField(_("rationale"), blank=True)
    effective_from = models.DateTimeField(_("takes effect on"))
    state = models.CharField(_("state"), max_length=10, choices=PriceListState.choices,
                             default=PriceListState.DRAFT)
    ballot = models.OneToOneField(Ballot, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="price_list", verbose_name=_("ballot"))
    adopted_at = models.DateTimeField(_("adopted at"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   null=True, blank=True, related_name="+",
                                   verbose_name=_("proposed by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("price list")
        verbose_name_plural = _("price lists")
        ordering = ["-effective_from", "-id"]

    def __str__(self) -> str:
        return str(self.title)


class PricedOperation(models.TextChoices):
    CREATE = "create", _("Registration (per year)")
    RENEW = "renew", _("Renewal (per year)")
    TRANSFER = "transfer", _("Transfer")
    RESTORE = "restore", _("Restore")
    SERVICE = "service", _("Service (per year)")


class PriceItem(models.Model):
    """One price and its breakdown, in cents. The price is the sum of the parts."""

    price_list = models.ForeignKey(PriceList, on_delete=models.CASCADE, related_name="items",
                                   verbose_name=_("price list"))
    # A TLD (A-label, no dot) or a service code (e.g. "dns-hosting").
    subject = models.CharField(_("TLD or service"), max_length=63)
    operation = models.CharField(_("operation"), max_length=10,
                                 choices=PricedOperation.choices)
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    wholesale = models.PositiveIntegerField(_("registry wholesale cost"))
    fees = models.PositiveIntegerField(_("ICANN and registry fees"), default=0)
    payment_costs = models.PositiveIntegerField(_("payment costs"), default=0)
    operating_share = models.PositiveIntegerField(_("cooperative's operating share"),
                                                  default=0)
    reserve = models.PositiveIntegerField(_("reserve"), default=0)

    class Meta:
        verbose_name = _("price")
        verbose_name_plural = _("prices")
        ordering = ["subject", "operation"]
        constraints = [models.UniqueConstraint(fields=["price_list", "subject", "operation"],
                                               name="coop_one_price_per_item")]

    def __str__(self) -> str:
        return f"{self.subject} {self.operation}"

    @property
    def price(self) -> int:
        return (self.wholesale + self.fees + self.payment_costs + self.operating_share
                + self.reserve)

    def breakdown(self) -> list[tuple[Any, int]]:
        return [(_("Registry wholesale cost"), self.wholesale),
                (_("ICANN and registry fees"), self.fees),
                (_("Payment costs"), self.payment_costs),
                (_("Cooperative's operating share"), self.operating_share),
                (_("Reserve"), self.reserve)]


class Comment(models.Model):
    price_list = models.ForeignKey(PriceList, on_delete=models.CASCADE,
                                   related_name="comments", verbose_name=_("price list"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                               related_name="+", verbose_name=_("author"))
    text = models.TextField(_("comment"))
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["at", "id"]


class NumberSequence(models.Model):
    """The last number used in a series (invoices, credit notes, members); locked (SELECT ...
    FOR UPDATE) while a number is taken, in the transaction that uses it: no gaps."""

    series = models.CharField(_("series"), max_length=20, primary_key=True)
    last_number = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("number series")
        verbose_name_plural = _("number series")


class InvoiceKind(models.TextChoices):
    INVOICE = "invoice", _("Invoice")
    CREDIT_NOTE = "credit-note", _("Credit note")


class Invoice(AppendOnlyModel):
    """An invoice or credit note, frozen at issue (seller and buyer mentions included)."""

    number = models.CharField(_("number"), max_length=32, unique=True)
    series = models.CharField(_("series"), max_length=20)
    sequence = models.PositiveIntegerField(_("number in series"))
    kind = models.CharField(_("kind"), max_length=12, choices=InvoiceKind.choices)
    journal = models.OneToOneField(Journal, on_delete=models.PROTECT, related_name="invoice",
                                   verbose_name=_("ledger journal"))
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT,
                                     related_name="invoices", verbose_name=_("customer"))
    credits = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True,
                                related_name="credit_notes", verbose_name=_("credits invoice"))
    issued_at = models.DateTimeField(_("invoice date"))
    seller = models.JSONField(_("seller"))
    buyer = models.JSONField(_("customer details"))
    # [{"label", "quantity", "unit_ht", "total_ht", "vat_rate", "vat", "total_ttc"}] in cents
    lines = models.JSONField(_("lines"))
    currency = models.CharField(_("currency"), max_length=3)
    total_ht = models.BigIntegerField(_("total excl. VAT"))
    total_vat = models.BigIntegerField(_("VAT"))
    total_ttc = models.BigIntegerField(_("total incl. VAT"))
    vat_mention = models.CharField(_("VAT mention"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        ordering = ["-issued_at", "-sequence"]
        constraints = [models.UniqueConstraint(fields=["series", "sequence"],
                                               name="coop_invoice_number_once")]

    def __str__(self) -> str:
        return str(self.number)


class ProposalKind(models.TextChoices):
    MOTION = "motion", _("Motion")
    PRICES = "prices", _("Price list")
    SERVICE = "service", _("Service")
    BUDGET = "budget", _("Environment budget")


class ProposalState(models.TextChoices):
    # Gathering members' backing.
    SUPPORT = "support", _("Gathering support")
    # Backed by enough members: waiting for the board to schedule its ballot.
    BACKED = "backed", _("Backed, waiting for its ballot")
    BALLOT = "ballot", _("Put to the vote")


class Proposal(models.Model):
    """What a member puts forward (a motion, a price list, a service, an environment budget);
    once enough members back it, the board must schedule its ballot."""

    kind = models.CharField(_("kind"), max_length=10, choices=ProposalKind.choices)
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("proposal"))
    state = models.CharField(_("state"), max_length=10, choices=ProposalState.choices,
                             default=ProposalState.SUPPORT)
    # A price list or service proposal carries its prices (a draft list until the vote).
    price_list = models.OneToOneField(PriceList, on_delete=models.PROTECT, null=True,
                                      blank=True, related_name="proposal",
                                      verbose_name=_("price list"))
    # An environment budget: the year and its limits.
    budget_year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    energy_kwh = models.PositiveIntegerField(_("energy budget (kWh)"), null=True, blank=True)
    emissions_kg = models.PositiveIntegerField(_("emissions budget (kg CO₂e)"), null=True,
                                               blank=True)
    ballot = models.OneToOneField(Ballot, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="proposal", verbose_name=_("ballot"))
    created_by = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="proposals",
                                   verbose_name=_("proposed by"))
    created_at = models.DateTimeField(_("proposed at"))
    backed_at = models.DateTimeField(_("backed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return str(self.title)


class Backing(AppendOnlyModel):
    """A member backs a proposal (once)."""

    proposal = models.ForeignKey(Proposal, on_delete=models.PROTECT, related_name="backings",
                                 verbose_name=_("proposal"))
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="backings",
                               verbose_name=_("member"))
    at = models.DateTimeField(_("at"))

    class Meta:
        verbose_name = _("backing")
        verbose_name_plural = _("backings")
        constraints = [models.UniqueConstraint(fields=["proposal", "member"],
                                               name="coop_back_once")]


class EnvironmentBudget(models.Model):
    """The yearly limits the members voted (the latest adopted for a year is in force), and
    the actions they decided to keep within them."""

    year = models.PositiveSmallIntegerField(_("year"))
    energy_kwh = models.PositiveIntegerField(_("energy budget (kWh)"))
    emissions_kg = models.PositiveIntegerField(_("emissions budget (kg CO₂e)"))
    actions = models.TextField(_("actions decided"))
    proposal = models.OneToOneField(Proposal, on_delete=models.PROTECT,
                                    related_name="budget", verbose_name=_("proposal"))
    adopted_at = models.DateTimeField(_("adopted at"))

    class Meta:
        verbose_name = _("environment budget")
        verbose_name_plural = _("environment budgets")
        ordering = ["-year", "-adopted_at"]


class EnvironmentReading(models.Model):
    """One day's estimate of the yearly energy and emissions (low and high ends), kept so that
    the year's consumption adds up and its trend shows."""

    day = models.DateField(_("day"), unique=True)
    energy_kwh_low = models.FloatField(_("energy per year, low (kWh)"))
    energy_kwh_high = models.FloatField(_("energy per year, high (kWh)"))
    emissions_kg_low = models.FloatField(_("emissions per year, low (kg CO₂e)"))
    emissions_kg_high = models.FloatField(_("emissions per year, high (kg CO₂e)"))
    domains = models.PositiveIntegerField(_("domains"))

    class Meta:
        verbose_name = _("environment reading")
        verbose_name_plural = _("environment readings")
        ordering = ["day"]
