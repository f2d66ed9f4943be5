"""Prints, as JSON, what a backup must keep: the domains (with their transfer codes, which
are encrypted at rest), the registries' passwords (encrypted too), the ledger and the hosted
zones. Run in its own process with the settings of the Bureau to read:

    DATABASE_URL=... BUREAU_FIELD_KEY=... python tests/deploy/snapshot.py
"""

from __future__ import annotations

import json
import os

import django


def snapshot() -> dict[str, object]:
    from bureau.dns.models import Zone
    from bureau.registrar.billing.models import Entry, LedgerAccount
    from bureau.registrar.domains.models import Domain
    from bureau.registrar.registries.models import Registry

    return {
        "domains": [[d.name, d.state, d.expires_at.isoformat() if d.expires_at else None,
                     d.auth_info] for d in Domain.objects.order_by("name")],
        "registries": [[r.slug, r.password] for r in Registry.objects.order_by("slug")],
        "entries": [[e.journal.kind, e.journal.memo, str(e.account), e.amount]
                    for e in Entry.objects.select_related("journal", "account").order_by("id")],
        "balances": sorted([str(a), a.balance] for a in LedgerAccount.objects.all()),
        "zones": [[z.name, z.serial, sorted([r.name, r.rtype, r.content, r.ttl]
                                            for r in z.records.all())]
                  for z in Zone.objects.order_by("name")],
    }


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bureau.settings")
    django.setup()
    print(json.dumps(snapshot()))
