"""Append-only models: rows are added, never changed or removed (history, ledger entries).

Enforced at model level: ``save()`` of an existing row, ``delete()`` and queryset ``update()``
/ ``delete()`` raise :class:`AppendOnlyError`. A correction is a new row that says so.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _


class AppendOnlyError(Exception):
    """A change or removal was attempted on an append-only record."""


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError(_("%(model)s rows cannot be changed: add a new row instead.")
                              % {"model": self.model._meta.verbose_name})

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError(_("%(model)s rows cannot be removed.")
                              % {"model": self.model._meta.verbose_name})

    # bulk_update would bypass save(): refuse it too.
    def bulk_update(self, objs: Any, fields: Any, batch_size: Any = None) -> int:
        raise AppendOnlyError(_("%(model)s rows cannot be changed: add a new row instead.")
                              % {"model": self.model._meta.verbose_name})


class AppendOnlyModel(models.Model):
    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError(
                _("%(model)s rows cannot be changed: add a new row instead.")
                % {"model": self._meta.verbose_name}
            )
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError(
            _("%(model)s rows cannot be removed.") % {"model": self._meta.verbose_name}
        )


def refuse_changes_in_database(table: str) -> Any:
    """A migration operation: the database itself refuses UPDATE (and, on PostgreSQL,
    DELETE) on ``table``, so that raw SQL or a bug cannot rewrite history either.

    SQLite keeps DELETE possible because Django's test flush empties tables with DELETE;
    PostgreSQL's flush uses TRUNCATE, which row triggers do not see.
    """
    from django.db import migrations

    def forward(apps: Any, schema_editor: Any) -> None:
        vendor = schema_editor.connection.vendor
        if vendor == "postgresql":
            schema_editor.execute(
                "CREATE OR REPLACE FUNCTION bureau_refuse_change() RETURNS trigger AS $$ "
                "BEGIN RAISE EXCEPTION 'append-only table %: % refused', TG_TABLE_NAME, TG_OP; "
                "END $$ LANGUAGE plpgsql", params=None)
            schema_editor.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION bureau_refuse_change()")
        elif vendor == "sqlite":
            schema_editor.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE ON {table} "
                f"BEGIN SELECT RAISE(ABORT, 'append-only table {table}: UPDATE refused'); END")

    def backward(apps: Any, schema_editor: Any) -> None:
        vendor = schema_editor.connection.vendor
        if vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
        elif vendor == "sqlite":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only")

    return migrations.RunPython(forward, backward)
