"""Full and incremental deposits from the database, checked as the agent checks them: the
library verifier, gpg and sha256sum."""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
import re
import subprocess
from pathlib import Path
from typing import Any

import idna
import pytest
from django.utils import timezone
from escrow_fixtures import Party, gpg

from bureau.escrow.compress import open_decompressed
from bureau.escrow.crypto import decrypt_and_verify
from bureau.escrow.csvwriter import RecordEncoder, compile_record, handle_values
from bureau.escrow.profiles import get_profile
from bureau.escrow.reader import AgentKeys, read_deposit
from bureau.escrow.rows import DomainRow
from bureau.registrar.contacts.models import Contact
from bureau.registrar.domains.models import Domain
from bureau.registrar.escrow import conf
from bureau.registrar.escrow.deposits import DepositRefused, make_deposit
from bureau.registrar.escrow.history import DbNameLookup, series_ids
from bureau.registrar.escrow.models import Deposit, DepositedName, DepositState
from bureau.registrar.escrow.verification import verify_folder

from .conftest import DOMAINS, IANA, Registrar, make_domains, oracle_row, oracle_rows

DAY = dt.date(2026, 11, 20)


def keys(agent: Party, registrar_key: Party) -> AgentKeys:
    return AgentKeys.from_files(agent.secret, [registrar_key.public])


def deposited(deposit: Deposit, agent: Party, registrar_key: Party) -> list[DomainRow]:
    return list(read_deposit(Path(deposit.folder), get_profile(deposit.profile),
                             keys(agent, registrar_key)))


def test_rows_come_from_the_database(populated: Registrar, escrow_settings: Path,
                                     agent: Party, registrar_key: Party) -> None:
    rows = {r.domain: r for r in deposited(make_deposit("full", date=DAY), agent,
                                           registrar_key)}
    assert len(rows) == DOMAINS  # deleted and transferred-out names are not sponsored
    idn = next(r for name, r in rows.items() if name.startswith("xn--"))
    assert idn.domain.isascii() and "café" in idna.decode(idn.domain)
    multi = next(r for r in rows.values() if len(r.registrant.street) == 3)
    assert multi.registrant.street == ("12, avenue des Champs", "Bâtiment B", "3e étage")
    assert any(r.registrant.fax == "" for r in rows.values())
    no_billing = Domain.objects.filter(billing_contact=None, state="active").first()
    assert no_billing is not None  # filled with the registrant (every role is escrowed)
    assert rows[no_billing.name].billing == rows[no_billing.name].registrant
    assert all(r.underlying == {} for r in rows.values())  # no privacy/proxy service
    d = Domain.objects.get(name="name1.test")
    row = rows["name1.test"]
    assert row.expiry == d.expires_at.date()
    assert row.nameservers == tuple(d.nameservers)
    assert row.registrant.voice == d.registrant.phone


@pytest.mark.parametrize("profile", ["2007", "2007-handles", "2024"])
def test_postgresql_writes_the_csv_the_library_writes(
    populated: Registrar, escrow_settings: Path, settings: Any, agent: Party,
    registrar_key: Party, profile: str, django_assert_max_num_queries: Any,
) -> None:
    """The records PostgreSQL writes (COPY) are byte for byte those the library's CSV writer
    makes of the same names read with the ORM: quoting, line breaks, empty fields, the
    registrant standing in for a missing role, the handle file. And the number of queries
    does not grow with the number of names."""
    settings.BUREAU_ESCROW_PROFILE = profile
    Contact.objects.filter(pk=populated.contacts[5].pk).update(
        name="Line\nbreak, \"kept\"", street="a\r\nb\rc\nd")  # a bare LF stays as it is
    Domain.objects.filter(name="name2.test").update(nameservers=["NS1.Example.NET"])
    with django_assert_max_num_queries(40):
        deposit = make_deposit("full", date=DAY)
    got = _csv_text(deposit, agent, registrar_key)
    expected = [oracle_row(r.domain, Domain.objects.get(name=r.domain)) for r in oracle_rows()]
    p = get_profile(profile)
    record = compile_record(p, IANA)
    encoder = RecordEncoder()
    header, *records = _records(got["full"])
    assert header == encoder.record(p.header)
    assert sorted(records) == sorted(record(r) for r in expected)  # in no particular order
    if p.handle_mode:
        contacts = {c.handle: c for r in expected for c in (r.registrant, r.admin, r.tech,
                                                             r.billing)}
        assert got["hdl"] == encoder.record(p.handle_header) + "".join(
            encoder.record(handle_values(p, contacts[h])) for h in sorted(contacts))


