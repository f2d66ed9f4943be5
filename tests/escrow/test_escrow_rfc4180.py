"""What the writer produces, the strict reader reads back unchanged (any text)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bureau.escrow import csvwriter
from bureau.escrow.csvwriter import RecordEncoder, compile_record, compile_row_values
from bureau.escrow.generate import generate_rows
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


# compile_record caches each contact's encoded columns; it must give exactly what csv.writer
# gives for the row's values, whatever the text, the profile and the cache's state.
_text = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=8)
_contact = st.builds(Contact, name=_text, org=_text, street=st.lists(_text, max_size=3).map(tuple),
                     city=_text, email=_text, fax=_text, handle=_text)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(_contact, _contact, st.booleans(), _text), min_size=1, max_size=8))
def test_compiled_record_equals_csv_writer(items: list[tuple[Contact, Contact, bool, str]]
                                           ) -> None:
    shared = Contact(name='Shared "C", Ltd', street=("1 rue\nB",))
    rows = [
        DomainRow(f"d{i}.org", dt.date(2027, 1, 1), a, shared if flag else b, b, None,
                  ("ns1.example", ns), {"registrant": b} if flag else {})
        for i, (a, b, flag, ns) in enumerate(items)
    ]
    for profile in PROFILES.values():
        compiled = compile_record(profile, "9999")
        values = compile_row_values(profile, "9999")
        enc = RecordEncoder()
        for row in rows + rows:  # second pass: from the cache
            assert compiled(row) == enc.record(values(row))


def test_compiled_record_cache_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(csvwriter, "_CACHE_MAX", 5)
    compiled = compile_record(EDITION_2007, "9999")
    values = compile_row_values(EDITION_2007, "9999")
    enc = RecordEncoder()
    rows = list(generate_rows(200, contacts=30))
    assert [compiled(r) for r in rows + rows] == [enc.record(values(r)) for r in rows + rows]
    with pytest.raises(ValueError, match=r"b\.org: a field holds a NUL"):
        compiled(DomainRow("b.org", dt.date(2027, 1, 1), Contact(name="Jo\x00hn")))


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
