"""The API token model now belongs to the audit app (its migration 0007 takes it over, same
table): forget it here without touching the table."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('api', '0002_challenge_token'),
        ('audit', '0007_apitoken_moved'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[migrations.DeleteModel(name='ApiToken')],
        ),
    ]