_RECORD = re.compile(r'(?:"(?:[^"]|"")*"|[^,"\r\n]*)(?:,(?:"(?:[^"]|"")*"|[^,"\r\n]*))*\r\n')


def _records(text: str) -> list[str]:
    """The CSV records of ``text`` as written (line breaks in quoted fields kept)."""
    found = _RECORD.findall(text)
    assert "".join(found) == text
    return found


def _csv_text(deposit: Deposit, agent: Party, registrar_key: Party) -> dict[str, str]:
    """The decrypted, decompressed CSV of each series of the deposit, its parts joined."""
    out: dict[str, str] = {}
    k = keys(agent, registrar_key)
    for f in sorted(deposit.files, key=lambda f: (f["kind"], f["seq"])):
        plain = Path(deposit.folder) / "plain"
        decrypt_and_verify(Path(deposit.folder) / f["name"], plain, k.agent_key,
                           k.agent_passphrase, k.registrar_certs)
        with open_decompressed(deposit.compression, str(plain)) as stream:
            out[f["kind"]] = out.get(f["kind"], "") + stream.read().decode()
        plain.unlink()
    return out


def test_full_deposit_passes_verify_gpg_and_sha256sum(
    populated: Registrar, escrow_settings: Path, agent: Party, registrar_key: Party,
    gnupghome: Path, tmp_path: Path,
) -> None:
    deposit = make_deposit("full", date=DAY)
    assert deposit.state == DepositState.WRITTEN
    assert deposit.records == DOMAINS
    assert DepositedName.objects.filter(deposit=deposit).count() == DOMAINS
    folder = Path(deposit.folder)
    assert sorted(p.name for p in folder.iterdir()) == sorted(deposit.file_names)

    report, recorded = verify_folder(folder, keys(agent, registrar_key))
    assert report.ok, report.text()
    assert recorded == deposit and report.rows == {"full": DOMAINS}

    hash_file = folder / deposit.hash_file
    v = gpg(gnupghome, "--verify", f"{hash_file}.asc", str(hash_file))
    assert v.returncode == 0 and b"Good signature" in v.stderr, v.stderr
    data = folder / deposit.files[0]["name"]
    out = gpg(gnupghome, "--pinentry-mode", "loopback", "--passphrase", "", "--decrypt",
              str(data))
    assert out.returncode == 0, out.stderr
    assert b"Good signature" in out.stderr
    for listed in (deposit.hash_file, deposit.hash_file.replace("_hash", "_abbreviations")):
        (tmp_path / listed).write_bytes((folder / listed).read_bytes())
    (tmp_path / deposit.files[0]["csv_name"]).write_bytes(gzip.decompress(out.stdout))
    r = subprocess.run(["sha256sum", "-c", deposit.hash_file], cwd=tmp_path,
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    text = gzip.decompress(out.stdout).decode("utf-8")
    records = list(csv.reader(io.StringIO(text, newline="")))
    header, body = records[0], records[1:]
    assert header[0] == "domain" and len(body) == DOMAINS
    by_name = {rec[0]: dict(zip(header, rec, strict=True)) for rec in body}
    d = Domain.objects.select_related("registrant").get(name="name1.test")
    got = by_name["name1.test"]
    assert got["rt-name"] == d.registrant.name
    assert got["rt-street"] == d.registrant.street.replace("\n", "\r\n")
    assert got["expiry"] == d.expires_at.date().isoformat()
    assert any('"Le Lien"' in rec["rt-org"] for rec in by_name.values())


def test_only_the_configured_gtlds_are_deposited(registrar: Registrar, escrow_settings: Path,
                                                 settings: Any) -> None:
    """ccTLD names (here .fr) are outside the specification (4.1.6/4.1.7): not deposited, and
    without the list of gTLDs nothing is deposited at all."""
    from bureau.registrar.registries.models import Tld

    make_domains(registrar, 0, 30)
    fr = Tld.objects.create(registry=registrar.tld.registry, name="fr", create_price=1,
                            renew_price=1, transfer_price=1)
    Domain.objects.create(name="atelier.fr", tld=fr, organisation=registrar.organisation,
                          registrant=registrar.contacts[0], state="active",
                          expires_at=timezone.now() + dt.timedelta(days=300))
    assert {r.domain for r in oracle_rows()} == {d.name for d in Domain.objects.filter(
        tld=registrar.tld)}
    settings.BUREAU_ESCROW_GTLDS = ""
    with pytest.raises(conf.EscrowNotConfigured, match="BUREAU_ESCROW_GTLDS is not set"):
        make_deposit("full", date=DAY)
    settings.BUREAU_ESCROW_GTLDS = "test,fr"
    with pytest.raises(conf.EscrowNotConfigured, match="two-letter TLDs are ccTLDs"):
        oracle_rows()


@pytest.mark.parametrize(("change", "bad", "why"), [
    ({"expires_at": None}, "name3.test", "no expiry date"),
    ({"registrant": None}, "name3.test", "required field rt-name is empty"),
    ({"name": "Name3.test"}, "Name3.test", "must be lowercase"),
    ({"name": "café3.test"}, "café3.test", "not ASCII: give the A-label"),
    ({"name": "xn--abc-.test"}, "xn--abc-.test", "not letters, digits and hyphens"),
    ({"name": "xn--zz.test"}, "xn--zz.test", "not a valid A-label"),
])
def test_a_name_with_bad_data_fails_the_deposit_alerts_and_is_never_delivered(
    registrar: Registrar, escrow_settings: Path, change: dict[str, Any], bad: str, why: str,
) -> None:
    """A name without expiry or registrant, or not a lowercase A-label, is refused as the
    verifier would (checked by PostgreSQL as it writes the rows, A-labels by IDNA): the
    deposit is failed, staff alerted, nothing is left to deliver."""
    from bureau.registrar.escrow.models import EscrowAlert

    make_domains(registrar, 0, 30)
    Domain.objects.filter(name="name3.test").update(**change)
    with pytest.raises(Exception, match=rf"'{re.escape(bad)}' cannot be deposited: .*{why}"):
        make_deposit("full", date=DAY)
    failed = Deposit.objects.get()
    assert failed.state == DepositState.FAILED and bad in failed.error
    assert not Path(failed.folder).exists()
    alert = EscrowAlert.objects.get(kind="deposit", resolved_at__isnull=True)
    assert bad in alert.message
    assert not Deposit.objects.filter(state=DepositState.WRITTEN).exists()  # nothing to send


def test_redemption_names_left_out_when_set(registrar: Registrar, escrow_settings: Path,
                                            settings: Any) -> None:
    make_domains(registrar, 0, 200)
    settings.BUREAU_ESCROW_INCLUDE_REDEMPTION = "0"
    deposit = make_deposit("full", date=DAY)
    in_rgp = len(range(7, 200, 50))
    assert deposit.records == 200 - in_rgp
    assert deposit.skipped_redemption == in_rgp


def test_incremental_holds_exactly_the_new_names(
    populated: Registrar, escrow_settings: Path, agent: Party, registrar_key: Party,
) -> None:
    with pytest.raises(DepositRefused, match="full deposit first"):
        make_deposit("inc", date=DAY)
    make_deposit("full", date=DAY)
    with pytest.raises(DepositRefused, match="already exists"):
        make_deposit("inc", date=DAY)
    new = {d.name for d in make_domains(populated, DOMAINS, 40)}
    inc = make_deposit("inc", date=DAY + dt.timedelta(days=1))
    assert inc.records == 40
    names = {r.domain for r in read_deposit(Path(inc.folder), conf.profile(),
                                            keys(agent, registrar_key))}
    assert names == new
    report, _ = verify_folder(Path(inc.folder), keys(agent, registrar_key))
    assert report.ok, report.text()

    newer = {d.name for d in make_domains(populated, DOMAINS + 40, 5)}
    inc2 = make_deposit("inc", date=DAY + dt.timedelta(days=2))
    assert set(DepositedName.objects.filter(deposit=inc2).values_list("name", flat=True)) \
        == newer
    # a new full deposit starts a new series
    full2 = make_deposit("full", date=DAY + dt.timedelta(days=3))
    assert series_ids() == [full2.pk]
    assert full2.records == DOMAINS + 45


def test_verify_checks_an_incremental_against_the_recorded_history(
    registrar: Registrar, escrow_settings: Path, agent: Party, registrar_key: Party,
) -> None:
    make_domains(registrar, 0, 100)
    full = make_deposit("full", date=DAY)
    make_domains(registrar, DOMAINS, 3)
    inc = make_deposit("inc", date=DAY + dt.timedelta(days=1))
    assert verify_folder(Path(inc.folder), keys(agent, registrar_key))[0].ok
    # The history now claims the full deposit already held one of the new names.
    DepositedName.objects.create(deposit=full, name=f"name{DOMAINS + 1}.test")
    report, _ = verify_folder(Path(inc.folder), keys(agent, registrar_key))
    assert not report.ok
    assert f"name{DOMAINS + 1}.test was already deposited" in report.text()


def test_name_lookup_is_one_query_per_batch(
    populated: Registrar, django_assert_num_queries: Any,
) -> None:
    """The verifier asks the history whether an incremental's names were deposited before."""
    full = Deposit.objects.create(kind="full", date=DAY, profile="2007", compression="gzip",
                                  state=DepositState.WRITTEN, started_at=timezone.now())
    DepositedName.objects.bulk_create(DepositedName(deposit=full, name=r.domain)
                                      for r in oracle_rows())
    lookup = DbNameLookup(series_ids())
    batch = [f"name{i}.test" for i in range(5_000)]
    with django_assert_num_queries(1):
        found = lookup.present(batch)
    assert len(found) == DOMAINS - len([i for i in range(0, DOMAINS, 10)])


def test_failed_deposit_is_recorded_and_alerts(registrar: Registrar, escrow_settings: Path,
                                               settings: Any, tmp_path: Path) -> None:
    bad = tmp_path / "not-a-key.asc"
    bad.write_text("nonsense")
    settings.BUREAU_ESCROW_AGENT_CERT = str(bad)
    with pytest.raises(Exception, match="not an OpenPGP certificate"):
        make_deposit("full", date=DAY)
    failed = Deposit.objects.get()
    assert failed.state == DepositState.FAILED and "OpenPGP" in failed.error
    assert not Path(failed.folder).exists()
    from bureau.registrar.escrow.models import EscrowAlert

    assert EscrowAlert.objects.filter(kind="deposit", resolved_at__isnull=True).count() == 1
    settings.BUREAU_ESCROW_AGENT_CERT = str(escrow_settings.parent / "nope")
    with pytest.raises(conf.EscrowNotConfigured, match="no such file"):
        make_deposit("full", date=DAY)


def test_missing_settings_say_what_to_set(registrar: Registrar, escrow_settings: Path,
                                          settings: Any) -> None:
    settings.BUREAU_ESCROW_IANA_ID = ""
    with pytest.raises(conf.EscrowNotConfigured, match="BUREAU_ESCROW_IANA_ID"):
        make_deposit("full", date=DAY)


def test_a_name_without_name_servers_passes_verify(
    registrar: Registrar, escrow_settings: Path, agent: Party, registrar_key: Party,
) -> None:
    make_domains(registrar, 0, 20)
    Domain.objects.filter(name="name1.test").update(nameservers=[])
    deposit = make_deposit("full", date=DAY)
    report, _ = verify_folder(Path(deposit.folder), keys(agent, registrar_key))
    assert report.ok, report.text()
