"""TOTP secrets and recovery-code seeds were stored in clear in allauth's Authenticator.data:
encrypt them with the field keys (bureau.audit.mfa.MfaAdapter reads them so from now on)."""

from collections.abc import Callable
from typing import Any

from django.db import migrations

from bureau.core import fields

SECRET_KEYS = ("secret", "seed")


def convert(apps: Any, change: Callable[[str], str | None]) -> None:
    Authenticator = apps.get_model("mfa", "Authenticator")
    for authenticator in Authenticator.objects.filter(type__in=["totp", "recovery_codes"]):
        data = dict(authenticator.data)
        for key in SECRET_KEYS:
            if isinstance(data.get(key), str):
                data[key] = change(data[key]) or data[key]
        if isinstance(data.get("migrated_codes"), list):
            data["migrated_codes"] = [change(code) or code for code in data["migrated_codes"]]
        if data != authenticator.data:
            authenticator.data = data
            authenticator.save(update_fields=["data"])


def encrypt(apps: Any, schema_editor: Any) -> None:
    convert(apps, lambda value: None if value.startswith(fields.TOKEN_PREFIX)
            else fields.encrypt(value))


def decrypt(apps: Any, schema_editor: Any) -> None:
    convert(apps, lambda value: fields.decrypt(value)
            if value.startswith(fields.TOKEN_PREFIX) else None)


class Migration(migrations.Migration):

    dependencies = [
        ("audit", "0003_invitation_withdrawn_event"),
        ("mfa", "0003_authenticator_type_uniq"),
    ]

    operations = [migrations.RunPython(encrypt, decrypt)]
