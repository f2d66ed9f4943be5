"""The organisations' security policy (the 2FA requirement) moves from the audit app to this
one, so that every operation can check it: its table (audit_organisationpolicy) and its rows
stay where they are; only Django's record of which app owns it changes."""

import django.db.models.deletion
from django.db import migrations, models


def move_content_type(apps, schema_editor):
    # Permissions and admin history point at the content type: keep them, relabelled.
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label="accounts", model="organisationpolicy").exists():
        ContentType.objects.filter(app_label="audit", model="organisationpolicy").update(
            app_label="accounts")


def move_content_type_back(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label="audit", model="organisationpolicy").exists():
        ContentType.objects.filter(app_label="accounts", model="organisationpolicy").update(
            app_label="audit")


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0002_person_preferences'),
        ('audit', '0007_apitoken_moved'),
        ('contenttypes', '0002_remove_content_type_name'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='OrganisationPolicy',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('require_2fa', models.BooleanField(default=False, help_text='Every person of the organisation must set up a second factor (authenticator app or passkey) before using the portal.', verbose_name='require two-factor authentication')),
                        ('organisation', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='security_policy', to='accounts.organisation', verbose_name='organisation')),
                    ],
                    options={
                        'verbose_name': 'security policy',
                        'verbose_name_plural': 'security policies',
                        'db_table': 'audit_organisationpolicy',
                    },
                ),
            ],
        ),
        migrations.RunPython(move_content_type, move_content_type_back),
    ]
