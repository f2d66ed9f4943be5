"""Disaster recovery: a full deposit plus a later incremental, restored into an empty
database, give back the data that went in."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from escrow_fixtures import Party

from bureau.escrow.rows import Contact, DomainRow
from bureau.registrar.accounts.models import Organisation
from bureau.registrar.contacts.models import Contact as ContactModel
from bureau.registrar.domains.models import Domain, DomainState
from bureau.registrar.escrow.deposits import make_deposit
from bureau.registrar.registries.models import Registry, Tld

from .conftest import DOMAINS, Registrar, make_domains, oracle_rows

DAY = dt.date(2026, 11, 20)


def _plain(c: Contact | None) -> Contact | None:
    return None if c is None else dataclasses.replace(c, handle="")


def snapshot() -> list[DomainRow]:
    """What a deposit can carry, from the database: contacts without Bureau's ids, and no
    redemption flag (a deposit does not say which names were in redemption)."""
    out = []
    for r in oracle_rows():
        out.append(dataclasses.replace(
            r, registrant=_plain(r.registrant), admin=_plain(r.admin), tech=_plain(r.tech),
            billing=_plain(r.billing), in_redemption=False))
    return sorted(out, key=lambda r: r.domain)


def wipe() -> None:
    Domain.objects.all().delete()
    ContactModel.objects.all().delete()
    Organisation.objects.all().delete()
    Tld.objects.all().delete()
    Registry.objects.all().delete()


@pytest.mark.parametrize(("profile", "count"), [("2007", DOMAINS), ("2007-handles", 300)])
def test_restore_gives_back_what_went_in(
    registrar: Registrar, escrow_settings: Path, settings: Any, agent: Party,
    registrar_key: Party, profile: str, count: int,
) -> None:
    settings.BUREAU_ESCROW_PROFILE = profile
    make_domains(registrar, 0, count)
    full = make_deposit("full", date=DAY)
    make_domains(registrar, count, 20)
    inc = make_deposit("inc", date=DAY + dt.timedelta(days=1))
    before = snapshot()
    assert len(before) == count + 20
    used_contacts = len({c for r in before for c in (r.registrant, r.admin, r.tech, r.billing)})

    wipe()
    out = io.StringIO()
    call_command("escrow", "restore", full.folder, inc.folder, "--agent-key",
                 str(agent.secret), stdout=out, stderr=io.StringIO())
    assert f"restored {count + 20:,} domains, {used_contacts} contacts" in out.getvalue()
    assert "1 TLDs created inactive" in out.getvalue()

    assert snapshot() == before
    assert ContactModel.objects.count() == used_contacts  # shared contacts stay shared
    assert set(Domain.objects.values_list("state", flat=True)) == {DomainState.ACTIVE}
    assert not Tld.objects.get(name="test").is_active

    with pytest.raises(CommandError, match="EMPTY Bureau database"):
        call_command("escrow", "restore", full.folder, "--agent-key", str(agent.secret),
                     stdout=io.StringIO(), stderr=io.StringIO())


def test_restore_refuses_a_tampered_deposit_and_stores_nothing(
    registrar: Registrar, escrow_settings: Path, agent: Party,
) -> None:
    make_domains(registrar, 0, 30)
    full = make_deposit("full", date=DAY)
    wipe()
    data = Path(full.folder) / full.files[0]["name"]
    raw = bytearray(data.read_bytes())
    raw[len(raw) // 2] ^= 0x01
    data.write_bytes(bytes(raw))
    with pytest.raises(CommandError, match="does not pass verification"):
        call_command("escrow", "restore", full.folder, "--agent-key", str(agent.secret),
                     stdout=io.StringIO(), stderr=io.StringIO())
    assert not Domain.objects.exists() and not Organisation.objects.exists()


def test_restore_from_the_2024_profile_keeps_what_it_carries(
    registrar: Registrar, escrow_settings: Path, settings: Any, agent: Party,
) -> None:
    settings.BUREAU_ESCROW_PROFILE = "2024"
    make_domains(registrar, 0, 30)
    # the 2024 header has no org and no fax columns
    before = {r.domain: (r.expiry, dataclasses.replace(r.registrant, org="", fax=""))
              for r in snapshot() if r.registrant is not None}
    full = make_deposit("full", date=DAY)
    wipe()
    out = io.StringIO()
    call_command("escrow", "restore", full.folder, "--agent-key", str(agent.secret),
                 stdout=out, stderr=io.StringIO())
    assert "carries only in part left out" in out.getvalue()  # billing: a name only
    after = snapshot()
    assert {r.domain: (r.expiry, r.registrant) for r in after} == before
    assert all(r.nameservers == () and r.admin == r.registrant for r in after)


def test_a_name_registered_again_since_the_full_deposit_restores_with_its_new_holder(
    registrar: Registrar, escrow_settings: Path, agent: Party,
) -> None:
    """Deleted, then registered by someone else after the full deposit: the incremental holds
    it as a new registration and restore of full + incremental gives the new holder."""
    from django.utils import timezone

    make_domains(registrar, 0, 50)
    full = make_deposit("full", date=DAY)
    old = Domain.objects.get(name="name7.test")
    old.state = DomainState.DELETED
    old.save(update_fields=["state"])
    newcomer = registrar.contacts[-1]
    assert newcomer.pk != old.registrant_id
    Domain.objects.create(name="name7.test", tld=registrar.tld,
                          organisation=registrar.organisation, registrant=newcomer,
                          admin_contact=newcomer, tech_contact=newcomer, state="active",
                          registered_at=timezone.now(), expires_at=old.expires_at)
    inc = make_deposit("inc", date=DAY + dt.timedelta(days=1))
    assert inc.records == 1
    before = snapshot()
    wipe()
    call_command("escrow", "restore", full.folder, inc.folder, "--agent-key",
                 str(agent.secret), stdout=io.StringIO(), stderr=io.StringIO())
    assert snapshot() == before
    assert Domain.objects.get(name="name7.test").registrant.name == newcomer.name
