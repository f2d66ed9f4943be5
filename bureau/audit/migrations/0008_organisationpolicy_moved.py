"""The security policy now belongs to the accounts app (its migration 0003 takes it over,
same table): forget it here without touching the table."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0007_apitoken_moved'),
        ('accounts', '0003_organisationpolicy_moved'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[migrations.DeleteModel(name='OrganisationPolicy')],
        ),
    ]
