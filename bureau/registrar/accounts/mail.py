"""Mail to people of Bureau, each in the language they chose for their emails."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.core.mail import send_mail
from django.utils import translation

from .models import language_of_person


def mail_people(people: Iterable[Any], compose: Callable[[], tuple[str, str]]) -> None:
    """Send what ``compose`` writes (subject, body) to ``people``: one mail per language,
    ``compose`` called in each (the people who chose none read the language in use now).
    Raises what ``send_mail`` raises."""
    current = translation.get_language()
    groups: dict[str, set[str]] = {}
    for person in people:
        if getattr(person, "email", ""):
            groups.setdefault(language_of_person(person, current), set()).add(person.email)
    for language, addresses in sorted(groups.items()):
        with translation.override(language):
            subject, body = compose()
        send_mail(subject, body, None, sorted(addresses))
