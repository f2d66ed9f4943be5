"""Registrar balances and the ledger: every charge and credit is one ledger row."""

from __future__ import annotations

import sqlite3
from decimal import Decimal

from bureau.sandbox.errors import EppError


def balance(conn: sqlite3.Connection, clid: str) -> Decimal:
    row = conn.execute("SELECT balance FROM registrars WHERE id = ?", (clid,)).fetchone()
    return Decimal(row[0]) if row else Decimal(0)


def _move(conn: sqlite3.Connection, clid: str, amount: Decimal, obj: str, why: str,
          now: int) -> None:
    new = balance(conn, clid) + amount
    conn.execute("UPDATE registrars SET balance = ? WHERE id = ?", (str(new), clid))
    conn.execute("INSERT INTO ledger (clid, date, amount, object, description)"
                 " VALUES (?, ?, ?, ?, ?)", (clid, now, str(amount), obj, why))


def charge(conn: sqlite3.Connection, clid: str, amount: Decimal, obj: str, why: str,
           now: int, *, force: bool = False) -> None:
    """Debit `amount`; 2104 when the balance and credit limit do not cover it (unless forced,
    as for auto-renewals, which a registry performs whatever the balance)."""
    if amount <= 0:
        return
    row = conn.execute("SELECT balance, credit_limit FROM registrars WHERE id = ?",
                       (clid,)).fetchone()
    if row is None:
        raise EppError(2104, f"registrar {clid} has no account")
    if not force and Decimal(row[0]) + Decimal(row[1]) < amount:
        raise EppError(2104, f"balance {row[0]} does not cover {amount} for {why}")
    _move(conn, clid, -amount, obj, why, now)


def credit(conn: sqlite3.Connection, clid: str, amount: Decimal, obj: str, why: str,
           now: int) -> None:
    if amount > 0:
        _move(conn, clid, amount, obj, why, now)
