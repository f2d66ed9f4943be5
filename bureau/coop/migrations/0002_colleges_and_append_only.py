"""The three colleges of a SCIC (renamed or added to in the admin), and append-only
enforcement in the database for share movements, participations, votes and invoices."""

from typing import Any

from django.db import migrations

from bureau.core.appendonly import refuse_changes_in_database

COLLEGES = [
    ("employees", "Salarié·es", 1),
    ("customers", "Client·es et bénéficiaires", 2),
    ("contributors", "Contributeurs et contributrices", 3),
]


def add_colleges(apps: Any, schema_editor: Any) -> None:
    College = apps.get_model("coop", "College")
    for code, name, position in COLLEGES:
        College.objects.get_or_create(code=code, defaults={"name": name, "position": position})


class Migration(migrations.Migration):
    dependencies = [("coop", "0001_initial")]

    operations = [
        migrations.RunPython(add_colleges, migrations.RunPython.noop),
        refuse_changes_in_database("coop_sharemovement"),
        refuse_changes_in_database("coop_participation"),
        refuse_changes_in_database("coop_vote"),
        refuse_changes_in_database("coop_invoice"),
    ]
