"""`bureau rotate_field_keys`: re-encrypt every encrypted field with the newest key.

Put a new key first in BUREAU_FIELD_KEY (keep the old ones after it), run this, then drop the
old keys. Rows are rewritten in place with a raw UPDATE of the one column, model by model.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import connection, transaction

from bureau.core.fields import TOKEN_PREFIX, EncryptedTextField, cipher


class Command(BaseCommand):
    help = "Re-encrypt encrypted fields with the first key of BUREAU_FIELD_KEY."

    def handle(self, *args: Any, **options: Any) -> None:
        total = 0
        for model in apps.get_models():
            fields = [f for f in model._meta.get_fields() if isinstance(f, EncryptedTextField)]
            for field in fields:
                count = rotate(model, field.attname)
                total += count
                if count:
                    self.stdout.write(f"{model._meta.label}.{field.name}: {count} re-encrypted")
        self.stdout.write(f"{total} value(s) re-encrypted")


def rotate(model: Any, column: str) -> int:
    """Re-encrypt one column from the stored tokens (read with a raw cursor, since the ORM
    would decrypt them), so the model's save() and signals are not involved."""
    table = model._meta.db_table
    pk_column = model._meta.pk.column
    db_column = model._meta.get_field(column).column
    count = 0
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f'SELECT "{pk_column}", "{db_column}" FROM "{table}"')
        for pk, stored in cursor.fetchall():
            if not stored or not stored.startswith(TOKEN_PREFIX):
                continue
            token = stored[len(TOKEN_PREFIX):].encode()
            fresh = TOKEN_PREFIX + cipher().rotate(token).decode()
            cursor.execute(f'UPDATE "{table}" SET "{db_column}" = %s WHERE "{pk_column}" = %s',
                           [fresh, pk])
            count += 1
    return count
