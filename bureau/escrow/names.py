"""Deposit file names: ``<IANAID>_RDE_<YYYY-MM-DD>_<full|inc|hdl>_<n>.<ext>`` and the hash file.

The source (4.1.21.4) says the sequence number is not used for the hash file, so it is named
``<IANAID>_RDE_<YYYY-MM-DD>_hash.txt``; its detached signature is ``..._hash.txt.asc``.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

EXTENSIONS = {"gzip": "csv.gz.gpg", "bzip2": "csv.bz2.gpg", "zip": "csv.zip.gpg"}
NAME_RE = re.compile(
    r"(?P<iana>[0-9]+)_RDE_(?P<date>[0-9]{4}-[0-9]{2}-[0-9]{2})_"
    r"(?:(?P<kind>full|inc|hdl)_(?P<seq>[1-9][0-9]*)\.(?P<ext>csv\.(?:gz|bz2|zip)\.gpg)"
    r"|(?P<hash>hash)\.txt(?P<sig>\.asc)?|(?P<abbrev>abbreviations)\.txt)\Z"
)


@dataclass(frozen=True, slots=True)
class DepositName:
    iana_id: str
    date: dt.date
    kind: str  # full, inc, hdl, hash, hashsig (the hash file's signature) or abbrev
    seq: int  # 0 for the hash file
    compression: str | None

    @property
    def csv_name(self) -> str:
        """The plaintext CSV's name (used inside zip archives)."""
        return f"{self.iana_id}_RDE_{self.date.isoformat()}_{self.kind}_{self.seq}.csv"


def data_file_name(iana_id: str, date: dt.date, kind: str, seq: int, compression: str) -> str:
    if kind not in ("full", "inc", "hdl"):
        raise ValueError(f"file kind must be full, inc or hdl, not {kind!r}")
    try:
        ext = EXTENSIONS[compression]
    except KeyError:
        raise ValueError(
            f"compression must be one of {', '.join(EXTENSIONS)}, not {compression!r}"
        ) from None
    return f"{iana_id}_RDE_{date.isoformat()}_{kind}_{seq}.{ext}"


def hash_file_name(iana_id: str, date: dt.date) -> str:
    return f"{iana_id}_RDE_{date.isoformat()}_hash.txt"


def abbreviations_name(iana_id: str, date: dt.date) -> str:
    """The table of the header's abbreviations (4.1.15), produced with each deposit."""
    return f"{iana_id}_RDE_{date.isoformat()}_abbreviations.txt"


def hash_signature_name(hash_name: str) -> str:
    """The registrar's detached signature of the hash file (ASCII-armored)."""
    return hash_name + ".asc"


def parse_name(name: str) -> DepositName | None:
    m = NAME_RE.match(name)
    if not m:
        return None
    try:
        date = dt.date.fromisoformat(m["date"])
    except ValueError:
        return None
    if m["abbrev"]:
        return DepositName(m["iana"], date, "abbrev", 0, None)
    if m["hash"]:
        return DepositName(m["iana"], date, "hashsig" if m["sig"] else "hash", 0, None)
    comp = {"csv.gz.gpg": "gzip", "csv.bz2.gpg": "bzip2", "csv.zip.gpg": "zip"}[m["ext"]]
    return DepositName(m["iana"], date, m["kind"], int(m["seq"]), comp)
