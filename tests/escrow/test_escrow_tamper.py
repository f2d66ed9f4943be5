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
from bureau.escrow.profiles import EDITION_2007, Column
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
    assert "SHA-256 does not match" in text
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


def _replace_part(folder: Path, part: Path, data: bytes) -> None:
    """Put ``data`` in ``part`` and re-hash it in the hash file, as a careless tool would."""
    import hashlib

    part.write_bytes(data)
    (hf,) = folder.glob("*_hash.txt")
    lines = [line for line in hf.read_text().splitlines() if not line.endswith(part.name)]
    hf.write_text("\n".join([*lines, f"{hashlib.sha256(data).hexdigest()}  {part.name}"]) + "\n")


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
    _replace_part(deposit_copy, full, pysequoia.sign(tsk.signer(), plain, armor=False))
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
    _replace_part(tmp_path / "d", second, _encrypted(gzip.compress(b""), agent_v4, registrar_v4))
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
    _replace_part(deposit_copy, full, _encrypted(gzip.compress(plain), agent_v4, registrar_v4))
    text = _messages(deposit_copy, agent_v4, registrar_v4)
    line = recs[2].line
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
