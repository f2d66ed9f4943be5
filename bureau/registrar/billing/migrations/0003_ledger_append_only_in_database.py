from django.db import migrations

from bureau.core.appendonly import refuse_changes_in_database


class Migration(migrations.Migration):
    dependencies = [("billing", "0002_initial")]

    operations = [
        refuse_changes_in_database("billing_journal"),
        refuse_changes_in_database("billing_entry"),
    ]
