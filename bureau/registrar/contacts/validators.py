"""Checks on contact data. Each error says what is wrong and how to write it right."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.utils.translation import gettext_lazy as _

from .countries import ISO_COUNTRIES

# EPP (RFC 5733) writes phone numbers as +CC.NUMBER; E.164 allows at most 15 digits in all.
EPP_PHONE = re.compile(r"^\+(\d{1,3})\.(\d{1,14})$")


def normalise_phone(value: str) -> str:
    """Turn '+33 1 23 45 67 89' or '+33.123456789' into EPP's '+33.123456789'.

    Without a separator the country code cannot be told apart from the number, so a number
    written '+33123456789' must keep a dot or space after its country code.
    """
    compact = re.sub(r"[\s\-()/]", " ", value.strip())
    if compact.startswith("+") and "." not in compact:
        head, _sep, rest = compact[1:].partition(" ")
        compact = f"+{head}.{rest}"
    return compact.replace(" ", "")


def validate_phone(value: str) -> None:
    match = EPP_PHONE.match(value)
    if match is None:
        raise ValidationError(
            _(
                "“%(value)s” is not an international phone number. Write it with “+”, the "
                "country code, a dot or space, then the number: +33.123456789."
            ),
            code="invalid_phone",
            params={"value": value},
        )
    if len(match.group(1)) + len(match.group(2)) > 15:
        raise ValidationError(
            _("“%(value)s” has more than 15 digits, the most an international number has."),
            code="phone_too_long",
            params={"value": value},
        )


def validate_country(value: str) -> None:
    if value not in ISO_COUNTRIES:
        raise ValidationError(
            _(
                "“%(value)s” is not a country code. Use the two capital letters of ISO 3166, "
                "for example FR for France or BE for Belgium."
            ),
            code="invalid_country",
            params={"value": value},
        )


class ContactEmailValidator(EmailValidator):
    message = _(
        "This is not an email address that can receive mail: write it as name@example.org."
    )
