from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from bureau.registrar.accounts.models import Organisation


class StatementForm(forms.Form):
    file = forms.FileField(label=_("Bank statement"), help_text=_(
        "camt.053 or camt.054 (XML), MT940, or CSV with the columns id, date, amount, "
        "currency, name, reference."))


class AssignForm(forms.Form):
    organisation = forms.ModelChoiceField(queryset=Organisation.objects.order_by("name"),
                                          label=_("Credit to"),
                                          widget=forms.Select(attrs={"aria-label": _("Credit to")}))
