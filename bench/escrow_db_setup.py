"""Make (once) the PostgreSQL database of bench/escrow.py's operator-path run: N names in
gTLD `bench` with their contacts (one contact per 10 names, three-line addresses, commas and
quotes). One template contact and one template domain are made with the ORM, then copied by
SQL (INSERT ... SELECT from generate_series): a million rows in seconds, whatever columns the
models have. Run in its own process with DATABASE_URL set: ``escrow_db_setup.py N``."""

from __future__ import annotations

import datetime as dt
import sys


def main() -> int:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from bureau.registrar.accounts.models import Organisation
    from bureau.registrar.contacts.models import Contact
    from bureau.registrar.domains.models import Domain, DomainState
    from bureau.registrar.registries.models import Registry, Tld

    count = int(sys.argv[1])
    call_command("migrate", verbosity=0)
    from bureau.registrar.escrow.models import Deposit

    Deposit.objects.all().delete()  # each run's deposits start a new history
    if Domain.objects.count() == count:
        return 0
    Domain.objects.all().delete()
    Contact.objects.all().delete()
    registry, _ = Registry.objects.get_or_create(
        slug="bench", defaults={"name": "Bench", "host": "127.0.0.1", "client_id": "bench",
                                "password": "x"})
    tld, _ = Tld.objects.get_or_create(name="bench", defaults={
        "registry": registry, "create_price": 1000, "renew_price": 1000, "transfer_price": 1000})
    org, _ = Organisation.objects.get_or_create(slug="bench", defaults={"name": "Bench"})
    template = Contact.objects.create(
        organisation=org, name="Camille Dupont", org='Coopérative "Le Lien", SARL',
        street="12, avenue des Champs\nBâtiment B\n3e étage", city="Saint-Étienne",
        postal_code="42000", country="FR", email="holder@example.org", phone="+33.100000000")
    expires = dt.datetime(2027, 6, 1, tzinfo=dt.UTC)
    Domain.objects.create(name="template.bench", tld=tld, organisation=org, registrant=template,
                          admin_contact=template, tech_contact=template,
                          billing_contact=template, state=DomainState.ACTIVE,
                          registered_at=expires - dt.timedelta(days=365), expires_at=expires,
                          nameservers=["ns1.example.net", "ns2.example.net"])

    def columns(table: str) -> list[str]:
        with connection.cursor() as c:
            c.execute("SELECT column_name FROM information_schema.columns WHERE "
                      "table_name = %s ORDER BY ordinal_position", [table])
            return [r[0] for r in c.fetchall() if r[0] != "id"]

    contacts = max(1, count // 10)
    cc = columns(Contact._meta.db_table)
    set_c = {"name": "name || ' ' || g", "email": "'holder' || g || '@example.org'"}
    dc = columns(Domain._meta.db_table)
    base = f"(SELECT min(id) FROM {Contact._meta.db_table} WHERE id > {template.pk})"
    pick = f"{base} + (g * 7919) % {contacts}"
    set_d = {"name": "'name' || g || '.bench'", "registrant_id": pick,
             "admin_contact_id": f"{base} + (g * 7919 + 1) % {contacts}",
             "tech_contact_id": f"{base} + (g * 7919 + 2) % {contacts}",
             "billing_contact_id": f"{base} + (g * 7919 + 3) % {contacts}",
             "expires_at": "expires_at + (g % 700) * interval '1 day'"}
    with connection.cursor() as c:
        c.execute(f"INSERT INTO {Contact._meta.db_table} ({', '.join(cc)}) SELECT "
                  + ", ".join(set_c.get(col, col) for col in cc)
                  + f" FROM {Contact._meta.db_table}, generate_series(1::bigint, {contacts}) g "
                  f"WHERE id = {template.pk} ORDER BY g")
        c.execute(f"INSERT INTO {Domain._meta.db_table} ({', '.join(dc)}) SELECT "
                  + ", ".join(set_d.get(col, col) for col in dc)
                  + f" FROM {Domain._meta.db_table}, generate_series(1::bigint, {count - 1}) g "
                  f"WHERE name = 'template.bench' ORDER BY g")
        c.execute("ANALYZE")
    return 0


if __name__ == "__main__":
    sys.exit(main())
