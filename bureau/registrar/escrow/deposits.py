"""Use case: make a full or an incremental deposit from the database and record it.

The deposit row is stored first (state ``writing``) so that its time marks the snapshot.
Then, in one transaction (one snapshot of the data when it can be REPEATABLE READ): PostgreSQL
writes and checks the CSV records (:mod:`.rows`), which the library splits, hashes, compresses
and encrypts; the names go into the history. The row becomes ``written``. On any failure the
row is ``failed`` with the error, partial files are gone (the library removes them) and an
alert is raised.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import queue
import shutil
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psycopg
import psycopg.sql
from django.db import IntegrityError, connection, transaction

from bureau.core import clock
from bureau.escrow.pipeline import DepositConfig, DepositResult, Series, write_files

from . import conf
from .alerts import raise_alert, resolve
from .history import series_ids
from .models import AlertKind, Deposit, DepositKind, DepositState
from .rows import DepositQuery

log = logging.getLogger("bureau.registrar.escrow")

Progress = Callable[[int], None]


class DepositRefused(Exception):
    """The deposit cannot be made now (the message says why and what to do)."""


def check_can_deposit(kind: str, date: dt.date) -> None:
    if connection.vendor != "postgresql":
        raise DepositRefused(
            "escrow deposits are written by PostgreSQL (COPY): give DATABASE_URL of the "
            f"production PostgreSQL database (this one is {connection.vendor}, the demo's).")
    same_day = Deposit.objects.filter(date=date).exclude(state=DepositState.FAILED)
    if same_day.exists():
        other = same_day.first()
        raise DepositRefused(
            f"a {other.kind if other else ''} deposit dated {date} already exists: two "
            "deposits of one day would share the hash file name "
            f"(<IANAID>_RDE_{date}_hash.txt) at the agent. Make it another day.")
    if kind == DepositKind.INCREMENTAL and not series_ids():
        raise DepositRefused("no full deposit yet: make a full deposit first "
                             "(bureau escrow deposit --full).")


def make_deposit(kind: str, *, date: dt.date | None = None, progress: Progress | None = None,
                 out_root: Path | None = None) -> Deposit:
    """Write a deposit of ``kind`` (``full`` or ``inc``) and record it. Raises
    :class:`DepositRefused`, :class:`conf.EscrowNotConfigured` or the library's errors."""
    if kind not in (DepositKind.FULL, DepositKind.INCREMENTAL):
        raise DepositRefused(f"deposit kind must be full or inc, not {kind!r}")
    now = clock.now()
    date = date or now.astimezone(dt.UTC).date()
    check_can_deposit(kind, date)
    profile, keys, iana = conf.profile(), conf.signing_keys(), conf.iana_id()
    compression = conf.compression()
    conf.gtlds()  # refused now, with the setting named, rather than as a failed deposit
    previous = series_ids() if kind == DepositKind.INCREMENTAL else []
    try:
        with transaction.atomic():
            deposit = Deposit.objects.create(kind=kind, date=date, profile=profile.name,
                                             compression=compression, started_at=now,
                                             folder="")
    except IntegrityError:
        raise DepositRefused(f"another deposit dated {date} was started at the same time"
                             ) from None
    folder = ((out_root or conf.out_dir()) / f"{date.isoformat()}_{kind}_{deposit.pk}").resolve()
    deposit.folder = str(folder)
    deposit.save(update_fields=["folder"])
    try:
        folder.mkdir(parents=True, exist_ok=False)
        config = DepositConfig(
            iana_id=iana, profile=profile, keys=keys, out_dir=folder, kind=kind, date=date,
            compression=compression)
        query = DepositQuery(profile, iana, kind, date, conf.include_redemption(), previous)
        result = _write(query, config, deposit, progress)
    except BaseException as e:
        deposit.state = DepositState.FAILED
        deposit.error = f"{type(e).__name__}: {e}"
        deposit.save(update_fields=["state", "error"])
        shutil.rmtree(folder, ignore_errors=True)
        log.error("escrow %s deposit %s failed: %s", kind, date, e)
        raise_alert(AlertKind.DEPOSIT, f"The {kind} escrow deposit of {date} failed: {e}")
        raise
    deposit.files = [{"name": f.name, "kind": f.kind, "seq": f.seq, "records": f.records,
                      "size": f.size, "sha256": f.sha256, "csv_name": f.csv_name,
                      "csv_sha256": f.csv_sha256} for f in result.files]
    deposit.hash_file = result.hash_file.name
    deposit.records = result.records
    deposit.skipped_redemption = result.skipped_redemption
    deposit.state = DepositState.WRITTEN
    deposit.written_at = clock.now()
    deposit.save()
    resolve(AlertKind.DEPOSIT)  # old series' names are pruned by their own job (tasks.py)
    log.info("escrow %s deposit %s written: %d rows in %s", kind, date, result.records, folder)
    return deposit


