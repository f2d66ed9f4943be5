"""Read a deposit back: decrypt, check the signature, decompress, parse -> rows (restore)."""

from __future__ import annotations

import contextlib
import datetime as dt
import sqlite3
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pysequoia

from bureau.escrow.compress import open_decompressed
from bureau.escrow.crypto import CryptoError, decrypt_and_verify, load_cert, load_tsk
from bureau.escrow.names import DepositName, parse_name
from bureau.escrow.profiles import Column, Profile
from bureau.escrow.rfc4180 import Record, RecordError, read_records
from bureau.escrow.rows import ROLES, Contact, DomainRow


@dataclass(frozen=True, slots=True)
class AgentKeys:
    """What the reading side holds: the agent's secret key and the registrar's public key(s)."""

    agent_key: pysequoia.Tsk
    registrar_certs: list[pysequoia.Cert]
    agent_passphrase: str | None = None

    @classmethod
    def from_files(cls, agent_key: str | Path, registrar_certs: list[str | Path],
                   agent_passphrase: str | None = None) -> AgentKeys:
        return cls(load_tsk(agent_key), [load_cert(p) for p in registrar_certs],
                   agent_passphrase)


def deposit_files(folder: Path) -> list[tuple[Path, DepositName]]:
    """The deposit files in ``folder`` (names that parse), ordered by kind and sequence."""
    order = {"full": 0, "inc": 0, "hdl": 1, "abbrev": 2, "hash": 3, "hashsig": 4}
    found = [(p, n) for p in folder.iterdir() if p.is_file() and (n := parse_name(p.name))]
    return sorted(found, key=lambda pn: (order[pn[1].kind], pn[1].seq))


@contextlib.contextmanager
def plaintext_records(path: Path, name: DepositName, keys: AgentKeys,
                      signer_fprs: list[str] | None = None,
                      csv_digest: Any = None) -> Iterator[Iterator[Record]]:
    """Decrypt ``path`` into a temporary file (never trust partial plaintext), decompress and
    parse it strictly. Fingerprints of valid signatures are appended to ``signer_fprs``;
    ``csv_digest`` (a hashlib object) is fed the CSV as it is read."""
    with tempfile.TemporaryDirectory(prefix="escrow-read-") as tmp:
        plain = Path(tmp) / "plain"
        fprs = decrypt_and_verify(path, plain, keys.agent_key, keys.agent_passphrase,
                                  keys.registrar_certs)
        if signer_fprs is not None:
            signer_fprs.extend(fprs)
        assert name.compression is not None
        with open_decompressed(name.compression, str(plain)) as stream:
            yield read_records(stream if csv_digest is None else _hashed(stream, csv_digest))


def _hashed(lines: Iterable[bytes], digest: Any) -> Iterator[bytes]:
    for line in lines:
        digest.update(line)
        yield line


def _contact(values: dict[str, str]) -> Contact | None:
    if not any(values.values()):
        return None
    street = values.get("street", "")
    return Contact(
        name=values.get("name", ""), org=values.get("org", ""),
        street=tuple(street.split("\r\n")) if street else (),
        city=values.get("city", ""), state=values.get("state", ""),
        postcode=values.get("postcode", ""), country=values.get("country", ""),
        email=values.get("email", ""), voice=values.get("voice", ""), fax=values.get("fax", ""),
        handle=values.get("handle", ""),
    )


class RowBuilder:
    """Turns a record of a profile's domain file back into a DomainRow."""

    def __init__(self, profile: Profile, handles: dict[str, Contact] | None = None) -> None:
        self.profile = profile
        self.columns: list[Column] = list(profile.columns)
        self.handles = handles

    def build(self, fields: list[str]) -> DomainRow:
        own: dict[str, dict[str, str]] = {r: {} for r in ROLES}
        under: dict[str, dict[str, str]] = {r: {} for r in ROLES}
        domain, expiry = "", dt.date.min
        ns: tuple[str, ...] = ()
        for col, value in zip(self.columns, fields, strict=True):
            if col.source == "domain":
                domain = value
            elif col.source == "expiry":
                expiry = dt.datetime.strptime(value, self.profile.expiry_format).date()
            elif col.source == "nameservers":
                ns = tuple(value.split(self.profile.nameserver_separator)) if value else ()
            elif col.source == "iana":
                continue
            else:
                role, attr = col.source.split(".", 1)
                (under if col.underlying else own)[role][attr] = value
        contacts = {r: self._resolve(own[r]) for r in ROLES}
        underlying = {r: c for r in ROLES if (c := self._resolve(under[r])) is not None}
        registrant = contacts["registrant"] or Contact(name="")
        return DomainRow(domain=domain, expiry=expiry, registrant=registrant,
                         admin=contacts["admin"], tech=contacts["tech"],
                         billing=contacts["billing"], nameservers=ns, underlying=underlying)

    def _resolve(self, values: dict[str, str]) -> Contact | None:
        if self.handles is not None and set(values) == {"handle"}:
            h = values["handle"]
            if not h:
                return None
            try:
                return self.handles[h]
            except KeyError:
                raise ValueError(f"handle {h!r} is not in the deposit's hdl file") from None
        return _contact(values)


