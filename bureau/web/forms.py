"""Portal forms: they validate input and say which field is wrong and what to do."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from django import forms
from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from bureau.audit import scopes as scope_rules
from bureau.audit.operations import tokens
from bureau.core.validators import MAX_CENTS, printable_text
from bureau.registrar.accounts.models import Role
from bureau.registrar.contacts.models import Contact
from bureau.registrar.operations.dnschoice import DnsChoice


class OrganisationForm(forms.Form):
    # Printed on invoices: no control character.
    name = forms.CharField(label=_("Name of the organisation"), max_length=200,
                           validators=[printable_text],
                           help_text=_("Your own name if you hold names on your own."))


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("Email address of the person"))
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.READ_ONLY)
    language = forms.ChoiceField(label=_("Language of the invitation"),
                                 choices=settings.LANGUAGES, required=False,
                                 help_text=_("The email is written in this language."))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["language"].initial = translation.get_language()


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)


class SecurityForm(forms.Form):
    require_2fa = forms.BooleanField(
        label=_("Require two-factor authentication of every person"), required=False)


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Domain name"), max_length=253,
                        help_text=_("A name with or without its extension, in any script: "
                                    "cafe-solidaire, café-solidaire…"))


class CartAddForm(forms.Form):
    name = forms.CharField(max_length=253)
    price = forms.IntegerField(min_value=0, max_value=MAX_CENTS)
    currency = forms.CharField(max_length=3)
    # The names the registry bundles with it (A-labels, space-separated), to show them and
    # to refuse a second name of the same bundle.
    bundled = forms.CharField(max_length=2000, required=False)


class CheckoutForm(forms.Form):
    registrant = forms.ModelChoiceField(label=_("Holder"), queryset=Contact.objects.none(),
                                        help_text=_("The person or organisation that will "
                                                    "hold the names."))
    period = forms.TypedChoiceField(label=_("Years"), coerce=int,
                                    choices=[(n, str(n)) for n in range(1, 11)], initial=1)
    dns = forms.ChoiceField(label=_("DNS"), choices=DnsChoice.choices, required=False,
                            initial=DnsChoice.BUREAU, widget=forms.RadioSelect)
    nameservers = forms.CharField(
        label=_("Your name servers"), widget=forms.Textarea(attrs={"rows": 2}),
        required=False, help_text=_("With “My own name servers”: one host name per line, at "
                                    "least two, for example ns1.example.net."))

    def clean_dns(self) -> str:
        return str(self.cleaned_data["dns"] or DnsChoice.BUREAU)

    def clean_nameservers(self) -> list[str]:
        value: str = self.cleaned_data["nameservers"]
        return [line.strip() for line in value.replace(",", "\n").splitlines() if line.strip()]

    def __init__(self, *args: Any, organisation: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["registrant"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Contact.objects.filter(organisation=organisation)


class NameserversForm(forms.Form):
    nameservers = forms.CharField(
        label=_("Name servers"), widget=forms.Textarea(attrs={"rows": 4}), required=False,
        help_text=_("One host name per line, for example ns1.example.net. Leave empty to "
                    "remove all name servers (the name then stops working)."))

    def clean_nameservers(self) -> list[str]:
        value: str = self.cleaned_data["nameservers"]
        return [line.strip() for line in value.replace(",", "\n").splitlines() if line.strip()]


class DSForm(forms.Form):
    ds_records = forms.CharField(
        label=_("DS records"), widget=forms.Textarea(attrs={"rows": 3}), required=False,
        help_text=_("One record per line: key tag, algorithm, digest type and digest, as your "
                    "DNS host gives them (for example 12345 13 2 3F2A…). Leave empty to turn "
                    "DNSSEC off at the registry."))

    def clean_ds_records(self) -> list[tuple[int, int, int, str]]:
        records = []
        for number, line in enumerate(self.cleaned_data["ds_records"].splitlines(), start=1):
            parts = line.split()
            if not parts:
                continue
            try:
                if len(parts) != 4:
                    raise ValueError
                key_tag, algorithm, digest_type = (int(p) for p in parts[:3])
                digest = parts[3].upper()
                int(digest, 16)
                if not (0 <= key_tag <= 65535 and 0 <= algorithm <= 255
                        and 0 <= digest_type <= 255):
                    raise ValueError
            except ValueError:
                raise forms.ValidationError(
                    _("Line %(n)s is not a DS record: write four values separated by spaces "
                      "(key tag, algorithm, digest type, hexadecimal digest)."),
                    params={"n": number}) from None
            records.append((key_tag, algorithm, digest_type, digest))
        return records


class DomainContactsForm(forms.Form):
    admin = forms.ModelChoiceField(label=_("Administrative contact"),
                                   queryset=Contact.objects.none(), required=False)
    tech = forms.ModelChoiceField(label=_("Technical contact"),
                                  queryset=Contact.objects.none(), required=False)
    billing = forms.ModelChoiceField(label=_("Billing contact"),
                                     queryset=Contact.objects.none(), required=False)

    def __init__(self, *args: Any, organisation: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("admin", "tech", "billing"):
            field = self.fields[name]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = Contact.objects.filter(organisation=organisation)


class LocksForm(forms.Form):
    transfer = forms.BooleanField(label=_("Transfer lock"), required=False)
    update = forms.BooleanField(label=_("Update lock"), required=False)
    delete = forms.BooleanField(label=_("Delete lock"), required=False)


class RenewForm(forms.Form):
    period = forms.TypedChoiceField(label=_("Years"), coerce=int,
                                    choices=[(n, str(n)) for n in range(1, 11)], initial=1)


class ContactForm(forms.ModelForm):
    class Meta:
        model = Contact
        fields = ["name", "org", "email", "phone", "fax", "street", "city", "state",
                  "postal_code", "country", "disclose"]
        widgets = {"street": forms.Textarea(attrs={"rows": 3})}
        # The holder's consent to publication, read by registries and by Bureau's RDAP.
        labels = {"disclose": _("Publish in the public registration data")}
        help_texts = {"disclose": _(
            "On: this contact's name, organisation, address, phone and email are shown to "
            "anyone who looks the name up (RDAP) and sent to registries as public. Off: they "
            "are hidden, and whoever looks the name up is given a way to write to Bureau "
            "instead. Country and region are always shown.")}

    def __init__(self, *args: Any, organisation: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.organisation = organisation


class TokenForm(forms.Form):
    """A new personal API token: what the person types. The rules (scopes the role allows,
    lifetime) are ``bureau.audit.operations.tokens.create_token``'s."""

    name = forms.CharField(label=_("Name of the token"), max_length=100,
                           help_text=_("What uses it, for example “deployment script”."))
    scopes = forms.MultipleChoiceField(
        label=_("What the token may do"), widget=forms.CheckboxSelectMultiple,
        help_text=_("Never more than your role allows. Give only what the program needs."))
    expires_on = forms.DateField(
        label=_("Expires on"), widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("At most one year from today. The token stops working at the end of "
                    "that day."))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["scopes"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = [(scope, f"{scope} — {scope_rules.describe(scope)}")
                         for scope in scope_rules.SCOPES]
        self.fields["expires_on"].initial = (
            timezone.localdate() + tokens.DEFAULT_LIFETIME).isoformat()

    def expires_at(self) -> datetime:
        """The end of the chosen day, in the portal's time zone."""
        day: date = self.cleaned_data["expires_on"]
        return timezone.make_aware(datetime.combine(day, time.max))


class HolderChangeForm(forms.Form):
    """Change of holder: the new holder and both holders' consent. Whether the consents are
    enough is ``operations.registrant``'s rule; the form only collects them."""

    new_registrant = forms.ModelChoiceField(
        label=_("New holder"), queryset=Contact.objects.none(),
        help_text=_("One of your organisation's contacts. Create the new holder's contact "
                    "first if it is not listed."))
    old_holder_consent = forms.BooleanField(
        label=_("The current holder agrees to give the name away"), required=False)
    new_holder_consent = forms.BooleanField(
        label=_("The new holder agrees to take the name, and that their details are sent "
                "to the registry"), required=False)
    opt_out_of_transfer_lock = forms.BooleanField(
        label=_("Do not lock transfers to another registrar after the change"),
        required=False)

    def __init__(self, *args: Any, domain: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["new_registrant"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Contact.objects.filter(organisation=domain.organisation) \
            .exclude(pk=domain.registrant_id).order_by("name")


class MandateForm(forms.Form):
    holder = forms.CharField(label=_("Account holder"), max_length=70)
    iban = forms.CharField(label=_("IBAN"), max_length=42)
    bic = forms.CharField(label=_("BIC"), max_length=11, required=False,
                          help_text=_("Found from the IBAN when left empty."))
    accept = forms.BooleanField(label=_("I have read the mandate above and I sign it."),
                                required=False)


class CardForm(forms.Form):
    amount = forms.DecimalField(label=_("Amount (EUR)"), min_value=Decimal("5"),
                                max_value=Decimal("10000"), decimal_places=2, initial=20)

    def clean_amount(self) -> int:
        return int(self.cleaned_data["amount"] * 100)



class TransferNameForm(forms.Form):
    name = forms.CharField(label=_("Domain name"), max_length=253,
                           help_text=_("The whole name, with its extension: mon-asso.fr"))


class TransferInForm(forms.Form):
    """A name held at another registrar, its transfer code, and the price the person saw."""

    name = forms.CharField(max_length=253, widget=forms.HiddenInput)
    auth_code = forms.CharField(
        label=_("Transfer code"), max_length=255, strip=False,
        help_text=_("Also called auth code or EPP code: ask the current registrar for it."),
        error_messages={"required": _("Enter the transfer code the current registrar gave "
                                      "you.")})
    accepted_price = forms.IntegerField(min_value=0, max_value=MAX_CENTS,
                                        widget=forms.HiddenInput)
    holder = forms.ModelChoiceField(
        label=_("Holder"), queryset=Contact.objects.none(), required=False,
        help_text=_("The person or organisation holding the name. Bureau uses this contact "
                    "if the current registrar keeps the holder's details to itself."))

    def __init__(self, *args: Any, organisation: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["holder"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Contact.objects.filter(organisation=organisation)


class CloseAccountForm(forms.Form):
    typed_email = forms.CharField(label=_("Your account's email address, to confirm"),
                                  max_length=254)


class LanguageForm(forms.Form):
    language = forms.ChoiceField(label=_("Language of the emails Bureau sends you"),
                                 choices=settings.LANGUAGES)
