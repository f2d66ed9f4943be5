"""Who may act for the cooperative's staff."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from .errors import NotAllowed


def verify_staff(user: Any) -> None:
    if not (getattr(user, "is_authenticated", False) and user.is_staff):
        raise NotAllowed(_("Only the cooperative's staff import statements and assign "
                           "payments."))