def handle_contact(profile: Profile, fields: list[str]) -> Contact:
    values = {c.source.split(".", 1)[-1]: v
              for c, v in zip(profile.handle_columns, fields, strict=True)}
    c = _contact(values)
    assert c is not None
    return c


class RestoreError(ValueError):
    """A deposit file that cannot be restored, with the file and line to look at."""

    def __init__(self, file: str, line: int | None, message: str) -> None:
        super().__init__(f"{file}:{line}: {message}" if line else f"{file}: {message}")
        self.file, self.line, self.message = file, line, message


def _file_records(path: Path, name: DepositName, keys: AgentKeys) -> Iterator[Record]:
    """The records of one file after its header; every error names the file (and line)."""
    seen = False
    try:
        with plaintext_records(path, name, keys) as records:
            for rec in records:
                seen = True
                if rec.line == 1 and name.seq == 1:
                    continue  # header
                yield rec
    except RecordError as e:
        raise RestoreError(path.name, e.line, f"not strict RFC 4180: {e.message}") from None
    except (CryptoError, OSError, EOFError) as e:
        raise RestoreError(path.name, None, str(e)) from None
    if not seen:
        raise RestoreError(path.name, None, "empty file (no header, no record): the deposit is "
                           "incomplete")


def read_deposit(folder: Path, profile: Profile, keys: AgentKeys) -> Iterator[DomainRow]:
    """Yield the rows of the deposit in ``folder`` (restore). Handles are held in memory
    (one Contact each) while the domain files are read. Raises RestoreError naming the file
    and line of the first record it cannot read."""
    files = deposit_files(folder)
    handles: dict[str, Contact] | None = None
    if profile.handle_mode:
        handles = {}
        for path, name in files:
            if name.kind == "hdl":
                for rec in _file_records(path, name, keys):
                    try:
                        c = handle_contact(profile, rec.fields)
                    except ValueError as e:
                        raise RestoreError(path.name, rec.line, str(e)) from None
                    handles[c.handle] = c
    builder = RowBuilder(profile, handles)
    for path, name in files:
        if name.kind not in ("full", "inc"):
            continue
        for rec in _file_records(path, name, keys):
            try:
                row = builder.build(rec.fields)
            except ValueError as e:
                raise RestoreError(path.name, rec.line, str(e)) from None
            yield row


def read_deposits(folders: list[Path], profile: Profile, keys: AgentKeys) -> Iterator[DomainRow]:
    """Restore from a full deposit followed by the incrementals made after it, in order.

    A name in a later deposit replaces the same name in an earlier one (a name deleted and
    registered again since the full deposit comes back with its new holder, when the
    incremental carries it). The deposits are read newest first and a name already given is
    skipped (the names seen are kept on disk, not in memory). Deletions cannot be applied: an
    incremental lists what was added, never what was removed, so a name deleted since the
    full deposit is restored; the next full deposit no longer holds it.
    """
    with tempfile.TemporaryDirectory(prefix="escrow-restore-") as tmp:
        seen = sqlite3.connect(Path(tmp) / "names.sqlite")
        seen.execute("PRAGMA journal_mode=OFF")
        seen.execute("CREATE TABLE n (name TEXT PRIMARY KEY) WITHOUT ROWID")
        try:
            for i, folder in enumerate(reversed(folders)):
                newest = i == 0
                for row in read_deposit(folder, profile, keys):
                    if not newest and seen.execute("SELECT 1 FROM n WHERE name=?",
                                                   (row.domain,)).fetchone():
                        continue  # replaced by a later deposit
                    if len(folders) > 1:
                        seen.execute("INSERT OR IGNORE INTO n VALUES (?)", (row.domain,))
                    yield row
        finally:
            seen.close()
