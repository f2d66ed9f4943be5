"""scripts/backup and scripts/restore (docs/deploy.md, "Backups"): a backup of Bureau on
PostgreSQL, restored into a new empty database and a new state folder, gives back the same
domains, ledger and zones, and the secrets stored encrypted still decrypt with the keys the
archive brought back."""

from __future__ import annotations

import json
import secrets
import stat
import subprocess
import sys
import tarfile
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest
from cryptography.fernet import Fernet
from django.utils import timezone

from bureau.dns.powerdns.instance import find_schema

from .conftest import ROOT, TESTS, bureau_env, database_url

pytestmark = pytest.mark.slow


def env_file(path: Path, values: dict[str, str]) -> Path:
    path.write_text("# Bureau\n" + "".join(f"{k}={v}\n" for k, v in values.items()))
    return path


def read_env_file(path: Path) -> dict[str, str]:
    lines = [line for line in path.read_text().splitlines() if line and line[0] != "#"]
    return dict(line.split("=", 1) for line in lines)


def snapshot(settings: dict[str, str]) -> Any:
    done = subprocess.run([sys.executable, str(TESTS / "deploy" / "snapshot.py")],
                          env=bureau_env(settings), capture_output=True, text=True,
                          check=False, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.splitlines()[-1])


def run(script: str, *args: str, settings: dict[str, str] | None = None
        ) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(ROOT / "scripts" / script), *args],
                          env=bureau_env(settings or {}), capture_output=True, text=True,
                          check=False, timeout=300)


def make_data(field_key: str, settings: Any) -> None:
    """Names, money, a zone and secrets, as Bureau stores them (encrypted with field_key)."""
    from django.contrib.auth.models import User

    from bureau.dns.models import Record, Zone
    from bureau.registrar.accounts.models import Membership, Organisation, Role
    from bureau.registrar.billing import ledger
    from bureau.registrar.contacts.models import Contact
    from bureau.registrar.domains.models import Domain, DomainState
    from bureau.registrar.registries.models import Registry, Tld

    settings.FIELD_ENCRYPTION_KEYS = [field_key]
    user = User.objects.create_user("camille", "camille@example.org", "not-a-real-password")
    org = Organisation.objects.create(name="Atelier Camille", slug="atelier-camille")
    Membership.objects.create(user=user, organisation=org, role=Role.OWNER)
    contact = Contact.objects.create(
        organisation=org, name="Camille Martin", email="camille@example.org",
        phone="+33.123456789", street="1 rue de la Paix", city="Paris", postal_code="75002",
        country="FR")
    registry = Registry.objects.create(name="Registre", slug="registre", host="epp.example",
                                       client_id="bureau", password="epp-password-42")
    tld = Tld.objects.create(registry=registry, name="test", create_price=1000,
                             renew_price=1000, transfer_price=1000)
    now = timezone.now()
    for n, name in enumerate(["atelier.test", "camille.test", "xn--lan-9la.test"]):
        Domain.objects.create(name=name, tld=tld, organisation=org, registrant=contact,
                              state=DomainState.ACTIVE, registered_at=now,
                              expires_at=now + timedelta(days=365 + n),
                              auth_info=f"transfer-code-{n}")
    ledger.top_up(org, 12_345, "EUR", memo="virement")
    ledger.top_up(org, 5_000, "EUR", memo="carte")
    zone = Zone.objects.create(name="atelier.test.", organisation=org,
                               domain=Domain.objects.get(name="atelier.test"),
                               nameservers=["ns1.example.org.", "ns2.example.org."],
                               serial=2026120701)
    Record.objects.create(zone=zone, name="www.atelier.test.", rtype="A",
                          content="192.0.2.7", ttl=3600)
    Record.objects.create(zone=zone, name="atelier.test.", rtype="MX",
                          content="10 mail.example.org.", ttl=3600)


@pytest.mark.django_db(transaction=True)
def test_a_backup_restored_into_an_empty_database_gives_back_the_same_registrar(
    tmp_path: Path, settings: Any, new_database: Callable[[str], str]
) -> None:
    field_key = Fernet.generate_key().decode()
    make_data(field_key, settings)
    state = tmp_path / "state"
    (state / "registries" / "registre").mkdir(parents=True, mode=0o700)
    client_key = state / "registries" / "registre" / "client.key"
    client_key.write_text("the registry's client key\n")
    client_key.chmod(0o600)
    (state / "static").mkdir()
    (state / "static" / "app.css").write_text("remade by collectstatic")
    production = env_file(tmp_path / "bureau.env", {
        "DATABASE_URL": database_url(), "BUREAU_STATE_DIR": str(state),
        "BUREAU_SECRET_KEY": secrets.token_urlsafe(40), "BUREAU_FIELD_KEY": field_key,
        "BUREAU_FROM_EMAIL": "Bureau <registrar@example.org>"})
    before = snapshot(read_env_file(production))
    assert [d[0] for d in before["domains"]] == ["atelier.test", "camille.test",
                                                 "xn--lan-9la.test"]
    assert before["registries"] == [["registre", "epp-password-42"]]

    # PowerDNS's database (its DNSSEC keys) goes into the same archive.
    pdns = new_database("deploy_pdns")
    with psycopg.connect(pdns, autocommit=True) as conn:
        conn.execute(find_schema("schema.pgsql.sql").read_text())
        conn.execute("INSERT INTO domains (name, type) VALUES ('atelier.test', 'NATIVE')")

    backups = tmp_path / "backups"
    backups.mkdir()
    done = run("backup", "--env-file", str(production), "--output", str(backups),
               "--pdns-database", pdns)
    assert done.returncode == 0, done.stderr
    archive = Path(done.stdout.strip().splitlines()[-1])
    assert archive.parent == backups and archive.name.startswith("bureau-backup-")
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600
    with tarfile.open(archive) as tar:
        names = {name.split("/", 1)[1] for name in tar.getnames() if "/" in name}
    assert {"database.pgdump", "pdns.pgdump", "bureau.env", "MANIFEST",
            "state/registries/registre/client.key"} <= names
    assert "state/static" not in names

    # A new machine: an empty database, an empty state folder, no environment file yet.
    restored_db = new_database("deploy_restored")
    restored_pdns = new_database("deploy_restored_pdns")
    restored_env = tmp_path / "restored.env"
    restored_state = tmp_path / "restored-state"
    done = run("restore", "--env-file", str(restored_env), "--database-url", restored_db,
               "--state-dir", str(restored_state), "--pdns-database", restored_pdns,
               str(archive))
    assert done.returncode == 0, done.stderr

    assert restored_env.read_text() == production.read_text()  # the keys came back
    restored_key = restored_state / "registries" / "registre" / "client.key"
    assert restored_key.read_text() == "the registry's client key\n"
    assert stat.S_IMODE(restored_key.stat().st_mode) == 0o600
    assert stat.S_IMODE(restored_state.stat().st_mode) == 0o700
    after = snapshot({**read_env_file(restored_env), "DATABASE_URL": restored_db,
                      "BUREAU_STATE_DIR": str(restored_state)})
    assert after == before
    with psycopg.connect(restored_pdns) as conn:
        assert conn.execute("SELECT name FROM domains").fetchall() == [("atelier.test",)]

    # Restoring twice into the same database is refused, and changes nothing.
    done = run("restore", "--env-file", str(restored_env), "--database-url", restored_db,
               "--state-dir", str(tmp_path / "other-state"), str(archive))
    assert done.returncode != 0
    assert "restore into an empty database" in done.stderr
    assert not (tmp_path / "other-state").exists()
