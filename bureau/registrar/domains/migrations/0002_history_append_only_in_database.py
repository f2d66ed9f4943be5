from django.db import migrations

from bureau.core.appendonly import refuse_changes_in_database


class Migration(migrations.Migration):
    dependencies = [("domains", "0001_initial")]

    operations = [refuse_changes_in_database("domains_domainevent")]
