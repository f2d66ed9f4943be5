"""Every name of a bundle (RFC 9095) is named wherever the member decides about it: the
reminders (mail), the goodbye page, the renewal confirmation and the transfer-out prompt."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.test import Client

from bureau.notices.jobs import run_all
from bureau.registrar.accounts.models import Organisation
from bureau.registrar.contacts.models import Contact
from bureau.registrar.domains.models import Domain, DomainState
from bureau.registrar.operations import register
from bureau.registrar.operations.common import Actor
from bureau.sandbox.testing import Sandbox

from .conftest import Inbox
from .test_lifecycle import jump_to

pytestmark = pytest.mark.django_db


@pytest.fixture
def bundle(member: Actor, organisation: Organisation, holder: Contact,
           registry_clock: Sandbox) -> Domain:
    return register.register(organisation=organisation, actor=member, name="entraide.ngo",
                             registrant=holder).domain


def test_reminders_name_every_name_of_the_bundle(bundle: Domain, registry_clock: Sandbox,
                                                  inbox: Inbox) -> None:
    assert bundle.expires_at is not None
    jump_to(registry_clock, bundle.expires_at - timedelta(days=29))
    run_all()
    reminders = inbox.take_kind("reminder:")
    assert reminders
    for reminder in reminders:  # the holder reads French; both parts name both names
        for part in (reminder.text, reminder.html):
            assert "entraide.ngo est enregistré avec entraide.ong" in part


def test_pages_name_every_name_of_the_bundle(bundle: Domain, owner: User) -> None:
    client = Client()
    client.force_login(owner)
    names = "entraide.ngo, entraide.ong"
    goodbye = client.get(f"/notices/goodbye/{bundle.name}/").content.decode()
    assert names in goodbye.split('id="bundle-names"', 1)[1]
    renew = client.post(f"/domains/{bundle.pk}/renew/", {"period": 1}).content.decode()
    assert names in renew.split('id="bundle-names"', 1)[1]
    Domain.objects.filter(pk=bundle.pk).update(state=DomainState.PENDING_TRANSFER_OUT)
    detail = client.get(f"/domains/{bundle.pk}/").content.decode()
    assert names in detail.split('id="bundle-names"', 1)[1]
