"""The sandbox's SQLite file: schema and connection settings.

One file holds everything (objects, poll queue, ledger, clock offset, fault switches), so that
another process (the operator CLI, a test) can read and change it while the server runs. WAL
mode lets it read while the server writes.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from bureau.sandbox.policy import RegistryConfig

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS registrars (
    id TEXT PRIMARY KEY, pw TEXT NOT NULL, balance TEXT NOT NULL, credit_limit TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS domains (
    id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, roid TEXT NOT NULL, tld TEXT NOT NULL,
    clid TEXT NOT NULL, crid TEXT NOT NULL, upid TEXT, crdate INTEGER NOT NULL,
    updated INTEGER, exdate INTEGER NOT NULL, trdate INTEGER, authinfo TEXT NOT NULL,
    registrant TEXT, statuses TEXT NOT NULL DEFAULT '',
    state TEXT NOT NULL DEFAULT 'active', state_until INTEGER,
    add_grace_until INTEGER, add_fee TEXT,
    renew_grace_until INTEGER, renew_fee TEXT,
    autorenew_grace_until INTEGER, autorenew_fee TEXT,
    transfer_grace_until INTEGER,
    secdns TEXT);
CREATE TABLE IF NOT EXISTS bundle_members (
    name TEXT PRIMARY KEY, domain_id INTEGER NOT NULL, ulabel TEXT);
CREATE INDEX IF NOT EXISTS bundle_by_domain ON bundle_members(domain_id);
CREATE TABLE IF NOT EXISTS domain_contacts (
    domain_id INTEGER NOT NULL, type TEXT NOT NULL, contact_id INTEGER NOT NULL,
    PRIMARY KEY (domain_id, type, contact_id));
CREATE INDEX IF NOT EXISTS domain_contacts_by_contact ON domain_contacts(contact_id);
CREATE TABLE IF NOT EXISTS domain_ns (
    domain_id INTEGER NOT NULL, host_id INTEGER NOT NULL, PRIMARY KEY (domain_id, host_id));
CREATE INDEX IF NOT EXISTS domain_ns_by_host ON domain_ns(host_id);
CREATE TABLE IF NOT EXISTS hosts (
    id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, roid TEXT NOT NULL, clid TEXT NOT NULL,
    crid TEXT NOT NULL, upid TEXT, crdate INTEGER NOT NULL, updated INTEGER, trdate INTEGER,
    statuses TEXT NOT NULL DEFAULT '', addrs TEXT NOT NULL DEFAULT '[]',
    superordinate INTEGER);
CREATE INDEX IF NOT EXISTS hosts_by_superordinate ON hosts(superordinate);
CREATE TABLE IF NOT EXISTS contacts (
    id INTEGER PRIMARY KEY, handle TEXT NOT NULL UNIQUE, roid TEXT NOT NULL, clid TEXT NOT NULL,
    crid TEXT NOT NULL, upid TEXT, crdate INTEGER NOT NULL, updated INTEGER, trdate INTEGER,
    authinfo TEXT NOT NULL, statuses TEXT NOT NULL DEFAULT '', data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS transfers (
    object_type TEXT NOT NULL, object_id INTEGER NOT NULL, status TEXT NOT NULL,
    reid TEXT NOT NULL, redate INTEGER NOT NULL, acid TEXT NOT NULL, acdate INTEGER NOT NULL,
    years INTEGER, fee TEXT, PRIMARY KEY (object_type, object_id));
CREATE TABLE IF NOT EXISTS reviews (
    domain_id INTEGER PRIMARY KEY, years INTEGER NOT NULL, cltrid TEXT, svtrid TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY, due INTEGER NOT NULL, kind TEXT NOT NULL,
    object_id INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS events_by_due ON events(due, id);
CREATE TABLE IF NOT EXISTS poll (
    id INTEGER PRIMARY KEY AUTOINCREMENT, clid TEXT NOT NULL, qdate INTEGER NOT NULL,
    msg TEXT NOT NULL, resdata TEXT, extension TEXT);
CREATE INDEX IF NOT EXISTS poll_by_clid ON poll(clid, id);
CREATE TABLE IF NOT EXISTS ledger (
    id INTEGER PRIMARY KEY, clid TEXT NOT NULL, date INTEGER NOT NULL, amount TEXT NOT NULL,
    object TEXT NOT NULL, description TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS faults (
    id INTEGER PRIMARY KEY, kind TEXT NOT NULL, command TEXT, remaining INTEGER,
    value INTEGER NOT NULL DEFAULT 0);
"""