def _write(query: DepositQuery, config: DepositConfig, deposit: Deposit,
           progress: Progress | None) -> DepositResult:
    """Write the files and record the names, all from one snapshot of the data."""
    snapshot = not connection.in_atomic_block  # else the caller's transaction is the snapshot
    with transaction.atomic():
        connection.ensure_connection()
        raw = connection.connection
        assert raw is not None
        with raw.cursor() as cursor:
            if snapshot:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            cursor.execute("SET LOCAL jit = off")  # compiling costs more than it saves here
            cursor.execute("SET LOCAL DateStyle = ISO")  # dates as text are YYYY-MM-DD
            names = shard = None
            records: Iterator[bytes | memoryview] = query.records(cursor)
            if snapshot:
                cursor.execute("SELECT pg_export_snapshot()")
                row = cursor.fetchone()
                assert row is not None
                names = _NameRecording(query.record_names(deposit.pk), str(row[0]))
                names.start()
                shard = _RecordShard(query, str(row[0]))
                shard.start()
                records = shard.merged_with(query.records(cursor, (0, 2)))
            try:
                series = [Series(config.kind, config.profile.header, records)]
                if config.profile.handle_mode:
                    series.append(Series("hdl", config.profile.handle_header,
                                         query.handle_records(cursor)))
                result = write_files(config, series, progress)
                if names is None:  # a caller's transaction: its data is seen by it only
                    for sql in query.record_names(deposit.pk):
                        cursor.execute(sql)
                cursor.execute(query.count_redemption_left_out())
                row = cursor.fetchone()
                result.skipped_redemption = int(row[0]) if row else 0
            except BaseException:
                if shard is not None:
                    shard.cancel()
                if names is not None:
                    names.finish(commit=False)
                raise
            if names is not None:
                names.finish(commit=True)
    return result


_DONE = object()


class _RecordShard(threading.Thread):
    """Half of the records (the upper half of the row ids), written by a second database
    process on a connection of its own from the deposit's snapshot: the record query is the
    deposit's longest step, and on a busy machine two processes get through it sooner than
    one. The records come over in batches through a bounded queue."""

    def __init__(self, query: DepositQuery, snapshot: str) -> None:
        super().__init__(name="escrow-records", daemon=True)
        self.query, self.snapshot = query, snapshot
        self.out: queue.Queue[object] = queue.Queue(maxsize=8)
        self.stop = threading.Event()
        self.conn: psycopg.Connection[Any] | None = None
        self.finished = False

    def run(self) -> None:
        try:
            with psycopg.connect(**connection.get_connection_params(),
                                 autocommit=True) as conn:
                self.conn = conn
                conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ")
                conn.execute(psycopg.sql.SQL("SET TRANSACTION SNAPSHOT {}").format(
                    self.snapshot))
                conn.execute("SET LOCAL jit = off")
                conn.execute("SET LOCAL DateStyle = ISO")
                with conn.cursor() as cursor:
                    batch: list[bytes] = []
                    for record in self.query.records(cursor, (1, 2)):
                        batch.append(bytes(record))
                        if len(batch) >= 512:
                            self._put(batch)
                            batch = []
                    self._put(batch)
                conn.execute("ROLLBACK")  # it only read
            self._put(_DONE)
        except BaseException as e:  # raised by the consumer
            self._put(e)

    def _put(self, item: object) -> None:
        while not self.stop.is_set():
            try:
                self.out.put(item, timeout=0.5)
                return
            except queue.Full:
                continue

    def cancel(self) -> None:
        """The deposit failed: stop the query and let the thread end."""
        self.stop.set()
        if self.conn is not None:
            with contextlib.suppress(Exception):
                self.conn.cancel_safe(timeout=5)

    def _take(self, block: bool) -> Iterator[bytes]:
        """The shard's records waiting in the queue (all of them, until its end, if
        ``block``); sets ``finished`` at the end."""
        while not self.finished:
            try:
                item = self.out.get(block=block)
            except queue.Empty:
                return
            if item is _DONE:
                self.finished = True
                self.join()
            elif isinstance(item, BaseException):
                raise item
            else:
                yield from item  # type: ignore[misc]

    def merged_with(self, own: Iterator[memoryview]) -> Iterator[bytes | memoryview]:
        """This connection's records, with the shard's as they come, then the rest of them."""
        n = 0
        for record in own:
            yield record
            n += 1
            if n >= 512:
                n = 0
                yield from self._take(block=False)
        yield from self._take(block=True)


class _NameRecording(threading.Thread):
    """Records the deposit's names on a connection of its own, from the deposit's snapshot
    (exported by the deposit's transaction), while the files are written: the INSERT of a
    million names no longer waits for the last file. Committed only once the files are
    written, rolled back otherwise."""

    def __init__(self, statements: list[str], snapshot: str) -> None:
        super().__init__(name="escrow-names", daemon=True)
        self.statements, self.snapshot = statements, snapshot
        self.verdict: queue.Queue[bool] = queue.Queue(maxsize=1)
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            with psycopg.connect(**connection.get_connection_params(),
                                 autocommit=True) as conn:
                conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ")
                try:
                    conn.execute(psycopg.sql.SQL("SET TRANSACTION SNAPSHOT {}").format(
                        self.snapshot))
                    for sql in self.statements:
                        conn.execute(sql.encode())
                except BaseException:
                    conn.execute("ROLLBACK")
                    raise
                finally:
                    commit = self.verdict.get()
                conn.execute("COMMIT" if commit else "ROLLBACK")
        except BaseException as e:  # raised by finish()
            self.error = e

    def finish(self, commit: bool) -> None:
        """Commit (or roll back) the names; raises what went wrong recording them."""
        self.verdict.put(commit)
        self.join()
        if self.error is not None and commit:
            raise self.error
