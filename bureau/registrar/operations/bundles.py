"""The names of a registration (RFC 9095): the RDN and the bundled names the registry
derived from it, kept as the registry reports them in any answer that carries the bundle
(create, transfer, info, reconciliation)."""

from __future__ import annotations

from bureau import epp
from bureau.registrar.domains.models import BundledName, Domain


def record_bundle(domain: Domain, bundle: epp.BundleData | None) -> list[str]:
    """Make the domain's names those of ``bundle`` (the domain saved if renamed); return what
    changed: "name" when the row was named after a variant (a transfer asked for by a BDN
    names the row after the RDN from then on), "bundled_names" when the BDNs differed. No
    bundle reported: nothing is known, nothing changes."""
    if bundle is None:
        return []
    changed = []
    if domain.name != bundle.rdn.alabel:
        domain.name = bundle.rdn.alabel
        domain.save(update_fields=["name", "updated_at"])
        changed.append("name")
    wanted = {b.alabel: b.ulabel or "" for b in bundle.bdns}
    stale = domain.bundled_names.exclude(name__in=wanted)
    had = set(domain.bundled_names.values_list("name", flat=True))
    if stale.exists():
        stale.delete()
    for name, u_label in wanted.items():
        if name not in had:
            BundledName.objects.create(domain=domain, name=name, u_label=u_label)
    if had != set(wanted):
        changed.append("bundled_names")
    return changed
