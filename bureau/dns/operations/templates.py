"""Apply a template to a zone in one step (its records tagged with the application), and
remove it (its records, and only those, go).

Errors: NotAllowed; TemplateInvalid (field "template" or the parameter's name: a missing
value); RecordsInvalid (the filled records break the zone: e.g. a CNAME where records exist).
"""

from __future__ import annotations

from collections.abc import Mapping

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from bureau.core import clock
from bureau.dns.models import ChangeKind, Template, TemplateApplication, Zone
from bureau.dns.records import Record as RawRecord
from bureau.registrar.operations.common import Actor

from .common import Outcome, change_records, settle_outcome, verify_may_manage
from .errors import NotHosted, TemplateInvalid


def fill(template: Template, values: Mapping[str, str]) -> list[RawRecord]:
    """The template's records with `{parameter}` replaced (defaults where not given)."""
    params = {p["name"]: str(values.get(p["name"], p.get("default", "")) or "").strip()
              for p in template.parameters}
    unknown = set(values) - set(params)
    if unknown:
        raise TemplateInvalid(_("Unknown parameter(s) %(names)s for the template %(template)s.")
                              % {"names": ", ".join(sorted(unknown)), "template": template.name})
    for name, value in params.items():
        if not value:
            raise TemplateInvalid(_("Give a value for “%(name)s”.") % {"name": name}, field=name)
        if any(ord(c) < 32 for c in value):
            raise TemplateInvalid(_("“%(name)s” holds control characters: type it again.")
                                  % {"name": name}, field=name)
    out = []
    for item in template.records:
        try:
            out.append(RawRecord(str(item["name"]).format(**params), str(item["type"]),
                                 str(item["content"]).format(**params),
                                 int(item.get("ttl", 3600))))
        except (KeyError, IndexError, ValueError) as exc:
            raise TemplateInvalid(_("The template %(template)s is broken (%(error)s): tell "
                                    "the operators.") % {"template": template.name,
                                                         "error": exc}) from exc
    return out


def apply_template(*, zone: Zone, actor: Actor, template: Template,
                   values: Mapping[str, str] | None = None) -> tuple[TemplateApplication, Outcome]:
    verify_may_manage(zone.organisation, actor)
    records = fill(template, values or {})
    with transaction.atomic():
        application = TemplateApplication.objects.create(zone=zone, template=template,
                                                         values=dict(values or {}))
        outcome = change_records(zone, actor, ChangeKind.TEMPLATE_APPLY, add=records,
                                 application=application, publish=False,
                                 summary=f"template “{template.name}” applied")
    return application, settle_outcome(outcome, zone)


def remove_template(*, application: TemplateApplication, actor: Actor) -> Outcome:
    zone = application.zone
    verify_may_manage(zone.organisation, actor)
    if application.removed_at is not None:
        raise NotHosted(_("This template was already removed."))
    with transaction.atomic():
        outcome = change_records(zone, actor, ChangeKind.TEMPLATE_REMOVE,
                                 remove=list(application.records.all()), publish=False,
                                 summary=f"template “{application.template.name}” removed")
        application.removed_at = clock.now()
        application.save(update_fields=["removed_at"])
    return settle_outcome(outcome, zone)
