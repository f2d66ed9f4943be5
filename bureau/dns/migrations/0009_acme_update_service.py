"""ACME keys move from PowerDNS's dnsupdate to Bureau's own update service, which keeps each
secret (encrypted) to verify updates. Keys made before had their secret in PowerDNS only:
they are revoked, and their holders make new ones (the portal shows them as revoked)."""

from django.db import migrations, models
from django.utils import timezone  # a migration runs outside Bureau's clock

import bureau.core.fields


def revoke_keys_without_secret(apps, schema_editor):  # type: ignore[no-untyped-def]
    AcmeCredential = apps.get_model("dns", "AcmeCredential")
    AcmeCredential.objects.filter(revoked_at=None).update(revoked_at=timezone.now())


class Migration(migrations.Migration):

    dependencies = [
        ('dns', '0008_acme_credential'),
    ]

    operations = [
        migrations.RunPython(revoke_keys_without_secret, migrations.RunPython.noop),
        migrations.RemoveField(
            model_name='acmecredential',
            name='powerdns_key_id',
        ),
        migrations.AddField(
            model_name='acmecredential',
            name='secret',
            field=bureau.core.fields.EncryptedTextField(default='', verbose_name='TSIG secret'),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name='zonechange',
            name='kind',
            field=models.CharField(choices=[('create', 'Zone created'), ('edit', 'Records edited'), ('import', 'Zone file imported'), ('template-apply', 'Template applied'), ('template-remove', 'Template removed'), ('undo', 'Undo'), ('dnssec', 'DNSSEC'), ('reconcile', 'Reconciliation'), ('credential', 'ACME credential'), ('challenge', 'ACME challenge')], max_length=16, verbose_name='kind'),
        ),
    ]
