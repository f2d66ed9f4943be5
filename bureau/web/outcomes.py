"""Turn what an operation raises into something a person can read, on the right field."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from django import forms
from django.core.exceptions import ValidationError
from django.db import InterfaceError, OperationalError
from django.utils.translation import gettext as _

from bureau.core.credentials import ReauthenticationRequired
from bureau.registrar.billing.ledger import LedgerError
from bureau.registrar.operations.errors import OperationError

logger = logging.getLogger("bureau.web")

T = TypeVar("T")


class Failed(Exception):
    """The operation did not happen; the form carries the reason."""


def attempt(form: forms.BaseForm, action: Callable[[], T], *, context: dict[str, Any],
            fields: dict[str, str] | None = None) -> T:
    """Run ``action``; on a refusal put the reason on the field it names (or the form) and
    raise ``Failed``. ``fields`` renames the operation's field names to the form's. A request
    for re-authentication goes through (to allauth's middleware). An unexpected error is
    logged with an incident id shown to the person."""
    try:
        return action()
    except ReauthenticationRequired:
        raise  # allauth's middleware asks for the password again, then replays the request
    except OperationError as exc:
        field = (fields or {}).get(exc.field or "", exc.field)
        field = field if field in form.fields else None
        form.add_error(field, exc.message)
    except LedgerError as exc:
        form.add_error(None, str(exc))
    except ValidationError as exc:  # the model's own checks, per field
        form.add_error(None, exc)
    except (OperationalError, InterfaceError):
        raise  # the database is out of reach: the 503 page, not an incident
    except Exception:
        incident = uuid.uuid4().hex[:12]
        logger.exception("incident %s during %s", incident, context)
        form.add_error(None, _("Something went wrong on our side and nothing was charged "
                               "twice. Try again in a few minutes; if it persists, give "
                               "this incident number to the cooperative: %(id)s.")
                       % {"id": incident})
    raise Failed
