"""Contact validation: bad data is refused with a message naming the field and the fix."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from bureau.registrar.accounts.models import Organisation
from bureau.registrar.contacts.models import Contact

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]

GOOD = dict(name="Ana Lima", email="ana@example.org", phone="+351.212345678",
            street="Rua Augusta 1", city="Lisboa", country="PT")


def errors_of(organisation: Organisation, **changes: str) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as error:
        Contact.objects.create(organisation=organisation, **{**GOOD, **changes})
    return error.value.message_dict


def test_a_good_contact_is_normalised_and_stored(organisation: Organisation) -> None:
    contact = Contact.objects.create(organisation=organisation,
                                     **{**GOOD, "phone": "+33 1 23 45 67 89", "country": "fr"})
    assert contact.phone == "+33.123456789"
    assert contact.country == "FR"


def test_email_error_names_the_field(organisation: Organisation) -> None:
    errors = errors_of(organisation, email="ana.example.org")
    assert list(errors) == ["email"]
    assert "name@example.org" in errors["email"][0]


@pytest.mark.parametrize("phone", ["0123456789", "+33.12a456", "+1234.5678", "+33.12345678901234"])
def test_phone_must_be_e164(organisation: Organisation, phone: str) -> None:
    errors = errors_of(organisation, phone=phone)
    assert list(errors) == ["phone"]
    assert "+" in errors["phone"][0]


def test_country_must_be_iso(organisation: Organisation) -> None:
    errors = errors_of(organisation, country="XX")
    assert list(errors) == ["country"]
    assert "XX" in errors["country"][0] and "FR" in errors["country"][0]


def test_several_errors_are_reported_together(organisation: Organisation) -> None:
    errors = errors_of(organisation, email="nope", country="France")
    assert set(errors) == {"email", "country"}


def test_messages_are_translated_to_french(organisation: Organisation) -> None:
    with translation.override("fr"):
        errors = errors_of(organisation, country="XX", phone="0123")
        assert "n’est pas un code de pays" in errors["country"][0]
        assert "+33.123456789" in errors["phone"][0] and "numéro international" in \
            errors["phone"][0]


def test_nothing_is_stored_when_invalid(organisation: Organisation) -> None:
    errors_of(organisation, phone="12")
    assert not Contact.objects.exists()
