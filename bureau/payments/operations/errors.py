"""What a payment operation refuses; the message says what to fix."""

from __future__ import annotations

from bureau.banking.statement import Problem
from bureau.registrar.operations.errors import NotAllowed, OperationError

__all__ = ["AlreadyImported", "BadStatement", "CannotAssign", "NotAllowed", "OperationError"]


class BadStatement(OperationError):
    """The file cannot be imported as it is: nothing was credited."""

    field = "file"

    def __init__(self, message: str, problems: list[Problem] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or []


class AlreadyImported(OperationError):
    field = "file"


class CannotAssign(OperationError):
    pass
