"""Invitations keep only the SHA-256 of their token: links already sent keep working."""

import hashlib
from typing import Any

from django.db import migrations, models


def hash_tokens(apps: Any, schema_editor: Any) -> None:
    Invitation = apps.get_model("audit", "Invitation")
    for invitation in Invitation.objects.all():
        invitation.token_hash = hashlib.sha256(invitation.token.encode("utf-8")).hexdigest()
        invitation.save(update_fields=["token_hash"])


class Migration(migrations.Migration):

    dependencies = [
        ("audit", "0004_encrypt_mfa_secrets"),
    ]

    operations = [
        migrations.AddField(
            model_name="invitation",
            name="token_hash",
            field=models.CharField(editable=False, max_length=64, null=True),
        ),
        # Forward only: the clear tokens cannot come back from their hashes.
        migrations.RunPython(hash_tokens),
        migrations.RemoveField(model_name="invitation", name="token"),
        migrations.AlterField(
            model_name="invitation",
            name="token_hash",
            field=models.CharField(editable=False, max_length=64, unique=True),
        ),
    ]
