"""RFC 8590 change poll messages: who changed an object, when, how, and in which state."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bureau.epp.namespaces import CHANGE_POLL
from bureau.epp.registry import parses
from bureau.epp.xmlutil import Element, child, need, parse_datetime, req_text, text


@dataclass(frozen=True)
class CaseId:
    value: str
    type: str
    name: str | None = None


@dataclass(frozen=True)
class ChangeData:
    """A change made by someone other than the registrar (registry, UDRP, auto-renew...).

    `state` says whether the object in resData is shown "before" or "after" the change.
    """

    operation: str
    date: datetime
    svtrid: str
    who: str
    state: str = "after"
    custom_op: str | None = None
    case_id: CaseId | None = None
    reason: str | None = None


@parses(CHANGE_POLL, "changeData")
def parse_change(node: Element) -> ChangeData:
    operation = need(node, CHANGE_POLL, "operation")
    case = child(node, CHANGE_POLL, "caseId")
    reason = child(node, CHANGE_POLL, "reason")
    return ChangeData(
        operation=text(operation),
        custom_op=operation.get("op"),
        date=parse_datetime(req_text(node, CHANGE_POLL, "date")),
        svtrid=req_text(node, CHANGE_POLL, "svTRID"),
        who=req_text(node, CHANGE_POLL, "who"),
        state=node.get("state", "after"),
        case_id=CaseId(text(case), case.get("type", ""), case.get("name"))
        if case is not None
        else None,
        reason=text(reason) if reason is not None else None,
    )
