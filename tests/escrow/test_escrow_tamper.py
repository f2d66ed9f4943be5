"""verify rejects what an escrow agent must reject, and says why."""

from __future__ import annotations

import datetime as dt
import gzip
import io
import itertools
from dataclasses import replace
from pathlib import Path

import pytest
from escrow_fixtures import Party

from bureau.escrow import cli
from bureau.escrow.csvwriter import RecordEncoder
from bureau.escrow.history import SetLookup
from bureau.escrow.names import parse_name
from bureau.escrow.pipeline import DepositResult
from bureau.escrow.profiles import EDITION_2007, Column, Profile
from bureau.escrow.reader import plaintext_records
from bureau.escrow.rfc4180 import RecordError, read_records
from bureau.escrow.rows import Contact, DomainRow
from bureau.escrow.verify import verify_deposit

from .conftest import agent_keys, make_deposit


def _messages(folder: Path, agent: Party, registrar: Party, **kw: object) -> str:
    report = verify_deposit(folder, EDITION_2007, agent_keys(agent, registrar),
                            **kw)  # type: ignore[arg-type]
    assert not report.ok
    return report.text()


def test_flipped_byte(deposit_copy: Path, agent_v4: Party, registrar_v4: Party) -> None:
    (full,) = deposit_copy.glob("*_full_1.csv.gz.gpg")
    data = bytearray(full.read_bytes())
    data[len(data) // 2] ^= 0x01
    full.write_bytes(bytes(data))
    text = _messages(deposit_copy, agent_v4, registrar_v4)
    assert "cannot decrypt or verify" in text


def test_wrong_signature(tmp_path: Path, rows: list[DomainRow], agent_v4: Party,
                         registrar_v4: Party, other_registrar: Party) -> None:
    make_deposit(tmp_path / "d", rows[:50], agent_v4, other_registrar)
    text = _messages(tmp_path / "d", agent_v4, registrar_v4)
    assert "not signed by the registrar key given" in text


def test_missing_file(tmp_path: Path, rows: list[DomainRow], agent_v4: Party,
                      registrar_v4: Party) -> None:
    from bureau.escrow.profiles import SplitRule

    profile = replace(EDITION_2007, split=SplitRule(max_records=40))
    res = make_deposit(tmp_path / "d", rows[:100], agent_v4, registrar_v4, profile=profile)
    (tmp_path / "d" / res.files[1].name).unlink()
    report = verify_deposit(tmp_path / "d", profile, agent_keys(agent_v4, registrar_v4))
    text = report.text()
    assert "missing from the deposit" in text
    assert "without gaps" in text


def test_wrong_header(tmp_path: Path, rows: list[DomainRow], agent_v4: Party,
                      registrar_v4: Party) -> None:
    cols = list(EDITION_2007.columns)
    cols[3] = Column("rt-full-name", "registrant.name")
    bad = replace(EDITION_2007, columns=tuple(cols))
    make_deposit(tmp_path / "d", rows[:20], agent_v4, registrar_v4, profile=bad)
    text = _messages(tmp_path / "d", agent_v4, registrar_v4)
    assert "header differs from the profile" in text and "rt-name" in text


def test_duplicate_name(tmp_path: Path, rows: list[DomainRow], agent_v4: Party,
                        registrar_v4: Party) -> None:
    make_deposit(tmp_path / "d", [*rows[:20], rows[5]], agent_v4, registrar_v4)
    text = _messages(tmp_path / "d", agent_v4, registrar_v4)
    assert f"duplicate domain {rows[5].domain}" in text


def test_incremental_with_a_name_already_deposited(
    tmp_path: Path, rows: list[DomainRow], agent_v4: Party, registrar_v4: Party
) -> None:
    # written with an empty history: the incremental wrongly repeats deposited names
    make_deposit(tmp_path / "inc", rows[:30], agent_v4, registrar_v4, kind="inc",
                 previous=SetLookup([]))
    text = _messages(tmp_path / "inc", agent_v4, registrar_v4,
                     previous=SetLookup(r.domain for r in rows[:10]))
    assert f"{rows[3].domain} was already deposited" in text


def test_u_label_domain_rejected() -> None:
    from bureau.escrow.validate import check_a_label

    assert "give the A-label" in (check_a_label("café.org") or "")
    assert check_a_label("xn--caf-dma.org") is None


@pytest.mark.parametrize(
    ("data", "why"),
    [
        (b"a,b\nc,d\r\n", "bare CR or LF"),
        (b'a,b"c",d\r\n', "quote"),
        (b"a,\x00\r\n", "NUL"),
        (b"\xef\xbb\xbfa,b\r\n", "byte order mark"),
        (b'a,"b\r\n', "unbalanced"),
        (b"a,\xff\r\n", "not UTF-8"),
    ],
)
def test_strict_rfc4180_rejects_what_csv_reader_accepts(data: bytes, why: str) -> None:
    with pytest.raises(RecordError, match=why):
        list(read_records(io.BytesIO(data)))


def test_strict_rfc4180_accepts_quoted_crlf_commas_and_quotes() -> None:
    data = b'd.org,"1 rue\r\nB\xc3\xa2t ""B"", 2e",\r\n'
    (rec,) = list(read_records(io.BytesIO(data)))
    assert rec.fields == ["d.org", '1 rue\r\nBât "B", 2e', ""] and rec.lines == 2


def test_uneven_rows_are_reported(tmp_path: Path, agent_v4: Party, registrar_v4: Party,
                                  deposit_copy: Path) -> None:
    """A record with too few fields, re-encrypted and re-hashed by a careless tool."""
    import hashlib

    import pysequoia

    (full,) = deposit_copy.glob("*_full_1.csv.gz.gpg")
    plain = gzip.compress(b"domain,nameservers\r\nx.org,ns1.x.org\r\n")
    tsk = pysequoia.Tsk.from_file(str(registrar_v4.secret))
    enc = pysequoia.encrypt(plain, recipients=[pysequoia.Cert.from_file(str(agent_v4.public))],
                            signer=tsk.signer(), armor=False)
    full.write_bytes(enc)
    (hf,) = deposit_copy.glob("*_hash.txt")
    hf.write_text(f"{hashlib.sha256(enc).hexdigest()}  {full.name}\n")
    text = _messages(deposit_copy, agent_v4, registrar_v4)
    assert "header differs" in text and "2 fields, header has" in text


def test_cli_verify_exit_codes(deposit: DepositResult, deposit_copy: Path, agent_v4: Party,
                               registrar_v4: Party, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["verify", "--agent-key", str(agent_v4.secret),
            "--registrar-cert", str(registrar_v4.public)]
    assert cli.main([*args, str(deposit.hash_file.parent)]) == 0
    assert capsys.readouterr().out.strip().endswith("OK")
    next(deposit_copy.glob("*_full_1*")).unlink()
    assert cli.main([*args, str(deposit_copy)]) == 1
    assert "REJECTED" in capsys.readouterr().out


def test_cli_generate_shows_progress(tmp_path: Path, agent_v4: Party, registrar_v4: Party,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    code = cli.main(["generate", "--count", "25000", "--out", str(out), "--agent-cert",
                     str(agent_v4.public), "--registrar-key", str(registrar_v4.secret)])
    assert code == 0
    captured = capsys.readouterr()
    assert "rows/s" in captured.err and "_full_1.csv.gz.gpg" in captured.out


def test_registrar_key_with_passphrase_from_environment(
    tmp_path: Path, gnupghome: Path, agent_v4: Party, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A passphrase-protected registrar key made with gpg; the passphrase comes from an
    environment variable named on the command line, and a wrong one is reported clearly."""
    from escrow_fixtures import gpg

    uid = "Protected Registrar <p@registrar.example>"
    assert gpg(gnupghome, "--pinentry-mode", "loopback", "--passphrase", "s3cret",
               "--quick-gen-key", uid, "ed25519", "sign,cert", "never").returncode == 0
    key = tmp_path / "reg.sec"
    key.write_bytes(gpg(gnupghome, "--armor", "--pinentry-mode", "loopback", "--passphrase",
                        "s3cret", "--export-secret-keys", uid).stdout)
    pub = tmp_path / "reg.pub"
    pub.write_bytes(gpg(gnupghome, "--armor", "--export", uid).stdout)
    base = ["generate", "--count", "50", "--out", str(tmp_path / "out"), "--agent-cert",
            str(agent_v4.public), "--registrar-key", str(key), "--passphrase-env", "RDE_PASS"]
    monkeypatch.setenv("RDE_PASS", "wrong")
    assert cli.main(base) == 2
    assert "check the passphrase" in capsys.readouterr().err
    monkeypatch.setenv("RDE_PASS", "s3cret")
    assert cli.main(base) == 0
    assert cli.main(["verify", str(tmp_path / "out"), "--agent-key", str(agent_v4.secret),
                     "--registrar-cert", str(pub)]) == 0


def _replace_part(folder: Path, part: Path, data: bytes, csv: bytes | None = None,
                  registrar: Party | None = None) -> None:
    """Put ``data`` in ``part``; with ``csv`` (its plaintext) and ``registrar``, list and sign
    it in the hash file as the registrar's own (faulty) software would."""
    import hashlib

    part.write_bytes(data)
    if csv is None or registrar is None:
        return
    name = parse_name(part.name)
    assert name is not None
    (hf,) = folder.glob("*_hash.txt")
    lines = [line for line in hf.read_text().splitlines() if not line.endswith(name.csv_name)]
    _resign(hf, [*lines, f"{hashlib.sha256(csv).hexdigest()}  {name.csv_name}"], registrar)


def _resign(hash_file: Path, lines: list[str], registrar: Party) -> None:
    from bureau.escrow.crypto import SigningKeys, sign_detached

    text = "".join(f"{line}\n" for line in lines).encode()
    hash_file.write_bytes(text)
    keys = SigningKeys(registrar.public, registrar.secret)
    hash_file.with_name(hash_file.name + ".asc").write_bytes(sign_detached(text, keys))


def _encrypted(plain: bytes, agent: Party, registrar: Party) -> bytes:
    import pysequoia

    tsk = pysequoia.Tsk.from_file(str(registrar.secret))
    return pysequoia.encrypt(plain, recipients=[pysequoia.Cert.from_file(str(agent.public))],
                             signer=tsk.signer(), armor=False)


def test_signed_but_not_encrypted_part_is_refused(
    deposit_copy: Path, agent_v4: Party, registrar_v4: Party
) -> None:
    """4.1.20: a part that is only signed reads fine with a signature check, but is refused by
    verify and by restore."""
    import pysequoia

    from bureau.escrow.reader import RestoreError, read_deposit

    (full,) = deposit_copy.glob("*_full_1.csv.gz.gpg")
    plain = gzip.compress(b"domain,nameservers,expiry\r\n")
    tsk = pysequoia.Tsk.from_file(str(registrar_v4.secret))
    _replace_part(deposit_copy, full, pysequoia.sign(tsk.signer(), plain, armor=False), plain,
                  registrar_v4)
    assert "not an encrypted OpenPGP message" in _messages(deposit_copy, agent_v4, registrar_v4)
    with pytest.raises(RestoreError, match="not an encrypted OpenPGP message"):
        list(read_deposit(deposit_copy, EDITION_2007, agent_keys(agent_v4, registrar_v4)))


def test_empty_part_is_refused_by_verify_and_restore(
    tmp_path: Path, rows: list[DomainRow], agent_v4: Party, registrar_v4: Party
) -> None:
    from bureau.escrow.profiles import SplitRule
    from bureau.escrow.reader import RestoreError, read_deposit

    profile = replace(EDITION_2007, split=SplitRule(max_records=40))
    res = make_deposit(tmp_path / "d", rows[:100], agent_v4, registrar_v4, profile=profile)
    second = tmp_path / "d" / res.files[1].name
    _replace_part(tmp_path / "d", second, _encrypted(gzip.compress(b""), agent_v4, registrar_v4),
                  b"", registrar_v4)
    report = verify_deposit(tmp_path / "d", profile, agent_keys(agent_v4, registrar_v4))
    assert not report.ok and f"{second.name}: empty file" in report.text()
    with pytest.raises(RestoreError, match=f"{second.name}: empty file"):
        list(read_deposit(tmp_path / "d", profile, agent_keys(agent_v4, registrar_v4)))


@pytest.mark.parametrize(("expiry", "why"), [
    ("0001-01-01", "no expiry date"), ("2027-13-01", "not a date"), ("", "not a date"),
    ("2099-01-01", "more than 10 years"),
])
def test_bad_expiry_is_refused(deposit_copy: Path, agent_v4: Party, registrar_v4: Party,
                               expiry: str, why: str) -> None:
    """verify checks the expiry field's format and value; restore names the file and line."""
    from bureau.escrow.reader import RestoreError, read_deposit

    (full,) = deposit_copy.glob("*_full_1.csv.gz.gpg")
    keys = agent_keys(agent_v4, registrar_v4)
    name = parse_name(full.name)
    assert name is not None
    with plaintext_records(full, name, keys) as records:
        recs = list(itertools.islice(records, 4))
    fields = [r.fields for r in recs]
    fields[2][2] = expiry
    enc = RecordEncoder()
    plain = "".join(enc.record(r) for r in fields).encode()
    _replace_part(deposit_copy, full, _encrypted(gzip.compress(plain), agent_v4, registrar_v4),
                  plain, registrar_v4)
    report = verify_deposit(deposit_copy, EDITION_2007, keys)
    line = recs[2].line
    # only the expiry's line: the part is listed and signed as the registrar's own
    assert {f.line for f in report.findings} == {line}, report.text()
    text = report.text()
    assert f"{full.name}:{line}: {fields[2][0]}: " in text and why in text
    if why == "not a date":
        with pytest.raises(RestoreError, match=f"{full.name}:{line}: "):
            list(read_deposit(deposit_copy, EDITION_2007, keys))


@pytest.mark.parametrize(("change", "why"), [
    ({"domain": "café.org"}, "give the A-label"),
    ({"domain": "x.org."}, "is not letters, digits"),
    ({"expiry": dt.date.min}, "no expiry date"),
    ({"registrant": Contact(name="")}, "required field rt-name is empty"),
])
def test_writer_refuses_a_row_the_verifier_would_reject(
    tmp_path: Path, rows: list[DomainRow], agent_v4: Party, registrar_v4: Party,
    change: dict[str, object], why: str,
) -> None:
    from bureau.escrow.pipeline import DepositError

    bad = replace(rows[7], **change)  # type: ignore[arg-type]
    with pytest.raises(DepositError, match=why):
        make_deposit(tmp_path / "d", [*rows[:7], bad, *rows[8:20]], agent_v4, registrar_v4)
    assert list((tmp_path / "d").iterdir()) == []  # nothing written, nothing to deliver


def _split_deposit(out: Path, rows: list[DomainRow], agent: Party, registrar: Party,
                   **kw: object) -> tuple[DepositResult, Profile]:
    from bureau.escrow.profiles import SplitRule

    profile = replace(EDITION_2007, split=SplitRule(max_records=40))
    return make_deposit(out, rows[:100], agent, registrar, profile=profile, **kw), profile


def test_dropped_part_with_its_hash_line_is_detected(
    tmp_path: Path, rows: list[DomainRow], agent_v4: Party, registrar_v4: Party
) -> None:
    res, profile = _split_deposit(tmp_path / "d", rows, agent_v4, registrar_v4)
    last = res.files[-1]
    (tmp_path / "d" / last.name).unlink()
    lines = [line for line in res.hash_file.read_text().splitlines()
             if not line.endswith(last.csv_name)]
    res.hash_file.write_text("".join(f"{line}\n" for line in lines))
    report = verify_deposit(tmp_path / "d", profile, agent_keys(agent_v4, registrar_v4))
    assert "the hash file was altered or not signed" in report.text()


def test_swapped_parts_are_detected(
    tmp_path: Path, rows: list[DomainRow], agent_v4: Party, registrar_v4: Party
) -> None:
    res, profile = _split_deposit(tmp_path / "d", rows, agent_v4, registrar_v4)
    first, second = (tmp_path / "d" / f.name for f in res.files[1:3])
    a, b = first.read_bytes(), second.read_bytes()
    first.write_bytes(b)
    second.write_bytes(a)
    report = verify_deposit(tmp_path / "d", profile, agent_keys(agent_v4, registrar_v4))
    text = report.text()
    assert f"{first.name}: SHA-256 of {res.files[1].csv_name} does not match" in text
    assert f"{second.name}: SHA-256 of {res.files[2].csv_name} does not match" in text


def test_last_weeks_part_under_a_new_date_is_detected(
    tmp_path: Path, rows: list[DomainRow], agent_v4: Party, registrar_v4: Party
) -> None:
    week = dt.date(2026, 11, 30)
    old, _ = _split_deposit(tmp_path / "old", rows, agent_v4, registrar_v4, date=week)
    new_rows = [replace(r, expiry=r.expiry + dt.timedelta(days=365)) for r in rows]
    res, profile = _split_deposit(tmp_path / "new", new_rows, agent_v4, registrar_v4,
                                  date=week + dt.timedelta(days=7))
    replayed = tmp_path / "new" / res.files[0].name
    replayed.write_bytes((tmp_path / "old" / old.files[0].name).read_bytes())
    report = verify_deposit(tmp_path / "new", profile, agent_keys(agent_v4, registrar_v4))
    assert f"{replayed.name}: SHA-256 of {res.files[0].csv_name} does not match" in report.text()


def test_hash_file_without_its_signature_is_refused(deposit_copy: Path, agent_v4: Party,
                                                    registrar_v4: Party) -> None:
    next(deposit_copy.glob("*_hash.txt.asc")).unlink()
    assert "signature (<hash file>.asc) is missing" in _messages(deposit_copy, agent_v4,
                                                                 registrar_v4)


def test_hash_file_lists_each_csv_after_splitting(deposit: DepositResult, agent_v4: Party,
                                                  registrar_v4: Party) -> None:
    """4.1.17-4.1.18: the SHA-256 of each CSV file after splitting, before compression."""
    import hashlib

    keys = agent_keys(agent_v4, registrar_v4)
    for f in deposit.files:
        path = deposit.hash_file.parent / f.name
        name = parse_name(f.name)
        assert name is not None
        digest = hashlib.sha256()
        with plaintext_records(path, name, keys, csv_digest=digest) as records:
            for _ in records:
                pass
        assert f"{digest.hexdigest()}  {name.csv_name}\n" in deposit.hash_file.read_text()


def test_each_deposit_comes_with_its_abbreviation_table(deposit: DepositResult,
                                                         deposit_copy: Path, agent_v4: Party,
                                                         registrar_v4: Party) -> None:
    """4.1.15: the table of the header's abbreviations (and the header line) is produced with
    each deposit, listed in the signed hash file; verify wants it."""
    table = deposit.abbreviations_file.read_text()
    assert ",".join(EDITION_2007.header) in table
    for prefix in ("rt-", "ct-", "tc-", "cf-", "prt-", "pct-", "ptc-", "pcf-"):
        assert f"\n  {prefix} " in table
    assert deposit.abbreviations_file.name in deposit.hash_file.read_text()
    assert deposit.abbreviations_file in deposit.paths
    next(deposit_copy.glob("*_abbreviations.txt")).unlink()
    text = _messages(deposit_copy, agent_v4, registrar_v4)
    assert "expected one abbreviation table" in text
    assert "listed in the hash file but missing" in text
