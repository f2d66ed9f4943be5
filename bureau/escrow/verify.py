"""What an escrow agent runs on a deposit: every check, a list of findings, no early exit.

Decrypt, check the signature, check every hash against the hash file, check names and
sequence numbers, decompress, parse strictly as RFC 4180, check the header and the required
fields, count rows, find duplicate domains, and for an incremental deposit check that it only
holds names missing from the previous deposits.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import sqlite3
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bureau.escrow.crypto import CryptoError, verify_detached
from bureau.escrow.history import NameLookup
from bureau.escrow.names import DepositName, parse_name
from bureau.escrow.profiles import HEADER_NAME, Profile, abbreviations
from bureau.escrow.reader import AgentKeys, deposit_files, plaintext_records
from bureau.escrow.rfc4180 import RecordError
from bureau.escrow.validate import check_a_label, check_expiry

_HASH_LINE = re.compile(r"([0-9a-f]{64}) [ *](\S+)\Z")
_MAX_FINDINGS_PER_KIND = 20  # one broken file must not bury the report


@dataclass(frozen=True, slots=True)
class Finding:
    file: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.message}"


@dataclass
class Report:
    findings: list[Finding] = field(default_factory=list)
    files: int = 0
    rows: dict[str, int] = field(default_factory=dict)  # kind -> records (header excluded)
    signers: set[str] = field(default_factory=set)
    _counts: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.findings

    def fault(self, file: str, message: str, line: int | None = None, key: str = "") -> None:
        key = key or message
        n = self._counts.get(key, 0) + 1
        self._counts[key] = n
        if n <= _MAX_FINDINGS_PER_KIND:
            self.findings.append(Finding(file, message, line))
        elif n == _MAX_FINDINGS_PER_KIND + 1:
            self.findings.append(Finding(file, f"more findings like the above ({key}) left out"))

    def text(self) -> str:
        lines = [f"files: {self.files}"]
        lines += [f"{kind} records: {n}" for kind, n in sorted(self.rows.items())]
        lines += [f"signed by: {fpr}" for fpr in sorted(self.signers)]
        lines += [f"FAULT {f}" for f in self.findings]
        lines.append("OK" if self.ok else f"REJECTED: {len(self.findings)} finding(s)")
        return "\n".join(lines)


class _Names:
    """Names seen so far, on disk (duplicates among millions)."""

    def __init__(self, path: Path) -> None:
        self.db = sqlite3.connect(path)
        self.db.execute("PRAGMA journal_mode=OFF")
        self.db.execute("PRAGMA synchronous=OFF")
        self.db.execute("CREATE TABLE n (name TEXT PRIMARY KEY) WITHOUT ROWID")

    def add(self, name: str) -> bool:
        """False if ``name`` was already there."""
        try:
            self.db.execute("INSERT INTO n VALUES (?)", (name,))
            return True
        except sqlite3.IntegrityError:
            return False

    def __contains__(self, name: str) -> bool:
        return self.db.execute("SELECT 1 FROM n WHERE name=?", (name,)).fetchone() is not None

    def close(self) -> None:
        self.db.close()


def verify_deposit(folder: Path, profile: Profile, keys: AgentKeys,
                   previous: NameLookup | None = None,
                   expect_signers: Sequence[str] | None = None) -> Report:
    """Check the deposit in ``folder``. ``previous`` (the names of the latest full deposit and
    the incrementals since) is needed to check an incremental deposit."""
    report = Report()
    folder = Path(folder)
    if not folder.is_dir():
        report.fault(str(folder), "no such folder")
        return report
    _check_names(folder, report)
    files = deposit_files(folder)
    data = [(p, n) for p, n in files if n.kind in ("full", "inc", "hdl")]
    tables = [p for p, n in files if n.kind == "abbrev"]
    _check_abbreviations(tables, profile, report)
    hashes = [p for p, n in files if n.kind == "hash"]
    signatures = [p for p, n in files if n.kind == "hashsig"]
    report.files = len(files)
    listed: dict[str, str] = {}
    if len(hashes) != 1:
        report.fault(str(folder), f"expected exactly one hash file, found {len(hashes)}")
    else:
        listed = _check_hashes(hashes[0], signatures, data, tables, keys, report)
    _check_sequences(data, profile, report)

    with tempfile.TemporaryDirectory(prefix="escrow-verify-") as tmp:
        domains = _Names(Path(tmp) / "domains.sqlite")
        handles = _Names(Path(tmp) / "handles.sqlite") if profile.handle_mode else None
        referenced = _Names(Path(tmp) / "refs.sqlite") if profile.handle_mode else None
        try:
            # hdl files first so that domain files' handle references can be checked
            for path, name in sorted(data, key=lambda pn: (pn[1].kind != "hdl", pn[1].seq)):
                _check_data_file(path, name, profile, keys, report, domains, handles,
                                 referenced, previous, listed)
            if handles is not None and referenced is not None:
                for (h,) in referenced.db.execute("SELECT name FROM n"):
                    if h not in handles:
                        report.fault("hdl", f"handle {h!r} is used but not in the hdl file",
                                     key="missing handle")
        finally:
            domains.close()
            for db in (handles, referenced):
                if db is not None:
                    db.close()
    if expect_signers is not None:
        wanted = {s.lower() for s in expect_signers}
        if not report.signers & wanted and data:
            report.fault(str(folder), "no file is signed by the expected registrar key")
    return report


def _check_names(folder: Path, report: Report) -> None:
    groups: set[tuple[str, str]] = set()
    for p in sorted(folder.iterdir()):
        n = parse_name(p.name)
        if n is None:
            report.fault(p.name, "name does not follow <IANAID>_RDE_<YYYY-MM-DD>_"
                         "<full|inc|hdl>_<n>.csv.<gz|bz2|zip>.gpg or ..._hash.txt")
            continue
        groups.add((n.iana_id, n.date.isoformat()))
    if len(groups) > 1:
        report.fault(str(folder), f"files of several deposits mixed: {sorted(groups)}")


def _check_hashes(
    hash_file: Path, signatures: Sequence[Path], data: Sequence[tuple[Path, DepositName]],
    tables: Sequence[Path], keys: AgentKeys, report: Report,
) -> dict[str, str]:
    """Check the hash file's signature and that it lists exactly the deposit's parts; give
    the SHA-256 it lists for each CSV name (checked when each part is read)."""
    listed: dict[str, str] = {}
    raw = hash_file.read_bytes()
    if len(signatures) != 1:
        report.fault(hash_file.name, "the hash file's signature (<hash file>.asc) is missing: "
                     "without it a dropped or replaced part cannot be detected")
    else:
        try:
            verify_detached(raw, signatures[0].read_bytes(), keys.registrar_certs)
        except CryptoError as e:
            report.fault(signatures[0].name, f"hash file {e}: the hash file was altered or "
                         "not signed by the registrar key given")
    if not raw.isascii():
        report.fault(hash_file.name, "hash file must be ASCII text")
    for i, line in enumerate(raw.decode("ascii", "replace").splitlines(), start=1):
        m = _HASH_LINE.match(line)
        if not m:
            report.fault(hash_file.name, "line is not '<sha256 hex>  <file name>'", i)
            continue
        listed[m[2]] = m[1]
    present = {n.csv_name: p for p, n in data}
    for table in tables:
        present[table.name] = table
        digest = listed.get(table.name)
        if digest is not None and hashlib.sha256(table.read_bytes()).hexdigest() != digest:
            report.fault(table.name, "SHA-256 does not match the hash file (altered)")
    for name in listed:
        if name not in present:
            report.fault(name, "listed in the hash file but missing from the deposit")
    for name, path in present.items():
        if name not in listed:
            report.fault(path.name, f"{name} is not listed in the hash file")
    return listed


def _check_sequences(
    data: Sequence[tuple[Path, DepositName]], profile: Profile, report: Report
) -> None:
    by_kind: dict[str, list[int]] = {}
    comps: set[str | None] = set()
    for _, n in data:
        by_kind.setdefault(n.kind, []).append(n.seq)
        comps.add(n.compression)
    if "full" in by_kind and "inc" in by_kind:
        report.fault("deposit", "holds both full and inc files")
    if not ("full" in by_kind or "inc" in by_kind):
        report.fault("deposit", "no full or inc file")
    if "hdl" in by_kind and not profile.handle_mode:
        report.fault("deposit", f"hdl files present but profile {profile.name} has no handles")
    if profile.handle_mode and "hdl" not in by_kind:
        report.fault("deposit", f"profile {profile.name} needs an hdl file; none found")
    for kind, seqs in by_kind.items():
        if sorted(seqs) != list(range(1, len(seqs) + 1)):
            report.fault("deposit", f"{kind} files are numbered {sorted(seqs)}: expected 1 to "
                         f"{len(seqs)} without gaps")
    if len(comps) > 1:
        report.fault("deposit", "files use different compressions")


def _check_data_file(path: Path, name: DepositName, profile: Profile, keys: AgentKeys,
                     report: Report, domains: _Names, handles: _Names | None,
                     referenced: _Names | None, previous: NameLookup | None,
                     listed: dict[str, str]) -> None:
    is_hdl = name.kind == "hdl"
    expected = profile.handle_header if is_hdl else profile.header
    columns = profile.handle_columns if is_hdl else profile.columns
    required = [i for i, c in enumerate(columns) if c.header in profile.required
                or (is_hdl and c.source in ("handle", "contact.name"))]
    ref_cols = [i for i, c in enumerate(columns) if c.source.endswith(".handle")]
    expiry_col = next((i for i, c in enumerate(columns) if c.source == "expiry"), None)
    fname = path.name
    count = 0
    signers: list[str] = []
    batch: list[tuple[str, int]] = []
    empty = True

    def check_batch() -> None:
        if previous is not None and name.kind == "inc" and batch:
            known = previous.present([d for d, _ in batch])
            for d, line in batch:
                if d in known:
                    report.fault(fname, f"{d} was already deposited: an incremental deposit "
                                 "holds only names missing from the previous deposits", line,
                                 key="already deposited")
        batch.clear()

    try:
        digest = hashlib.sha256()
        with plaintext_records(path, name, keys, signers, digest) as records:
            for rec in records:
                empty = False
                if rec.line == 1:
                    if name.seq == 1:
                        _check_header(fname, rec.fields, expected, report)
                        continue
                    if rec.fields == expected:
                        report.fault(fname, "header line repeated: only the first file of a "
                                     "series has one", 1)
                        continue
                count += 1
                if len(rec.fields) != len(expected):
                    report.fault(fname, f"{len(rec.fields)} fields, header has "
                                 f"{len(expected)}", rec.line, key="field count")
                    continue
                for i in required:
                    if not rec.fields[i]:
                        report.fault(fname, f"required field {expected[i]} is empty",
                                     rec.line, key=f"empty {expected[i]}")
                key = rec.fields[0]
                if is_hdl:
                    assert handles is not None
                    if not handles.add(key):
                        report.fault(fname, f"duplicate handle {key!r}", rec.line,
                                     key="duplicate handle")
                    continue
                why = check_a_label(key)
                if why:
                    report.fault(fname, why, rec.line, key="domain")
                if expiry_col is not None:
                    why = _expiry_problem(rec.fields[expiry_col], profile, name.date)
                    if why:
                        report.fault(fname, f"{key}: {why}", rec.line, key="expiry")
                if not domains.add(key):
                    report.fault(fname, f"duplicate domain {key}", rec.line,
                                 key="duplicate domain")
                if referenced is not None:
                    for i in ref_cols:
                        if rec.fields[i]:
                            referenced.add(rec.fields[i])
                batch.append((key, rec.line))
                if len(batch) >= 5000:
                    check_batch()
            check_batch()
        expected_digest = listed.get(name.csv_name)
        if expected_digest is not None and digest.hexdigest() != expected_digest:
            report.fault(fname, f"SHA-256 of {name.csv_name} does not match the hash file "
                         "(altered, swapped with another part, or from another deposit)")
        if empty:
            report.fault(fname, "empty file: no header and no record (every part holds "
                         "records, the first one its header too)")
        elif count == 0 and name.seq > 1:
            report.fault(fname, "part without any record")
    except CryptoError as e:
        report.fault(fname, f"{e}: not encrypted to this agent key, or not signed by the "
                     "registrar key given")
        return
    except RecordError as e:
        report.fault(fname, f"not strict RFC 4180: {e.message}", e.line)
    except (OSError, EOFError, ValueError) as e:
        report.fault(fname, f"cannot decompress or read: {e}")
    report.signers.update(signers)
    report.rows[name.kind] = report.rows.get(name.kind, 0) + count


def _check_abbreviations(tables: Sequence[Path], profile: Profile, report: Report) -> None:
    """4.1.15: the table of the header's abbreviations comes with the deposit."""
    if len(tables) != 1:
        report.fault("deposit", f"expected one abbreviation table (..._abbreviations.txt), "
                     f"found {len(tables)}")
        return
    if tables[0].read_bytes() != abbreviations(profile).encode("utf-8"):
        report.fault(tables[0].name, f"abbreviation table differs from profile {profile.name}'s")


def _expiry_problem(value: str, profile: Profile, deposit_date: dt.date) -> str | None:
    try:
        expiry = dt.datetime.strptime(value, profile.expiry_format).date()
    except ValueError:
        return f"expiry {value!r} is not a date in the format {profile.expiry_format}"
    return check_expiry(expiry, deposit_date)


def _check_header(fname: str, fields: list[str], expected: list[str], report: Report) -> None:
    for f in fields:
        if not HEADER_NAME.match(f):
            report.fault(fname, f"header field {f!r} breaks the naming rule "
                         "[A-Za-z][A-Za-z0-9_-]*", 1)
    if fields != expected:
        missing = [f for f in expected if f not in fields]
        extra = [f for f in fields if f not in expected]
        report.fault(fname, f"header differs from the profile: missing {missing}, "
                     f"unexpected {extra}" if missing or extra else
                     "header fields are not in the profile's order", 1)
