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

# Any text but NUL (which a deposit refuses): line breaks of every kind included, since RFC
# 4180 allows CR and LF inside a quoted field and values are written as they are.
_line = st.text(st.characters(codec="utf-8", exclude_characters="\x00"))
_field = st.lists(st.one_of(_line, st.sampled_from(["\r", "\n", "\r\n", "\n\r", '"'])),
                  max_size=4).map("".join)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(_field, min_size=1, max_size=6), min_size=1, max_size=5))
def test_round_trip(records: list[list[str]]) -> None:
    enc = RecordEncoder()
    data = "".join(enc.record(r) for r in records).encode()
    back = [r.fields for r in read_records(io.BytesIO(data))]
    assert back == records


def test_line_breaks_in_values_are_kept_as_they_are() -> None:
    text = RecordEncoder().record(["a.org", "1 rue\nBât B\r2e", "x\r\ny"])
    assert text == 'a.org,"1 rue\nBât B\r2e","x\r\ny"\r\n'
    (rec,) = list(read_records(io.BytesIO(text.encode())))
    assert rec.fields == ["a.org", "1 rue\nBât B\r2e", "x\r\ny"] and rec.lines == 3


def test_writer_keeps_a_bare_line_feed_in_a_contact_value() -> None:
    record = compile_record(EDITION_2007, "9999")
    row = DomainRow("b.org", dt.date(2027, 1, 1),
                    Contact(name="Ann\nLee", street=("1 rue\nB", "2e"), org="A\rB"))
    (back,) = read_records(io.BytesIO(record(row).encode()))
    fields = dict(zip(EDITION_2007.header, back.fields, strict=True))
    assert fields["rt-name"] == "Ann\nLee" and fields["rt-org"] == "A\rB"
    assert fields["rt-street"] == "1 rue\nB\r\n2e"  # street lines joined by CRLF


@pytest.mark.parametrize("data", [b"a,b\nc,d\r\n", b"a,b\rc\r\n", b'a,"b"\n'])
def test_bare_line_breaks_outside_quotes_are_refused(data: bytes) -> None:
    with pytest.raises(ValueError, match="bare CR or LF"):
        list(read_records(io.BytesIO(data)))


def test_nul_in_data_is_refused_with_the_domain() -> None:
    import pytest

    with pytest.raises(ValueError, match=r"b\.org: a field holds a NUL"):
        RecordEncoder().record(["b.org", "Jo\x00hn"])


# A row's record reads back, through the strict reader, as the profile's columns of that row:
# its own contacts, or the privacy/proxy customer's underlying ones where the profile says so.
_text = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=8)
_contact = st.builds(Contact, name=_text, org=_text, street=st.lists(_text, max_size=3).map(tuple),
                     city=_text, email=_text, fax=_text, handle=_text)


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
                    assert value == expected, (profile.name, col.source)


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
