"""A careful goodbye: the checklist and the typed name before a deletion; reminders stop for
a name let go on purpose; withdrawing the goodbye brings them back."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.test import Client

from bureau.notices.goodbye import (
    checklist,
    delete_after_goodbye,
    keep_after_all,
    say_goodbye,
)
from bureau.notices.jobs import run_all
from bureau.notices.models import Goodbye
from bureau.registrar.domains.models import Domain, DomainEvent, DomainState
from bureau.registrar.operations.common import Actor
from bureau.registrar.operations.errors import ConsentMissing
from bureau.sandbox.testing import Sandbox

from .conftest import Inbox
from .test_lifecycle import jump_to

pytestmark = pytest.mark.django_db
ALL = {item.key for item in checklist()}


def test_checklist_follows_the_anssi_advice() -> None:
    assert {"mail", "accounts", "partners", "links", "risk", "keep"} == ALL
    texts = " ".join(str(item.text) for item in checklist())
    assert "MX" in texts and "phishing" in texts and "partners" in texts.lower()


def test_deletion_only_after_the_checklist_and_the_typed_name(
        domain: Domain, member: Actor, registry_clock: Sandbox) -> None:
    with pytest.raises(ConsentMissing):
        delete_after_goodbye(domain=domain, actor=member)
    with pytest.raises(ConsentMissing) as missing:
        say_goodbye(domain=domain, actor=member, mode="delete", ticked=ALL - {"mail"},
                    typed_name="atelier.test")
    assert missing.value.field == "checklist"
    with pytest.raises(ConsentMissing) as wrong:
        say_goodbye(domain=domain, actor=member, mode="delete", ticked=ALL,
                    typed_name="atelier.tset")
    assert wrong.value.field == "typed_name"
    assert domain.state == DomainState.ACTIVE
    registry_clock.clock.advance(days=6)  # past the add grace: deletion goes to redemption
    say_goodbye(domain=domain, actor=member, mode="delete", ticked=ALL,
                typed_name="Atelier.test ")
    delete_after_goodbye(domain=domain, actor=member)
    domain.refresh_from_db()
    assert domain.state == DomainState.REDEMPTION
    assert DomainEvent.objects.filter(domain=domain, detail__goodbye="delete").exists()


def test_reminders_stop_for_a_name_let_go_and_resume_if_kept(
        domain: Domain, member: Actor, registry_clock: Sandbox, inbox: Inbox) -> None:
    assert domain.expires_at is not None
    say_goodbye(domain=domain, actor=member, mode="let-expire", ticked=ALL,
                typed_name="atelier.test")
    jump_to(registry_clock, domain.expires_at - timedelta(days=29))
    run_all()
    assert inbox.take_kind("reminder:") == []
    keep_after_all(domain=domain, actor=member)
    run_all()
    assert {r.key.rsplit(":", 1)[1] for r in inbox.take_kind("reminder:")} == {"30"}


def test_goodbye_page(domain: Domain, owner: User, registry_clock: Sandbox) -> None:
    client = Client()
    client.force_login(owner)
    url = f"/notices/goodbye/{domain.name}/"
    page = client.get(url)
    assert page.status_code == 200
    body = page.content.decode()
    assert 'name="checked"' in body and "MX" in body
    refused = client.post(url, {"mode": "let-expire", "checked": ["mail"],
                                "typed_name": "atelier.test"})
    assert refused.status_code == 400
    done = client.post(url, {"mode": "let-expire", "checked": sorted(ALL),
                             "typed_name": "atelier.test"})
    assert done.status_code == 200
    assert Goodbye.objects.filter(domain=domain, mode="let-expire").exists()
    stranger = User.objects.create_user("eve", "eve@example.org", "x-password")
    client.force_login(stranger)
    assert client.get(url).status_code == 404


def test_what_stops_is_read_from_the_hosted_zone(domain: Domain, owner: User) -> None:
    from bureau.dns.models import Record, Zone
    from bureau.notices.goodbye import Usage, what_stops

    assert what_stops(domain) is None
    zone = Zone.objects.create(name="atelier.test.", organisation=domain.organisation,
                               domain=domain)
    Record.objects.create(zone=zone, name="atelier.test.", rtype="MX",
                          content="10 mx.mail-host.example.", ttl=3600)
    Record.objects.create(zone=zone, name="www.atelier.test.", rtype="A",
                          content="192.0.2.10", ttl=3600)
    Record.objects.create(zone=zone, name="atelier.test.", rtype="TXT",
                          content='"v=spf1 -all"', ttl=3600)
    assert what_stops(domain) == [Usage("web", "www.atelier.test", "192.0.2.10"),
                                  Usage("mail", "atelier.test", "10 mx.mail-host.example")]
    client = Client()
    client.force_login(owner)
    body = client.get(f"/notices/goodbye/{domain.name}/").content.decode()
    assert "@atelier.test" in body and "192.0.2.10" in body
