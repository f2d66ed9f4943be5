"""What a DNS operation can refuse, with a message naming the record and field at fault."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.utils.translation import gettext_lazy as _

from bureau.dns.validation import Problem
from bureau.registrar.operations.errors import OperationError


class RecordsInvalid(OperationError):
    """The records (or zone file) cannot be published; `problems` names each record and field.
    Nothing was stored and nothing was sent to PowerDNS."""

    field = "records"

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        super().__init__(
            _("%(count)s problem(s) to fix before the zone can be published: %(list)s")
            % {"count": len(self.problems), "list": "; ".join(str(p) for p in self.problems)}
        )

    def as_list(self) -> list[dict[str, Any]]:
        return [problem_dict(p) for p in self.problems]


def problem_dict(problem: Problem) -> dict[str, Any]:
    record = problem.record
    return {
        "field": problem.field,
        "message": problem.message,
        "line": problem.line,
        "record": None if record is None else {
            "name": record.name, "type": record.rtype, "content": record.content,
            "ttl": record.ttl},
    }


class ZoneExists(OperationError):
    field = "name"


class NameClaimed(OperationError):
    """The name belongs to another organisation, or overlaps a zone of another one."""

    field = "name"


class PublicSuffix(OperationError):
    """The name is a public suffix (com, co.uk, a TLD Bureau sells): nobody may host it."""

    field = "name"


class ControlNotProven(OperationError):
    """A name outside Bureau: the organisation must first publish the TXT challenge
    (``owner`` TXT ``token``) with its current DNS host."""

    field = "name"

    def __init__(self, message: Any, *, owner: str, token: str) -> None:
        super().__init__(message)
        self.owner, self.token = owner, token


class NotHosted(OperationError):
    """The zone or record is not (or no longer) hosted by Bureau."""


class UndoConflict(OperationError):
    """A later change touched the same records: undo that one first."""


class TemplateInvalid(OperationError):
    field = "template"


class DnssecRefused(OperationError):
    field = "dnssec"


class PublishPending(OperationError):
    """PowerDNS did not confirm; the change is stored and the reconciliation job publishes it."""


class CredentialRefused(OperationError):
    """An ACME credential cannot be made for this name (field "name") or expiry."""

    field = "name"


class KeyRefused(OperationError):
    """An update signed with a key that may not change this zone (RFC 2136: NOTAUTH)."""


class UpdateRefused(OperationError):
    """An update that touches more than the key's challenge records (RFC 2136: REFUSED)."""
