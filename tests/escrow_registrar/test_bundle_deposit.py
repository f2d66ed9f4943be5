"""Every name Bureau sponsors is deposited: each name of a bundle (RFC 9095) is a row of its
own (A-label), with its registration's data, registered at the sandbox registry."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from escrow_fixtures import Party

from bureau.escrow.profiles import get_profile
from bureau.escrow.reader import AgentKeys, read_deposit
from bureau.registrar.accounts.models import Organisation
from bureau.registrar.contacts.models import Contact
from bureau.registrar.escrow.deposits import make_deposit
from bureau.registrar.escrow.models import DepositedName
from bureau.registrar.escrow.rows import count_rows
from bureau.registrar.escrow.verification import verify_folder
from bureau.registrar.operations import register
from bureau.registrar.operations.common import Actor

from .conftest import oracle_rows

pytestmark = pytest.mark.django_db


def test_a_full_deposit_holds_every_name_of_every_bundle(
        member: Actor, organisation: Organisation, contact: Contact, escrow_settings: Path,
        settings: Any, agent: Party, registrar_key: Party) -> None:
    settings.BUREAU_ESCROW_GTLDS = "ngo,ong,xn--0zwm56d"
    ngo = register.register(organisation=organisation, actor=member, name="entraide.ngo",
                            registrant=contact).domain
    idn = register.register(organisation=organisation, actor=member, name="電腦.测试",
                            registrant=contact).domain
    names = {*ngo.names, *idn.names}
    assert len(names) == 4 and all(n.isascii() for n in names)
    rows = {r.domain: r for r in oracle_rows()}
    assert set(rows) == names and count_rows() == 4
    assert rows["entraide.ong"].registrant == rows["entraide.ngo"].registrant
    assert rows["entraide.ong"].expiry == rows["entraide.ngo"].expiry
    deposit = make_deposit("full", date=dt.date(2026, 11, 20))
    assert deposit.records == 4
    assert set(DepositedName.objects.filter(deposit=deposit).values_list(
        "name", flat=True)) == names
    deposited = {r.domain: r for r in read_deposit(Path(deposit.folder), get_profile("2007"),
                                                   AgentKeys.from_files(
                                                       agent.secret, [registrar_key.public]))}
    assert set(deposited) == names
    assert deposited["entraide.ong"].registrant == deposited["entraide.ngo"].registrant
    assert deposited["entraide.ong"].expiry == deposited["entraide.ngo"].expiry
    report, _recorded = verify_folder(Path(deposit.folder), AgentKeys.from_files(
        agent.secret, [registrar_key.public]))
    assert report.ok, report.text()
