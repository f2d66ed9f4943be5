"""What an operation can refuse, with a message a person can act on.

Each error names the field at fault when there is one (``field``), says why and what to do.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise


class OperationError(Exception):
    """Base class: the operation was refused; nothing was charged or changed."""

    field: str | None = None

    def __init__(self, message: StrOrPromise, *, field: str | None = None) -> None:
        super().__init__(str(message))
        self.message = str(message)
        if field is not None:
            self.field = field


class NotAllowed(OperationError):
    """The person's role in the organisation does not allow this."""


class TwoFactorRequired(NotAllowed):
    """The organisation requires a second factor the acting person has not set up."""


class InvalidName(OperationError):
    field = "name"


class TldNotSold(OperationError):
    field = "name"


class NotAvailable(OperationError):
    field = "name"


class PeriodNotAllowed(OperationError):
    field = "period"


class PriceChanged(OperationError):
    """The price shown to the person is not the price now: show the new one and ask again."""

    field = "price"

    def __init__(self, expected: int, actual: int, currency: str) -> None:
        self.expected, self.actual, self.currency = expected, actual, currency
        super().__init__(
            _("The price changed from %(old)s to %(new)s %(currency)s: confirm the new price.")
            % {"old": f"{expected / 100:.2f}", "new": f"{actual / 100:.2f}",
               "currency": currency}
        )


class WrongState(OperationError):
    """The domain is not in a state that allows this operation."""


class StatusProhibits(OperationError):
    """A lock (client*/server* status) forbids this operation."""


class ContactInvalid(OperationError):
    pass


class ContactInUse(OperationError):
    """Names use this contact: they need another one before it can go."""


class ConsentMissing(OperationError):
    pass


class RegistryRefused(OperationError):
    """The registry answered with an error; the charge, if any, was credited back."""

    def __init__(self, message: StrOrPromise, code: int, *, field: str | None = None) -> None:
        self.code = code
        super().__init__(message, field=field)


class CommandInvalid(OperationError):
    """What the registry would be sent cannot be built or is not valid EPP (control characters,
    a value too long for the schema). Refused before any order is placed: nothing charged."""


class OutcomePending(OperationError):
    """The registry's answer was lost and could not be checked yet. The order is kept, the
    money stays reserved, and the reconciliation job settles it: do not order again."""
