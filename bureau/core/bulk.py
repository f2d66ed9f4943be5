"""Writing many rows at once without building a model instance for each (a bank statement
has a million lines): ids taken ahead from the table's own sequence, rows sent with
PostgreSQL's COPY; on SQLite (the demo's database) one ``executemany``.

Neither ``save()`` nor signals run: the callers are the bulk twins of operations (the
ledger's ``top_up_many``, the invoices of a statement) and say themselves what they write.
Call these inside the transaction that owns the rows."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.db import connection, models


class Json(str):
    """A JSON document already serialised: rows that share one (an invoice's seller) are
    written without serialising it again for each."""


def take_ids(model: type[models.Model], count: int) -> list[int]:
    """``count`` fresh primary keys of ``model``'s table, never given to anyone else."""
    if count <= 0:
        return []
    table, column = model._meta.db_table, model._meta.pk.column
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) "
                           "FROM generate_series(1, %s)", [table, column, count])
            return [row[0] for row in cursor.fetchall()]
        # SQLite: Bureau's transactions take the write lock at BEGIN, so the highest id
        # (or AUTOINCREMENT's memory of it) cannot move under us.
        cursor.execute(f'SELECT max("{column}") FROM "{table}"')
        highest = cursor.fetchone()[0] or 0
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        found = cursor.fetchone()
        first = max(highest, found[0] if found else 0) + 1
        return list(range(first, first + count))


def insert_rows(model: type[models.Model], fields: Sequence[str],
                rows: Iterable[Sequence[Any]]) -> None:
    """Insert ``rows`` (tuples of Python values in the order of ``fields``, attribute names
    such as ``journal_id``; JSON fields take dicts or lists). Their foreign keys are checked
    as the insert ends, not at commit: insert what they refer to first."""
    meta = model._meta
    # An attname (``journal_id``) finds its field too.
    columns: list[Any] = [meta.get_field(name) for name in fields]
    names = ", ".join(connection.ops.quote_name(field.column) for field in columns)
    table = connection.ops.quote_name(meta.db_table)
    if connection.vendor == "postgresql":
        # COPY's text format: psycopg's C dumpers write each value; JSON goes as text.
        convert = [i for i, field in enumerate(columns) if isinstance(field, models.JSONField)]
        with connection.cursor() as cursor:
            # Django's foreign keys are deferred, and PostgreSQL keeps each pending check in
            # memory until the transaction ends, even once it has been run: checked with the
            # COPY, a million rows' checks do not pile up. (On failure the transaction is
            # lost anyway, and a rolled-back savepoint restores the mode itself.)
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    if convert:
                        row = list(row)
                        for i in convert:
                            value = row[i]
                            row[i] = (value if isinstance(value, Json) or value is None
                                      else json.dumps(value))
                    copy.write_row(row)
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        return
    preps: list[Callable[[Any, Any], Any]] = [field.get_db_prep_save for field in columns]
    marks = ", ".join(["%s"] * len(columns))
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", [
            [value if isinstance(value, Json) else prep(value, connection)
             for prep, value in zip(preps, row, strict=True)] for row in rows])


def existing(model: type[models.Model], column: str, values: Sequence[Any]) -> set[Any]:
    """Which of ``values`` the column holds, in one query (PostgreSQL: one array parameter,
    not thousands of placeholders)."""
    if not values:
        return set()
    table = connection.ops.quote_name(model._meta.db_table)
    name = connection.ops.quote_name(column)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"SELECT {name} FROM {table} WHERE {name} = ANY(%s)", [list(values)])
        else:
            marks = ", ".join(["%s"] * len(values))
            cursor.execute(f"SELECT {name} FROM {table} WHERE {name} IN ({marks})", list(values))
        return {row[0] for row in cursor.fetchall()}


def add_to(model: type[models.Model], column: str, amounts: dict[int, int]) -> None:
    """``column += amount`` for each primary key in ``amounts``, in one statement (the
    database adds: concurrent writers lose nothing)."""
    if not amounts:
        return
    table = connection.ops.quote_name(model._meta.db_table)
    pk = connection.ops.quote_name(str(model._meta.pk.column))
    target = connection.ops.quote_name(column)
    update = (f"UPDATE {table} SET {target} = {target} + moved.amount "
              f"FROM moved WHERE {table}.{pk} = moved.id")
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Two array parameters, not two placeholders per row.
            cursor.execute(f"WITH moved (id, amount) AS (SELECT * FROM unnest(%s::bigint[], "
                           f"%s::bigint[])) {update}", [list(amounts), list(amounts.values())])
            return
        values = ", ".join(["(%s, %s)"] * len(amounts))
        cursor.execute(f"WITH moved (id, amount) AS (VALUES {values}) {update}",
                       [value for item in amounts.items() for value in item])

