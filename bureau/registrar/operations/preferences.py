"""A person's own preferences: the language of the emails Bureau sends them.

Errors: OperationError (field "language": a language Bureau does not speak)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from bureau.registrar.accounts.models import PersonPreferences

from .errors import OperationError


def set_language(user: Any, language: str) -> PersonPreferences:
    """Choose the language of ``user``'s emails (one of ``settings.LANGUAGES``)."""
    known = dict(settings.LANGUAGES)
    if language not in known:
        raise OperationError(_("Choose one of: %(languages)s.")
                             % {"languages": ", ".join(str(n) for n in known.values())},
                             field="language")
    preferences, _created = PersonPreferences.objects.update_or_create(
        user=user, defaults={"language": language})
    return preferences


def language_at_sign_up(user: Any, language: str | None) -> PersonPreferences | None:
    """A new person's emails follow the language their browser asked for at sign-up, until
    they choose another one (nothing when Bureau does not speak it)."""
    code = (language or "").split("-")[0]
    if code not in dict(settings.LANGUAGES):
        return None
    preferences, _created = PersonPreferences.objects.get_or_create(
        user=user, defaults={"language": code})
    return preferences
