from __future__ import annotations

from typing import Any

from django import forms
from django.core.validators import MaxValueValidator
from django.utils.translation import gettext_lazy as _

from bureau.coop import conf
from bureau.coop.models import Ballot, BallotOption, College, PricedOperation, ProposalKind
from bureau.coop.operations import membership
from bureau.core.validators import printable_text


class JoinForm(forms.Form):
    college = forms.ModelChoiceField(
        label=_("College"), queryset=College.objects.filter(is_open=True),
        widget=forms.RadioSelect, empty_label=None,
        help_text=_("The group you belong to in the cooperative: employees, "
                    "customers and beneficiaries, or contributors."))
    shares = forms.IntegerField(label=_("Shares"), min_value=1, initial=1)
    name = forms.CharField(label=_("Name in the register"), max_length=200,
                           validators=[printable_text])  # printed on the member's certificate

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        college = self.fields["college"]
        assert isinstance(college, forms.ModelChoiceField)
        college.queryset = membership.colleges_for(user)
        shares = self.fields["shares"]
        assert isinstance(shares, forms.IntegerField)
        shares.max_value = conf.max_shares()
        shares.validators.append(MaxValueValidator(conf.max_shares()))
        self.fields["shares"].help_text = _(
            "One share is worth %(value)s %(currency)s (nominal value, refunded at the same "
            "value when you leave). Whatever your number of shares, you have one vote.") % {
            "value": f"{conf.share_value() / 100:.2f}", "currency": conf.currency()}


class SharesForm(forms.Form):
    shares = forms.IntegerField(label=_("Additional shares"), min_value=1, initial=1)


class LeaveForm(forms.Form):
    reason = forms.CharField(label=_("Reason (optional)"), required=False,
                             widget=forms.Textarea(attrs={"rows": 3}))
    confirm = forms.BooleanField(
        label=_("I understand that I leave the cooperative and that my shares are refunded "
                "at their nominal value."))


class ExcludeForm(forms.Form):
    reason = forms.CharField(label=_("Decision (date of the general assembly, reason)"),
                             widget=forms.Textarea(attrs={"rows": 3}))


class VoteForm(forms.Form):
    option = forms.ModelChoiceField(label=_("Your choice"), queryset=BallotOption.objects.none(),
                                    widget=forms.RadioSelect, empty_label=None)

    def __init__(self, ballot: Ballot, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["option"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = ballot.options.all()


class CommentForm(forms.Form):
    text = forms.CharField(label=_("Your comment"), widget=forms.Textarea(attrs={"rows": 4}),
                           max_length=5000)


class ProposalForm(forms.Form):
    """A member's price proposal: one price and its breakdown, in euros."""

    title = forms.CharField(label=_("Title"), max_length=200)
    rationale = forms.CharField(label=_("Why this price"), widget=forms.Textarea(
        attrs={"rows": 4}), required=False)
    effective_from = forms.DateField(label=_("Takes effect on"), widget=forms.DateInput(
        attrs={"type": "date"}))
    subject = forms.CharField(label=_("TLD or service"), max_length=63,
                              help_text=_("e.g. fr, org, or dns-hosting"))
    operation = forms.ChoiceField(label=_("Operation"), choices=PricedOperation.choices)
    wholesale = forms.DecimalField(label=_("Registry wholesale cost"), min_value=0,
                                   decimal_places=2)
    fees = forms.DecimalField(label=_("ICANN and registry fees"), min_value=0,
                              decimal_places=2, initial=0)
    payment_costs = forms.DecimalField(label=_("Payment costs"), min_value=0,
                                       decimal_places=2, initial=0)
    operating_share = forms.DecimalField(label=_("Cooperative's operating share"),
                                         min_value=0, decimal_places=2, initial=0)
    reserve = forms.DecimalField(label=_("Reserve"), min_value=0, decimal_places=2,
                                 initial=0)

    PARTS = ("wholesale", "fees", "payment_costs", "operating_share", "reserve")

    def breakdown_cents(self) -> dict[str, int]:
        return {part: int(self.cleaned_data[part] * 100) for part in self.PARTS}


class MotionForm(forms.Form):
    """A member's motion or yearly environment budget (prices have their own form)."""

    kind = forms.ChoiceField(label=_("You propose"), widget=forms.RadioSelect, choices=[
        (ProposalKind.MOTION, _("A motion")),
        (ProposalKind.BUDGET, _("A yearly environment budget"))], initial=ProposalKind.MOTION)
    title = forms.CharField(label=_("Title"), max_length=200)
    text = forms.CharField(label=_("What you propose and why (for a budget: the actions that "
                                   "keep Bureau within it)"),
                           widget=forms.Textarea(attrs={"rows": 6}), max_length=10000)
    budget_year = forms.IntegerField(label=_("Year of the budget"), required=False,
                                     min_value=2000, max_value=2200)
    energy_kwh = forms.IntegerField(label=_("Energy budget (kWh)"), required=False,
                                    min_value=0)
    emissions_kg = forms.IntegerField(label=_("Emissions budget (kg CO₂e)"), required=False,
                                      min_value=0)


class ScheduleForm(forms.Form):
    """The board's dates and rules of a ballot."""

    opens_at = forms.DateTimeField(label=_("Opens at"), widget=forms.DateTimeInput(
        attrs={"type": "datetime-local"}))
    closes_at = forms.DateTimeField(label=_("Closes at"), widget=forms.DateTimeInput(
        attrs={"type": "datetime-local"}))
    quorum_percent = forms.IntegerField(label=_("Quorum (% of members)"), min_value=0,
                                        max_value=100, initial=25)
    secret = forms.BooleanField(label=_("Secret ballot"), required=False, initial=True)


class DatesForm(forms.Form):
    opens_at = forms.DateTimeField(label=_("Opens at"), widget=forms.DateTimeInput(
        attrs={"type": "datetime-local"}))
    closes_at = forms.DateTimeField(label=_("Closes at"), widget=forms.DateTimeInput(
        attrs={"type": "datetime-local"}))


class BoardMotionForm(ScheduleForm):
    title = forms.CharField(label=_("Title"), max_length=200)
    text = forms.CharField(label=_("Text put to the vote"),
                           widget=forms.Textarea(attrs={"rows": 4}))
