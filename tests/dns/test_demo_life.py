"""`make run`'s demo shows every page with content: names in several states, a hosted zone,
a cooperative member, an open ballot, a proposal, the day's environmental reading, invoices.
Loaded through the operations against the sandbox registry and PowerDNS, as `bureau run`
does; loading again adds nothing."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from bureau.cli.demo import load_life
from bureau.coop.models import Ballot, Invoice, Member
from bureau.dns.models import Zone
from bureau.registrar.accounts.models import Organisation
from bureau.registrar.demo import load_demo_data
from bureau.registrar.domains.models import DomainState
from bureau.registrar.registries.models import Registry

pytestmark = [pytest.mark.django_db]


def test_the_demo_fills_every_page(dns_settings: Any, sandbox_registry: Registry,
                                   pdns: Any) -> None:
    logins = load_demo_data()
    added = load_life(registry=True, dns=True)
    assert len(added) == 4
    assert load_life(registry=True, dns=True) == []  # once
    organisation = Organisation.objects.get(slug="demo")
    states = {d.name: d.state for d in organisation.domains.all()}
    assert states == {"atelier-demo.test": DomainState.ACTIVE,
                      "cooperative-demo.test": DomainState.ACTIVE,
                      "ancien-demo.test": DomainState.DELETED}
    zone = Zone.objects.get(domain__name="atelier-demo.test")
    member = Member.objects.get(user__username="membre")
    assert member.is_active
    ballot = Ballot.objects.get(state="open")
    assert Invoice.objects.filter(organisation=organisation).count() >= 3

    membre = next(login for login in logins if login.username == "membre")
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    assert client.post("/accounts/login/", {"login": membre.email,
                                            "password": membre.password}).status_code == 302
    for path, shown in [("/domains/", "cooperative-demo.test"),
                        ("/dns/", "atelier-demo.test"),
                        (f"/dns/zones/{zone.pk}/", "SOA"),
                        ("/coop/", str(member.number)),
                        ("/coop/ballots/", ballot.title),
                        (f"/coop/ballots/{ballot.pk}/", 'type="radio"'),
                        ("/coop/invoices/", "EUR"),
                        ("/coop/proposals/", "Sobriété"),
                        ("/coop/transparency/", "Used since"),
                        ("/balance/", "EUR")]:
        page = client.get(path)
        assert page.status_code == 200, path
        assert shown in page.content.decode(), path
