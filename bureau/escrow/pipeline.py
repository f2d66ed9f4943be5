"""Rows -> deposit files: CSV, split, compress, encrypt+sign, hash, name.

Three stages run at once with bounded memory: this thread turns rows into CSV; a worker thread
compresses (zlib and bz2 release the GIL); a child process per file encrypts and signs. Queues
between them are bounded, so memory stays flat whatever the number of rows.

:func:`write_deposit` takes rows (:class:`DomainRow`); :func:`write_files` takes CSV records
already encoded (a database that writes its own CSV, e.g. PostgreSQL's COPY): both end in the
same splitting, hashing, compression and encryption.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import os
import queue
import sqlite3
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from bureau.escrow.compress import open_compressor
from bureau.escrow.crypto import CryptoError, SigningKeys, sign_detached, spawn_encryptor
from bureau.escrow.csvwriter import RecordEncoder, compile_record, handle_values
from bureau.escrow.history import NameLookup, NameRecorder
from bureau.escrow.names import (
    DepositName,
    abbreviations_name,
    data_file_name,
    hash_file_name,
    hash_signature_name,
)
from bureau.escrow.profiles import Profile, abbreviations
from bureau.escrow.rows import ROLES, Contact, DomainRow
from bureau.escrow.split import Splitter
from bureau.escrow.validate import row_checker

Progress = Callable[[int], None]
_CHUNK = 1 << 20  # bytes of CSV handed to the compressor at a time
_BATCH = 512  # records encoded and counted together
_LOOKUP_BATCH = 5_000


class DepositError(Exception):
    pass


@dataclass(frozen=True, slots=True)
class DepositConfig:
    iana_id: str
    profile: Profile
    keys: SigningKeys
    out_dir: Path
    kind: str = "full"  # full or inc
    date: dt.date = field(default_factory=lambda: dt.datetime.now(dt.UTC).date())
    compression: str | None = None  # None: the profile's default
    include_redemption: bool = True  # spec 4.1.8: names in redemption MAY be left out
    previous: NameLookup | None = None  # required for inc: names already deposited
    record_to: NameRecorder | None = None  # told the names once the deposit is complete

    def check(self) -> None:
        if not self.iana_id.isdigit():
            raise DepositError(f"IANA ID must be digits only, not {self.iana_id!r}")
        if self.kind not in ("full", "inc"):
            raise DepositError(f"deposit kind must be full or inc, not {self.kind!r}")
        if not self.out_dir.is_dir():
            raise DepositError(f"output folder {self.out_dir} does not exist")
        self.profile.check()
        self.keys.check()  # fail here, with a clear message, rather than in the child


@dataclass(frozen=True, slots=True)
class DepositFile:
    name: str
    kind: str
    seq: int
    records: int
    lines: int
    csv_bytes: int
    size: int
    sha256: str  # of the delivered file (encrypted): what delivery checks on the server
    csv_name: str  # the CSV after splitting, before compression (4.1.17-4.1.18)
    csv_sha256: str  # what the hash file lists


@dataclass
class DepositResult:
    files: list[DepositFile]
    hash_file: Path
    signature_file: Path  # the registrar's detached signature of the hash file
    abbreviations_file: Path  # the header's abbreviations (4.1.15), listed in the hash file
    records: int
    skipped_redemption: int
    skipped_deposited: int

    @property
    def paths(self) -> list[Path]:
        return [self.hash_file.parent / f.name for f in self.files] + [
            self.abbreviations_file, self.signature_file, self.hash_file]


_OPEN, _DATA, _CLOSE, _STOP = range(4)


class _Backend(threading.Thread):
    """Worker: compress the CSV chunks into the encryptor child, then hash the result."""

    def __init__(self, config: DepositConfig, compression: str) -> None:
        super().__init__(name="escrow-compress", daemon=True)
        self.config = config
        self.compression = compression
        self.inbox: queue.Queue[tuple[int, object]] = queue.Queue(maxsize=4)  # 1 MB chunks
        self.done: list[tuple[str, int, str, str]] = []  # name, size, sha256, CSV sha256
        self.error: BaseException | None = None

    def run(self) -> None:
        proc = None
        comp = None
        part: Path | None = None
        name = ""
        csv_hash = hashlib.sha256()
        try:
            while True:
                op, arg = self.inbox.get()
                if op == _OPEN:
                    assert isinstance(arg, tuple)
                    name, member = str(arg[0]), str(arg[1])
                    part = self.config.out_dir / (name + ".part")
                    proc = spawn_encryptor(self.config.keys, part)
                    assert proc.stdin is not None
                    comp = open_compressor(self.compression, proc.stdin, member)
                    csv_hash = hashlib.sha256()
                elif op == _DATA:
                    assert comp is not None
                    csv_hash.update(arg)  # type: ignore[arg-type]
                    comp.write(arg)  # type: ignore[arg-type]
                elif op == _CLOSE:
                    assert comp is not None and proc is not None and part is not None
                    comp.close()
                    assert proc.stdin is not None
                    proc.stdin.close()
                    err = proc.stderr.read() if proc.stderr else b""
                    if proc.wait() != 0:
                        raise CryptoError(
                            f"encryption of {name} failed: "
                            f"{err.decode(errors='replace').strip().splitlines()[:1]}"
                        )
                    final = self.config.out_dir / name
                    os.replace(part, final)
                    self.done.append((name, final.stat().st_size, _sha256(final),
                                      csv_hash.hexdigest()))
                    proc = comp = None
                elif op == _STOP:
                    if proc is not None:  # the producer failed mid-file: leave nothing behind
                        proc.kill()
                        proc.wait()
                        if part is not None:
                            part.unlink(missing_ok=True)
                    return
        except BaseException as e:  # handed to the producer, which raises it
            self.error = e
            if proc is not None:
                proc.kill()
                proc.wait()
                if isinstance(e, BrokenPipeError) and proc.stderr is not None:
                    msg = proc.stderr.read().decode(errors="replace").strip().splitlines()
                    self.error = CryptoError(f"the encryptor for {name} stopped: "
                                             f"{msg[-1] if msg else 'no message'}")
            if part is not None:
                part.unlink(missing_ok=True)
            while True:  # drain so the producer never blocks on a full queue
                op, _ = self.inbox.get()
                if op == _STOP:
                    return

    def send(self, op: int, arg: object = None) -> None:
        if self.error is not None:
            raise self.error
        self.inbox.put((op, arg))


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(1 << 20):
            h.update(block)
    return h.hexdigest()


@dataclass(frozen=True, slots=True)
class Series:
    """One series of files (full, inc or hdl) given as CSV records: each item of ``records``
    is one whole record, CRLF-terminated, as UTF-8 bytes (or a str, encoded here)."""

    kind: str
    header: list[str]
    records: Iterable[bytes | memoryview | str]


class _FileSeries:
    """One series of files (full, inc or hdl): splits at record ends, header in file 1 only."""

    def __init__(self, config: DepositConfig, backend: _Backend, kind: str, header: list[str],
                 compression: str, progress: Progress | None = None) -> None:
        self.config, self.backend, self.kind = config, backend, kind
        self.progress = progress  # told the number of records every 10,000 or so
        self.compression = compression
        self.splitter = Splitter(config.profile.split)
        self.encoder = RecordEncoder()
        self.header = self.encoder.record(header)
        self.seq = 0
        self.pending: list[str] | list[bytes | memoryview] = []  # not yet handed over
        self.buf: list[bytes] = []
        self.buf_len = 0
        self.stats: list[tuple[int, int, int]] = []  # records, lines, bytes per file
        self.records = 0

    def _open(self) -> None:
        self.seq += 1
        name = data_file_name(self.config.iana_id, self.config.date, self.kind, self.seq,
                              self.compression)
        member = DepositName(self.config.iana_id, self.config.date, self.kind, self.seq,
                             self.compression).csv_name
        self.backend.send(_OPEN, (name, member))
        self.splitter.reset()
        if self.seq == 1:
            data = self.header.encode()
            self._put(data, data.count(b"\n"), records=0)

    def _put(self, data: bytes, lines: int, records: int = 1) -> None:
        self.splitter.add(lines, len(data), records)
        self.buf.append(data)
        self.buf_len += len(data)
        if self.buf_len >= _CHUNK:
            self._flush()

    def _flush(self) -> None:
        if self.buf:
            self.backend.send(_DATA, b"".join(self.buf))
            self.buf.clear()
            self.buf_len = 0

    def _close(self) -> None:
        self._flush()
        self.stats.append((self.splitter.records, self.splitter.lines, self.splitter.bytes))
        self.backend.send(_CLOSE)

    def add_all(self, records: Iterable[bytes | memoryview | str]) -> None:
        pending = self.pending
        append = pending.append
        for record in records:
            append(record)  # type: ignore[arg-type]
            if len(pending) >= _BATCH:
                self._take()
                pending = self.pending
                append = pending.append

    def _take(self) -> None:
        """Hand the pending records over: as one batch when it fits in the current file
        (encoded and counted once, in C), else record by record to split at the right one."""
        pending, self.pending = self.pending, []
        if not pending:
            return
        if self.progress is not None and (self.records + len(pending)) // 10_000 > (
                self.records // 10_000):
            self.progress(self.records + len(pending))
        data = ("".join(pending).encode() if isinstance(pending[0], str)
                else b"".join(pending))
        lines = data.count(b"\n")
        s, r = self.splitter, self.config.profile.split
        if self.seq > 0 and (
            (r.max_lines is None or s.lines + lines <= r.max_lines)
            and (r.max_bytes is None or s.bytes + len(data) <= r.max_bytes)
            and (r.max_records is None or s.records + len(pending) <= r.max_records)
        ):
            self._put(data, lines, len(pending))
            self.records += len(pending)
            return
        for text in pending:
            self._add_one(text)

    def _add_one(self, record: str | bytes | memoryview) -> None:
        # encoded once: the byte count for the split rule and the bytes to compress
        data = record.encode() if isinstance(record, str) else bytes(record)
        lines = data.count(b"\n")
        if self.seq == 0:
            self._open()
        elif self.splitter.needs_new_file(lines, len(data)):
            self._close()
            self._open()
        self._put(data, lines)
        self.records += 1

    def finish(self) -> None:
        self._take()
        if self.seq == 0:
            self._open()  # an empty deposit still has a file with its header
        self._close()


class _HandleStore:
    """Contacts seen in handle mode, deduplicated on disk (millions of contacts)."""

    def __init__(self, directory: str) -> None:
        self.db = sqlite3.connect(os.path.join(directory, "handles.sqlite"))
        self.db.execute("PRAGMA journal_mode=OFF")
        self.db.execute("PRAGMA synchronous=OFF")
        self.db.execute("CREATE TABLE h (handle TEXT PRIMARY KEY, v BLOB) WITHOUT ROWID")
        self.pending: dict[str, Contact] = {}

    def add(self, contact: Contact) -> None:
        if not contact.handle:
            raise DepositError(f"handle mode: contact {contact.name!r} has no handle; give "
                               "every contact a handle or use a profile without handles")
        self.pending.setdefault(contact.handle, contact)
        if len(self.pending) >= 10_000:
            self.flush()

    def flush(self) -> None:
        import pickle

        self.db.executemany(
            "INSERT OR IGNORE INTO h VALUES (?, ?)",
            ((h, pickle.dumps(c)) for h, c in self.pending.items()),
        )
        self.pending.clear()

    def __iter__(self) -> Iterator[Contact]:
        import pickle

        self.flush()
        for (v,) in self.db.execute("SELECT v FROM h ORDER BY handle"):
            yield pickle.loads(v)

    def close(self) -> None:
        self.db.close()


def _selected(rows: Iterable[DomainRow], config: DepositConfig,
              counters: dict[str, int]) -> Iterator[DomainRow]:
    """Drop names in redemption (if so configured) and, for inc, names already deposited."""
    batch: list[DomainRow] = []

    def emit(batch: list[DomainRow]) -> Iterator[DomainRow]:
        known = config.previous.present([r.domain for r in batch]) if config.previous else set()
        for r in batch:
            if r.domain in known:
                counters["deposited"] += 1
            else:
                yield r

    for row in rows:
        if row.in_redemption and not config.include_redemption:
            counters["redemption"] += 1
            continue
        if config.kind == "full":
            yield row
            continue
        batch.append(row)
        if len(batch) >= _LOOKUP_BATCH:
            yield from emit(batch)
            batch = []
    if batch:
        yield from emit(batch)


def write_deposit(rows: Iterable[DomainRow], config: DepositConfig,
                  progress: Progress | None = None) -> DepositResult:
    """Write one deposit (full or inc) of ``rows`` into ``config.out_dir`` and return what was
    written: each row is checked (a bad one stops the deposit, nothing is left), turned into
    CSV and handed to :func:`write_files`; the names go to ``config.record_to``."""
    if config.kind == "inc" and config.previous is None:
        raise DepositError("an incremental deposit needs the previous deposits' names "
                           "(previous=NameIndex(...) or another NameLookup)")
    config.check()
    profile = config.profile
    to_record = compile_record(profile, config.iana_id)
    counters = {"redemption": 0, "deposited": 0}
    tmp = tempfile.TemporaryDirectory(prefix="escrow-", dir=config.out_dir)
    handles = _HandleStore(tmp.name) if profile.handle_mode else None
    names_file = (
        open(os.path.join(tmp.name, "names.txt"), "w+", encoding="utf-8")  # noqa: SIM115
        if config.record_to is not None
        else None
    )

    def records() -> Iterator[str]:
        # a full deposit of every name needs no filter: one generator layer less per row
        selected = (iter(rows) if config.kind == "full" and config.include_redemption
                    else _selected(rows, config, counters))
        problem = row_checker(profile, config.date)
        for row in selected:
            why = problem(row)
            if why is not None:
                raise DepositError(f"{row.domain!r} cannot be deposited: {why}; correct the "
                                   "name's data (nothing was written)")
            yield to_record(row)
            if names_file is not None:
                names_file.write(row.domain + "\n")
            if handles is not None:
                for role in ROLES:
                    c = row.contact(role)
                    if c is not None:
                        handles.add(c)
                for c in row.underlying.values():
                    handles.add(c)

    def handle_records() -> Iterator[str]:
        assert handles is not None
        encoder = RecordEncoder()
        for contact in handles:  # read once the domain series is written
            yield encoder.record(handle_values(profile, contact))

    series = [Series(config.kind, profile.header, records())]
    if handles is not None:
        series.append(Series("hdl", profile.handle_header, handle_records()))
    try:
        result = write_files(config, series, progress)
        if config.record_to is not None and names_file is not None:
            names_file.seek(0)
            config.record_to.record(config.kind, (n.rstrip("\n") for n in names_file))
        result.skipped_redemption = counters["redemption"]
        result.skipped_deposited = counters["deposited"]
        return result
    finally:
        if names_file is not None:
            names_file.close()
        if handles is not None:
            handles.close()
        tmp.cleanup()


def write_files(config: DepositConfig, series: Iterable[Series],
                progress: Progress | None = None) -> DepositResult:
    """Write the files of a deposit into ``config.out_dir``: each series of CSV records split,
    hashed, compressed, encrypted and signed; then the abbreviation table, the hash file and
    its signature. The records of the first series are the deposit's ``records``.

    Partial files are written as ``*.part`` and removed on failure; the hash file is written
    last, so a folder with a hash file holds a complete deposit.
    """
    config.check()
    profile = config.profile
    compression = config.compression or profile.compression
    backend = _Backend(config, compression)
    backend.start()
    try:
        all_series: list[_FileSeries] = []
        for s in series:
            out = _FileSeries(config, backend, s.kind, s.header, compression,
                              progress if not all_series else None)
            out.add_all(s.records)
            out.finish()
            all_series.append(out)
        backend.send(_STOP)
        backend.join()
        if backend.error is not None:
            raise backend.error
        files = _collect(all_series, backend.done)
        hash_path = config.out_dir / hash_file_name(config.iana_id, config.date)
        signature_path = config.out_dir / hash_signature_name(hash_path.name)
        abbrev_path = config.out_dir / abbreviations_name(config.iana_id, config.date)
        abbrev = abbreviations(profile).encode("utf-8")
        write_bytes_atomically(abbrev_path, abbrev)
        _write_hash_file(hash_path, signature_path, files, config.keys,
                         (abbrev_path.name, hashlib.sha256(abbrev).hexdigest()))
        records = all_series[0].records if all_series else 0
        if progress is not None:
            progress(records)
        return DepositResult(files, hash_path, signature_path, abbrev_path, records, 0, 0)
    except BaseException:
        if backend.is_alive():
            with contextlib.suppress(queue.Full):
                backend.inbox.put((_STOP, None), timeout=5)
            backend.join(timeout=30)
        for p in config.out_dir.glob("*.part"):
            p.unlink(missing_ok=True)
        raise


def _collect(all_series: list[_FileSeries], done: list[tuple[str, int, str, str]]
             ) -> list[DepositFile]:
    by_name = {name: (size, digest, csv_digest) for name, size, digest, csv_digest in done}
    files = []
    for s in all_series:
        for seq, (records, lines, size) in enumerate(s.stats, start=1):
            name = data_file_name(s.config.iana_id, s.config.date, s.kind, seq, s.compression)
            fsize, digest, csv_digest = by_name[name]
            csv_name = DepositName(s.config.iana_id, s.config.date, s.kind, seq,
                                   s.compression).csv_name
            files.append(DepositFile(name, s.kind, seq, records, lines, size, fsize, digest,
                                     csv_name, csv_digest))
    return files


def _write_hash_file(path: Path, signature: Path, files: list[DepositFile],
                     keys: SigningKeys, *extra: tuple[str, str]) -> None:
    """The SHA-256 of each CSV file after splitting (4.1.17 split, 4.1.18 hash, then 4.1.19
    compress and 4.1.20 encrypt), in sha256sum format ("<hex>  <CSV name>", ASCII, LF), and
    the registrar's detached signature of it: a dropped part (with its line), swapped parts or
    an older file under a new name then fail the check. ``extra``: (name, sha256) of other
    files of the deposit (the abbreviation table)."""
    text = "".join(f"{df.csv_sha256}  {df.csv_name}\n" for df in files)
    text += "".join(f"{digest}  {name}\n" for name, digest in extra)
    write_bytes_atomically(signature, sign_detached(text.encode("ascii"), keys))
    write_bytes_atomically(path, text.encode("ascii"))  # last: a complete deposit


def write_bytes_atomically(path: Path, data: bytes) -> None:
    tmp = path.with_suffix(path.suffix + ".part")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def write_text_atomically(path: Path, text: str) -> None:
    tmp = path.with_suffix(path.suffix + ".part")
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, path)


__all__ = ["DepositConfig", "DepositError", "DepositFile", "DepositResult", "Series",
           "write_deposit", "write_files"]
