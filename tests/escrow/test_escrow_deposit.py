"""A full deposit as the escrow agent receives it: gpg, sha256sum and our verify agree."""

from __future__ import annotations

import datetime as dt
import gzip
import subprocess
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

from escrow_fixtures import Party, gpg

from bureau.escrow.history import SetLookup
from bureau.escrow.names import parse_name
from bureau.escrow.pipeline import DepositResult
from bureau.escrow.profiles import EDITION_2007, EDITION_2007_HANDLES, EDITION_2024, SplitRule
from bureau.escrow.reader import plaintext_records, read_deposit, read_deposits
from bureau.escrow.rows import DomainRow
from bureau.escrow.verify import verify_deposit

from .conftest import ROWS, agent_keys, make_deposit


def test_gpg_decrypts_and_verifies_signature_and_sha256sum_checks(
    deposit: DepositResult, gnupghome: Path, agent_v4: Party, registrar_v4: Party,
    tmp_path: Path,
) -> None:
    """As an agent checks with standard tools: gpg verifies the hash file's signature, then
    sha256sum -c checks the CSV files once decrypted and decompressed."""
    folder = deposit.hash_file.parent
    v = gpg(gnupghome, "--verify", str(deposit.signature_file), str(deposit.hash_file))
    assert v.returncode == 0 and b"Good signature" in v.stderr, v.stderr
    for listed in (deposit.hash_file, deposit.abbreviations_file):
        (tmp_path / listed.name).write_bytes(listed.read_bytes())
    for f in deposit.files:
        out = gpg(gnupghome, "--decrypt", str(folder / f.name))
        (tmp_path / f.csv_name).write_bytes(gzip.decompress(out.stdout))
    r = subprocess.run(["sha256sum", "-c", deposit.hash_file.name], cwd=tmp_path,
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    (full,) = [f for f in deposit.files if f.kind == "full"]
    r2 = gpg(gnupghome, "--status-fd", "2", "--decrypt", str(folder / full.name))
    assert r2.returncode == 0, r2.stderr
    status = r2.stderr.decode(errors="replace")
    assert "[GNUPG:] GOODSIG" in status
    assert f"VALIDSIG {registrar_v4.fingerprint.upper()}" in status or \
        registrar_v4.fingerprint.upper() in status
    csv = gzip.decompress(r2.stdout)
    head = csv.split(b"\r\n", 1)[0].decode()
    assert head.startswith("domain,nameservers,expiry,rt-name,")
    assert csv.endswith(b"\r\n")


def test_verify_accepts_the_deposit_and_counts_rows(
    deposit: DepositResult, agent_v4: Party, registrar_v4: Party
) -> None:
    report = verify_deposit(deposit.hash_file.parent, EDITION_2007,
                            agent_keys(agent_v4, registrar_v4),
                            expect_signers=[registrar_v4.fingerprint])
    assert report.ok, report.text()
    assert report.rows == {"full": ROWS}
    assert deposit.records == ROWS


def test_names_follow_the_convention(deposit: DepositResult) -> None:
    for p in deposit.paths:
        n = parse_name(p.name)
        assert n is not None and n.iana_id == "9999", p.name
    assert deposit.hash_file.name.endswith("_hash.txt")


def test_restore_round_trip_equals_input(
    deposit: DepositResult, rows: list[DomainRow], agent_v4: Party, registrar_v4: Party
) -> None:
    back = list(read_deposit(deposit.hash_file.parent, EDITION_2007,
                             agent_keys(agent_v4, registrar_v4)))

    def strip(r: DomainRow) -> DomainRow:  # no handles in the 2007 flat profile
        return replace(
            r, in_redemption=False,
            registrant=replace(r.registrant, handle=""),
            admin=r.admin and replace(r.admin, handle=""),
            tech=r.tech and replace(r.tech, handle=""),
            billing=r.billing and replace(r.billing, handle=""),
            underlying={k: replace(c, handle="") for k, c in r.underlying.items()},
        )

    assert back == [strip(r) for r in rows]
    # the data set really has what breaks naive CSV
    assert any(r.domain.startswith("xn--") or ".xn--" in r.domain for r in back)
    assert any(len(r.registrant.street) > 1 for r in back)
    assert any('"' in r.registrant.name or "," in r.registrant.name for r in back)
    assert any(not r.registrant.isascii() if False else not r.registrant.name.isascii()
               for r in back)
    assert any(r.billing and not r.billing.fax for r in back)
    assert any(r.underlying for r in back)


def test_handle_mode_writes_hdl_file_and_round_trips(
    tmp_path: Path, rows: list[DomainRow], agent_v4: Party, registrar_v4: Party
) -> None:
    res = make_deposit(tmp_path / "d", rows[:500], agent_v4, registrar_v4,
                       profile=EDITION_2007_HANDLES)
    kinds = {f.kind for f in res.files}
    assert kinds == {"full", "hdl"}
    keys = agent_keys(agent_v4, registrar_v4)
    report = verify_deposit(tmp_path / "d", EDITION_2007_HANDLES, keys)
    assert report.ok, report.text()
    back = list(read_deposit(tmp_path / "d", EDITION_2007_HANDLES, keys))
    assert back == [replace(r, in_redemption=False) for r in rows[:500]]


def test_split_by_lines_at_record_ends_header_only_in_first(
    tmp_path: Path, rows: list[DomainRow], agent_v4: Party, registrar_v4: Party
) -> None:
    profile = replace(EDITION_2007, split=SplitRule(max_lines=100))
    res = make_deposit(tmp_path / "d", rows[:300], agent_v4, registrar_v4, profile=profile)
    assert len(res.files) > 3
    keys = agent_keys(agent_v4, registrar_v4)
    total = 0
    for i, f in enumerate(res.files):
        assert f.lines <= 100
        name = parse_name(f.name)
        assert name is not None and name.seq == i + 1
        with plaintext_records(tmp_path / "d" / f.name, name, keys) as records:
            recs = list(records)
        assert sum(r.lines for r in recs) == f.lines  # multi-line addresses counted
        assert (recs[0].fields[0] == "domain") == (i == 0)
        total += len(recs) - (i == 0)
    assert total == 300
    assert verify_deposit(tmp_path / "d", profile, keys).ok


def test_split_by_bytes_and_by_records(
    tmp_path: Path, rows: list[DomainRow], agent_v4: Party, registrar_v4: Party
) -> None:
    by_bytes = replace(EDITION_2007, split=SplitRule(max_bytes=20_000))
    res = make_deposit(tmp_path / "b", rows[:200], agent_v4, registrar_v4, profile=by_bytes)
    assert len(res.files) > 2 and all(f.csv_bytes <= 20_000 for f in res.files)
    by_records = replace(EDITION_2024, split=SplitRule(max_records=70))
    res = make_deposit(tmp_path / "r", rows[:200], agent_v4, registrar_v4, profile=by_records)
    assert [f.records for f in res.files] == [70, 70, 60]
    assert verify_deposit(tmp_path / "r", by_records, agent_keys(agent_v4, registrar_v4)).ok


def test_bzip2_and_zip_deposits_verify(
    tmp_path: Path, rows: list[DomainRow], agent_v4: Party, registrar_v4: Party
) -> None:
    keys = agent_keys(agent_v4, registrar_v4)
    for comp in ("bzip2", "zip"):
        res = make_deposit(tmp_path / comp, rows[:200], agent_v4, registrar_v4,
                           compression=comp)
        assert res.files[0].name.endswith({"bzip2": ".csv.bz2.gpg", "zip": ".csv.zip.gpg"}[comp])
        report = verify_deposit(tmp_path / comp, EDITION_2007, keys)
        assert report.ok, report.text()


def test_zip_deposit_is_a_plain_zip_with_the_real_date(
    tmp_path: Path, rows: list[DomainRow], agent_v4: Party, registrar_v4: Party,
    gnupghome: Path,
) -> None:
    import datetime as dt
    import io
    import zipfile

    res = make_deposit(tmp_path / "z", rows[:50], agent_v4, registrar_v4, compression="zip")
    out = gpg(gnupghome, "--decrypt", str(tmp_path / "z" / res.files[0].name))
    assert out.returncode == 0, out.stderr
    assert b"PK\x06\x06" not in out.stdout and b"PK\x06\x07" not in out.stdout  # no ZIP64
    (info,) = zipfile.ZipFile(io.BytesIO(out.stdout)).infolist()
    assert b"\x01\x00" not in info.extra[:2]  # no ZIP64 extra field either
    written = dt.datetime(*info.date_time, tzinfo=dt.UTC)
    assert abs(dt.datetime.now(dt.UTC) - written) < dt.timedelta(minutes=5)
    assert info.compress_type == zipfile.ZIP_DEFLATED


def test_v6_keys_with_sequoia_only(
    tmp_path: Path, rows: list[DomainRow], agent_v6: Party, registrar_v6: Party
) -> None:
    """RFC 9580 (v6) keys, required by escrow agents from January 2027. Checked with Sequoia
    only: GnuPG 2.2 (Debian 12) cannot read v6 keys or the messages made for them."""
    res = make_deposit(tmp_path / "d", rows[:300], agent_v6, registrar_v6, profile=EDITION_2024)
    report = verify_deposit(tmp_path / "d", EDITION_2024, agent_keys(agent_v6, registrar_v6),
                            expect_signers=[registrar_v6.fingerprint])
    assert report.ok, report.text()
    assert report.rows == {"full": 300}
    assert len(res.files) == 1


def test_redemption_names_left_out_by_setting(
    tmp_path: Path, rows: list[DomainRow], agent_v4: Party, registrar_v4: Party
) -> None:
    res = make_deposit(tmp_path / "d", rows[:500], agent_v4, registrar_v4,
                       include_redemption=False)
    expected = sum(1 for r in rows[:500] if r.in_redemption)
    assert expected > 0 and res.skipped_redemption == expected
    assert res.records == 500 - expected


def test_incremental_holds_only_names_not_deposited(
    tmp_path: Path, rows: list[DomainRow], agent_v4: Party, registrar_v4: Party
) -> None:
    from bureau.escrow.history import NameIndex

    index = NameIndex(tmp_path / "names.sqlite")
    make_deposit(tmp_path / "full", rows[:1000], agent_v4, registrar_v4, record_to=index)
    before = SetLookup(r.domain for r in rows[:1000])
    res = make_deposit(tmp_path / "inc", rows[:1200], agent_v4, registrar_v4, kind="inc",
                       previous=index, record_to=index)
    assert res.records == 200 and res.skipped_deposited == 1000
    assert {f.kind for f in res.files} == {"inc"}
    keys = agent_keys(agent_v4, registrar_v4)
    assert verify_deposit(tmp_path / "inc", EDITION_2007, keys, previous=before).ok
    # the index now holds the full deposit plus the incremental
    assert index.present([rows[1100].domain, "absent.org"]) == {rows[1100].domain}
    # disaster recovery: the full deposit then the incremental give back every row
    back = list(read_deposits([tmp_path / "full", tmp_path / "inc"], EDITION_2007, keys))
    assert sorted(r.domain for r in back) == sorted(r.domain for r in rows[:1200])


def test_restore_of_full_and_incremental_gives_a_reregistered_name_its_new_holder(
    tmp_path: Path, rows: list[DomainRow], agent_v4: Party, registrar_v4: Party
) -> None:
    """A name deleted and registered again by someone else since the full deposit is a new
    registration: the incremental carries it (the registrar's history says it is not
    deposited any more) and restore keeps the later row, once."""
    keys = agent_keys(agent_v4, registrar_v4)
    make_deposit(tmp_path / "full", rows[:100], agent_v4, registrar_v4,
                 date=dt.date(2026, 12, 1))
    from bureau.escrow.rows import Contact

    again = replace(rows[5], underlying={}, registrant=Contact(
        name="Nouvelle Titulaire", street=("2 rue Neuve",), city="Lyon", country="FR"))
    now = [again if r is rows[5] else r for r in rows[:110]]  # the registrar's names today
    make_deposit(tmp_path / "inc", now, agent_v4,
                 registrar_v4, kind="inc", date=dt.date(2026, 12, 2),
                 previous=SetLookup(r.domain for r in rows[:100] if r is not rows[5]))
    back = list(read_deposits([tmp_path / "full", tmp_path / "inc"], EDITION_2007, keys))
    by_name = {r.domain: r for r in back}
    assert len(back) == len(by_name) == 110
    assert by_name[rows[5].domain].registrant == again.registrant


def test_split_limits_hold_when_records_are_taken_in_batches(
    tmp_path: Path, rows: list[DomainRow], agent_v4: Party, registrar_v4: Party
) -> None:
    # records reach the files in batches of 512 when a batch fits the current file: the
    # limits must fall at the same record as one by one
    keys = agent_keys(agent_v4, registrar_v4)
    by_records = replace(EDITION_2007, split=SplitRule(max_records=1_100))
    res = make_deposit(tmp_path / "r", rows, agent_v4, registrar_v4, profile=by_records)
    assert [f.records for f in res.files] == [1_100, 1_100, ROWS - 2_200]
    assert verify_deposit(tmp_path / "r", by_records, keys).ok
    by_lines = replace(EDITION_2007, split=SplitRule(max_lines=1_500))
    res = make_deposit(tmp_path / "l", rows, agent_v4, registrar_v4, profile=by_lines)
    total = 0
    for f in res.files:
        name = parse_name(f.name)
        assert name is not None
        with plaintext_records(tmp_path / "l" / f.name, name, keys) as records:
            recs = list(records)
        assert sum(r.lines for r in recs) == f.lines <= 1_500
        total += len(recs) - (name.seq == 1)
    assert total == ROWS and len(res.files) > 2
    # a file is full: the next record would not have fitted
    assert all(f.lines > 1_500 - 20 for f in res.files[:-1])


def test_a_failing_row_leaves_no_partial_file(
    tmp_path: Path, rows: list[DomainRow], agent_v4: Party, registrar_v4: Party
) -> None:
    import time

    import pytest

    bad = replace(rows[0], domain="bad.org",
                  registrant=replace(rows[0].registrant, name="Jo\x00hn"))
    with pytest.raises(ValueError, match=r"bad\.org: a field holds a NUL"):
        make_deposit(tmp_path / "d", [*rows[:2000], bad, *rows[2000:]], agent_v4, registrar_v4)
    time.sleep(0.5)  # an encryptor left running would write its .part file late
    assert list((tmp_path / "d").iterdir()) == []


def test_names_without_name_servers_pass_verify(
    rows: list[DomainRow], agent_v4: Party, registrar_v4: Party, tmp_path: Path
) -> None:
    """A name without delegation is legitimate: the name-server field is in the header
    (one of the seven fields, spec 4.1.8) but may be empty for a name (4.1.10: some fields
    hold only what there is)."""
    undelegated = [replace(r, nameservers=()) for r in rows[:10]] + rows[10:50]
    for profile in (EDITION_2007, EDITION_2007_HANDLES):
        res = make_deposit(tmp_path / profile.name, undelegated, agent_v4, registrar_v4,
                           profile=profile)
        report = verify_deposit(res.hash_file.parent, profile, agent_keys(agent_v4, registrar_v4))
        assert report.ok, report.text()
        assert "nameservers" in profile.header
        back = {r.domain: r for r in read_deposit(res.hash_file.parent, profile,
                                                  agent_keys(agent_v4, registrar_v4))}
        assert back[undelegated[0].domain].nameservers == ()


def test_record_to_takes_any_name_recorder(
    tmp_path: Path, rows: list[DomainRow], agent_v4: Party, registrar_v4: Party
) -> None:
    """``record_to`` is a NameRecorder (``record(kind, names)``), not necessarily a
    NameIndex: a registrar passes its own recorder without subclassing."""
    from bureau.escrow.history import NameIndex, NameRecorder

    class ListRecorder:
        def __init__(self) -> None:
            self.calls: list[tuple[str, list[str]]] = []

        def record(self, kind: str, names: Iterable[str]) -> int:
            self.calls.append((kind, list(names)))
            return len(self.calls[-1][1])

    recorder = ListRecorder()
    assert isinstance(recorder, NameRecorder)
    assert isinstance(NameIndex(tmp_path / "n.sqlite"), NameRecorder)
    typed: NameRecorder = recorder  # checked by mypy too
    make_deposit(tmp_path / "d", rows[:100], agent_v4, registrar_v4, record_to=typed)
    assert recorder.calls == [("full", [r.domain for r in rows[:100]])]


def test_docs_give_the_profiles_real_column_count() -> None:
    import re

    doc = (Path(__file__).resolve().parents[2] / "docs" / "escrow.md").read_text()
    counts = {int(n) for n in re.findall(r"2007 profile, (\d+)\s+columns|(?<!\d)(\d+) columns",
                                         doc) for n in n if n}
    assert counts == {len(EDITION_2007.columns)} == {83}


def test_bench_keys_say_what_they_measure_not_a_size() -> None:
    """bench/escrow.py reported 100,000- and 300,000-row figures in --quick under keys named
    for 1,000,000 and 10,000,000 rows; its keys name what they measure, the counts are data,
    and the docs name the keys it prints."""
    import re

    root = Path(__file__).resolve().parents[2]
    bench = (root / "bench" / "escrow.py").read_text()
    keys = set(re.findall(r'^\s*"([a-z_0-9]+)": ', bench, re.MULTILINE))
    assert {"deposit_seconds", "large_deposit_peak_mb", "counts", "db_deposit_ratio_to_shell",
            "db_deposit_peak_mb", "db_names"} <= keys
    assert not [k for k in keys if re.search(r"\d+[km]?(_|$)", k)], keys
    doc = (root / "docs" / "escrow.md").read_text()
    assert all(f"`{k}`" in doc for k in ("db_deposit_ratio_to_shell", "db_deposit_peak_mb"))
