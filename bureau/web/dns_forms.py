"""Portal forms of DNS hosting. They only shape input; the operations validate the records
(bureau.dns.validation) and their problems are put back on the field they name."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bureau.core.validators import MAX_ID
from bureau.dns.models import DnssecAlgorithm
from bureau.dns.records import DEFAULT_TTL, MAX_TTL, MIN_TTL, RecordType


class ZoneForm(forms.Form):
    name = forms.CharField(label=_("Zone name"), max_length=255,
                           help_text=_("A name you hold, such as example.org or an IDN."))
    algorithm = forms.TypedChoiceField(label=_("DNSSEC algorithm"), coerce=int, required=False,
                                       choices=DnssecAlgorithm.choices,
                                       initial=DnssecAlgorithm.ECDSAP256SHA256,
                                       empty_value=None)  # the default, 13


class RecordForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=255, required=False,
                           help_text=_("@ or empty for the zone itself, www, or a full name."))
    type = forms.ChoiceField(label=_("Type"), choices=[(t.value, t.value) for t in RecordType])
    ttl = forms.IntegerField(label=_("TTL (seconds)"), initial=DEFAULT_TTL, min_value=MIN_TTL,
                             max_value=MAX_TTL)
    content = forms.CharField(label=_("Content"), max_length=65_535,
                              widget=forms.TextInput(attrs={"size": 60}),
                              help_text=_("Example for MX: 10 mail.example.net."))
    replace = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1,
                                 max_value=MAX_ID)


class ImportForm(forms.Form):
    text = forms.CharField(label=_("Zone file"), widget=forms.Textarea(attrs={"rows": 10}),
                           max_length=20_000_000, strip=False)
    replace = forms.BooleanField(label=_("Replace every record of the zone"), required=False,
                                 initial=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Its own ids: the record form on the same page has a (hidden) "replace" too, and a
        # label must point at the field it names.
        kwargs.setdefault("auto_id", "id_import_%s")
        super().__init__(*args, **kwargs)


class ExternalDnssecForm(forms.Form):
    ds = forms.CharField(label=_("DS records, one per line"), required=False,
                         widget=forms.Textarea(attrs={"rows": 3}))
    dnskeys = forms.CharField(label=_("or DNSKEY records (key-signing keys), one per line"),
                              required=False, widget=forms.Textarea(attrs={"rows": 3}))

    @staticmethod
    def lines(text: str) -> list[str]:
        return [line.strip() for line in text.splitlines() if line.strip()]


class AcmeCredentialForm(forms.Form):
    name = forms.CharField(label=_("Name to certify"), max_length=255, initial="@",
                           help_text=_("@ for the zone itself, www, or shop for shop and "
                                       "*.shop: the certificate may cover the name and its "
                                       "wildcard."))
    expires_on = forms.DateField(label=_("Expires on (optional)"), required=False,
                                 widget=forms.DateInput(attrs={"type": "date"}),
                                 help_text=_("Empty: a DNS key lasts until you revoke it, an "
                                             "API token 90 days."))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "id_acme_%s")  # beside the record form's "name"
        super().__init__(*args, **kwargs)

    def expires_at(self) -> datetime | None:
        """The end of the chosen day, in the portal's time zone."""
        day: date | None = self.cleaned_data.get("expires_on")
        return timezone.make_aware(datetime.combine(day, time.max)) if day else None
