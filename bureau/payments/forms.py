from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from bureau.registrar.accounts.models import Organisation


class StatementForm(forms.Form):
    file = forms.FileField(label=_("Bank statement"), help_text=_(
        "camt.053 or camt.054 (XML), MT940, or CSV with the columns id, date, amount, "
        "currency, name, reference; or the bank's pain.002 status report on a "
        "direct-debit file."))


class AssignForm(forms.Form):
    organisation = forms.ModelChoiceField(queryset=Organisation.objects.order_by("name"),
                                          label=_("Credit to"),
                                          widget=forms.Select(attrs={"aria-label": _("Credit to")}))


class PayBackForm(forms.Form):
    """Staff pay back a balance (organisation) or a former member's shares (number)."""

    organisation = forms.ModelChoiceField(queryset=Organisation.objects.order_by("name"),
                                          label=_("Organisation's balance"), required=False)
    member = forms.IntegerField(label=_("or member number (shares)"), required=False,
                                min_value=1)
    amount = forms.DecimalField(label=_("Amount (EUR), for a balance"), required=False,
                                min_value=Decimal("0.01"), decimal_places=2)
    name = forms.CharField(label=_("Payee"), max_length=70, required=False)
    iban = forms.CharField(label=_("IBAN"), max_length=42)
    bic = forms.CharField(label=_("BIC"), max_length=11, required=False)