# Columns added since the first release: a state file made before gets them on start.
_ADDED_COLUMNS = {
    "domains": {"status_reasons": "TEXT NOT NULL DEFAULT '{}'"},
    "hosts": {"status_reasons": "TEXT NOT NULL DEFAULT '{}'"},
    "contacts": {"status_reasons": "TEXT NOT NULL DEFAULT '{}'"},
    "registrars": {"pw_changed": "INTEGER", "user_agent": "TEXT", "rdap_url": "TEXT"},
}


def connect(path: Path | str) -> sqlite3.Connection:
    """A connection with the settings every user of the file needs (autocommit off)."""
    conn = sqlite3.connect(str(path), timeout=10.0, isolation_level=None,
                           check_same_thread=False)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA busy_timeout = 10000")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("PRAGMA foreign_keys = OFF")
    return conn


def initialise(conn: sqlite3.Connection, config: RegistryConfig) -> None:
    """Create the tables, and the registrar accounts the file does not have yet."""
    conn.executescript(SCHEMA)
    for table, columns in _ADDED_COLUMNS.items():
        present = {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}
        for column, declaration in columns.items():
            if column not in present:
                try:
                    conn.execute(f"ALTER TABLE {table} ADD COLUMN {column} {declaration}")
                except sqlite3.OperationalError as exc:  # another process added it first
                    if "duplicate column" not in str(exc):
                        raise
    _poll_ids_never_reused(conn)
    with transaction(conn):
        for account in config.registrars:
            conn.execute(
                "INSERT OR IGNORE INTO registrars (id, pw, balance, credit_limit)"
                " VALUES (?, ?, ?, ?)",
                (account.id, account.password, str(account.balance),
                 str(account.credit_limit)),
            )
            if account.rdap_url:
                conn.execute("UPDATE registrars SET rdap_url = ? WHERE id = ?",
                             (account.rdap_url, account.id))
        conn.execute("INSERT OR IGNORE INTO meta (key, value) VALUES ('clock_offset', '0')")
        conn.execute("INSERT OR IGNORE INTO meta (key, value) VALUES ('roid_seq', '0')")


def _poll_ids_never_reused(conn: sqlite3.Connection) -> None:
    """A message id is unique for the life of a queue (AUTOINCREMENT: an acknowledged,
    deleted message's id is never handed out again). A file made before gets the table
    rebuilt, numbering on from its highest id."""
    sql = conn.execute("SELECT sql FROM sqlite_master WHERE name = 'poll'").fetchone()[0]
    if "AUTOINCREMENT" in sql.upper():
        return
    with transaction(conn):
        conn.execute("ALTER TABLE poll RENAME TO poll_reused_ids")
        conn.execute("DROP INDEX IF EXISTS poll_by_clid")
        for statement in SCHEMA.split(";"):
            if "poll" in statement:
                conn.execute(statement)
        conn.execute("INSERT INTO poll SELECT * FROM poll_reused_ids")
        conn.execute("DROP TABLE poll_reused_ids")


class transaction:
    """`with transaction(conn):` — BEGIN IMMEDIATE ... COMMIT, or ROLLBACK on error."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def __enter__(self) -> sqlite3.Connection:
        self.conn.execute("BEGIN IMMEDIATE")
        return self.conn

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        if exc_type is None:
            self.conn.execute("COMMIT")
        else:
            self.conn.execute("ROLLBACK")
