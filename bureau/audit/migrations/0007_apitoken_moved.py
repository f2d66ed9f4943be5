"""The API token model moves from the API app to this one: its table (api_apitoken) and its
rows stay where they are; only Django's record of which app owns it changes."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def move_content_type(apps, schema_editor):
    # Permissions and admin history point at the content type: keep them, relabelled.
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label="audit", model="apitoken").exists():
        ContentType.objects.filter(app_label="api", model="apitoken").update(app_label="audit")


def move_content_type_back(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label="api", model="apitoken").exists():
        ContentType.objects.filter(app_label="audit", model="apitoken").update(app_label="api")


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0006_account_closed_event'),
        ('api', '0002_challenge_token'),
        ('accounts', '0001_initial'),
        ('contenttypes', '0002_remove_content_type_name'),
        ('dns', '0009_acme_update_service'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='ApiToken',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(max_length=100, verbose_name='name')),
                        ('prefix', models.CharField(max_length=24, unique=True, verbose_name='prefix')),
                        ('secret_hash', models.CharField(max_length=64, unique=True, verbose_name='SHA-256 of the token')),
                        ('scopes', models.JSONField(default=list, verbose_name='scopes')),
                        ('challenge', models.CharField(blank=True, max_length=255, verbose_name='only the TXT records of')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                        ('expires_at', models.DateTimeField(verbose_name='expires at')),
                        ('last_used_at', models.DateTimeField(blank=True, null=True, verbose_name='last used at')),
                        ('revoked_at', models.DateTimeField(blank=True, null=True, verbose_name='revoked at')),
                        ('challenge_zone', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='challenge_tokens', to='dns.zone', verbose_name='challenge zone')),
                        ('organisation', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='api_tokens', to='accounts.organisation', verbose_name='organisation')),
                        ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='api_tokens', to=settings.AUTH_USER_MODEL, verbose_name='person')),
                    ],
                    options={
                        'verbose_name': 'API token',
                        'verbose_name_plural': 'API tokens',
                        'ordering': ['-created_at', '-id'],
                        'db_table': 'api_apitoken',
                    },
                ),
            ],
        ),
        migrations.RunPython(move_content_type, move_content_type_back),
    ]
