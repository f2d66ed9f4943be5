"""Undo a change of a zone: a NEW change that removes what it added and puts back what it
removed (the history only grows).

Errors: NotAllowed; UndoConflict (a later change touched the same records: undo it first, or
the change was already undone); RecordsInvalid (putting the records back would break the
zone as it is now).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from bureau.dns.models import ChangeKind, TemplateApplication, ZoneChange
from bureau.dns.records import ValidRecord
from bureau.registrar.operations.common import Actor

from .common import Outcome, change_records, verify_may_manage
from .errors import UndoConflict

UNDOABLE = {ChangeKind.EDIT, ChangeKind.IMPORT, ChangeKind.TEMPLATE_APPLY,
            ChangeKind.TEMPLATE_REMOVE, ChangeKind.UNDO}


def undo(*, change: ZoneChange, actor: Actor) -> Outcome:
    zone = change.zone
    verify_may_manage(zone.organisation, actor)
    if change.kind not in UNDOABLE:
        raise UndoConflict(_("This change cannot be undone."))
    if change.undone_by.exists():
        raise UndoConflict(_("This change was already undone."))
    current = {(r.name, r.rtype, r.content): r for r in zone.records.all()}
    remove = []
    for item in change.added:
        row = current.get((item["name"], item["type"], item["content"]))
        if row is None:
            raise UndoConflict(
                _("%(record)s was changed since: undo the later changes first.")
                % {"record": f"{item['name']} {item['type']} {item['content']}"})
        remove.append(row)
    live = set(TemplateApplication.objects.filter(zone=zone, removed_at__isnull=True)
               .values_list("pk", flat=True))
    add = [ValidRecord(str(i["name"]), str(i["type"]), str(i["content"]), int(i["ttl"]))
           for i in change.removed]
    tags = [i.get("application") if i.get("application") in live else None
            for i in change.removed]
    return change_records(zone, actor, ChangeKind.UNDO, add=add, remove=remove, undoes=change,
                          tags=tags, summary=f"undo of “{change.summary}”")
