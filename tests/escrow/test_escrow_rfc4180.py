"""What the writer produces, the strict reader reads back unchanged (any text)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bureau.escrow.csvwriter import RecordEncoder, compile_record
from bureau.escrow.profiles import EDITION_2007, PROFILES
from bureau.escrow.rfc4180 import read_records
from bureau.escrow.rows import Contact, DomainRow

# Line breaks inside fields are CRLF in a deposit (bare CR/LF are refused by the verifier),
# and NUL is refused too: generate text without them, then join lines with CRLF.
_line = st.text(st.characters(codec="utf-8", exclude_characters="\r\n\x00"))
_field = st.lists(_line, max_size=3).map("\r\n".join)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(_field, min_size=1, max_size=6), min_size=1, max_size=5))
def test_round_trip(records: list[list[str]]) -> None:
    enc = RecordEncoder()
    data = "".join(enc.record(r) for r in records).encode()
    back = [r.fields for r in read_records(io.BytesIO(data))]
    assert back == records


def test_bare_line_breaks_in_data_become_crlf() -> None:
    text = RecordEncoder().record(["a.org", "1 rue\nBât B\r2e", "x\r\ny"])
    assert text == 'a.org,"1 rue\r\nBât B\r\n2e","x\r\ny"\r\n'
    (rec,) = list(read_records(io.BytesIO(text.encode())))
    assert rec.fields == ["a.org", "1 rue\r\nBât B\r\n2e", "x\r\ny"]


def test_nul_in_data_is_refused_with_the_domain() -> None:
    import pytest

    with pytest.raises(ValueError, match=r"b\.org: a field holds a NUL"):
        RecordEncoder().record(["b.org", "Jo\x00hn"])


# A row's record reads back, through the strict reader, as the profile's columns of that row:
# its own contacts, or the privacy/proxy customer's underlying ones where the profile says so.
_text = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=8)
_contact = st.builds(Contact, name=_text, org=_text, street=st.lists(_text, max_size=3).map(tuple),
                     city=_text, email=_text, fax=_text, handle=_text)


def _crlf(value: str) -> str:
    return value.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\r\n")


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(_contact, _contact, st.booleans(), _text), min_size=1, max_size=8))
def test_record_reads_back_as_the_rows_columns(items: list[tuple[Contact, Contact, bool, str]]
                                               ) -> None:
    rows = [
        DomainRow(f"d{i}.org", dt.date(2027, 1, 1), a, b, b, None,
                  ("ns1.example", ns), {"registrant": b} if flag else {})
        for i, (a, b, flag, ns) in enumerate(items)
    ]
    for profile in PROFILES.values():
        record = compile_record(profile, "9999")
        for row in rows:
            (back,) = read_records(io.BytesIO(record(row).encode()))
            assert back.fields[0] == row.domain
            for col, value in zip(profile.columns, back.fields, strict=True):
                if col.source.startswith("registrant."):
                    attr = col.source.split(".", 1)[1]
                    under = row.underlying.get("registrant")
                    contact = (under if col.underlying else
                               (under or row.registrant) if col.prefer_underlying
                               else row.registrant)
                    expected = "" if contact is None else (
                        "\r\n".join(contact.street) if attr == "street"
                        else getattr(contact, attr))
                    assert value == _crlf(expected), (profile.name, col.source)


def test_a_nul_in_a_contact_is_refused_with_the_domain() -> None:
    record = compile_record(EDITION_2007, "9999")
    with pytest.raises(ValueError, match=r"b\.org: a field holds a NUL"):
        record(DomainRow("b.org", dt.date(2027, 1, 1), Contact(name="Jo\x00hn")))


def test_gzip_blocks_compressed_in_parallel_make_one_standard_member() -> None:
    import gzip
    import subprocess
    import zlib

    from bureau.escrow.compress import open_compressor

    data = b"".join(f"name{i}.org,{i * 7919 % 10007},Z\xc3\xbcrich\r\n".encode()
                    for i in range(200_000))
    sink = io.BytesIO()
    comp = open_compressor("gzip", sink, "x.csv")
    for i in range(0, len(data), 300_000):  # blocks that do not fall on record ends
        comp.write(data[i:i + 300_000])
    comp.close()
    out = sink.getvalue()
    d = zlib.decompressobj(31)
    assert d.decompress(out) == data and d.eof and d.unused_data == b""  # a single member
    assert len(out) < len(gzip.compress(data, 6)) * 1.01  # level 6, as gzip -6
    r = subprocess.run(["gzip", "-dc"], input=out, capture_output=True, check=True)
    assert r.stdout == data


def test_records_stay_the_same_when_the_contact_cache_is_emptied(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from bureau.escrow import csvwriter
    from bureau.escrow.generate import generate_rows

    rows = list(generate_rows(200, contacts=30))
    first = [compile_record(EDITION_2007, "9999")(r) for r in rows]
    monkeypatch.setattr(csvwriter, "_CACHE_MAX", 5)
    record = compile_record(EDITION_2007, "9999")
    assert [record(r) for r in rows + rows] == first + first
