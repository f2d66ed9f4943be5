"""A person of organisation A can neither read nor change anything of organisation B through
the portal's pages: every such request answers 404 (never telling whether B's object
exists) and nothing of B changes."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client

from bureau.audit.models import Invitation
from bureau.registrar.accounts.models import Membership, Organisation, Role
from bureau.registrar.contacts.models import Contact
from bureau.registrar.domains.models import Domain, DomainEvent

from .conftest import english_client, make_contact

# Also in the SQLite subset: DATABASE_URL=sqlite:///... pytest -m sqlite tests/web
pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]


def b_objects(org_b: Organisation, domain_b: Domain) -> dict[str, int]:
    return {"domain": domain_b.pk, "contact": make_contact(org_b, "Bob's holder").pk,
            "membership": Membership.objects.get(organisation=org_b).pk}


READS = ["/domains/{domain}/", "/domains/{domain}/delete/", "/contacts/{contact}/"]
WRITES = [
    ("/domains/{domain}/nameservers/", {"nameservers": "ns.evil.example"}),
    ("/domains/{domain}/locks/", {"transfer": ""}),
    ("/domains/{domain}/auth-code/", {}),
    ("/domains/{domain}/renew/", {"period": "1", "accepted_price": "1200"}),
    ("/domains/{domain}/delete/", {"confirm_name": "bravo.test", "understood": "on"}),
    ("/contacts/{contact}/", {"name": "Hijacked", "email": "x@example.org",
                              "phone": "+33.1", "street": "x", "city": "x", "country": "FR"}),
    ("/domains/{domain}/dnssec/", {"ds_records": ""}),
    ("/domains/{domain}/contacts/", {"tech": ""}),
    ("/domains/{domain}/transfer-out/", {"reply": "approve"}),
    ("/domains/{domain}/restore/", {"accepted_price": "4200"}),
    ("/contacts/{contact}/delete/", {}),
    ("/organisation/people/{membership}/", {"role": "read-only"}),
    ("/organisation/people/{membership}/", {"action": "remove"}),
]


def test_reads_of_another_organisation_answer_404(client_a: Client, org_b: Organisation,
                                                  domain_b: Domain) -> None:
    ids = b_objects(org_b, domain_b)
    for url in READS:
        response = client_a.get(url.format(**ids))
        assert response.status_code == 404, url
        assert b"bravo" not in response.content


def test_writes_to_another_organisation_answer_404_and_change_nothing(
        client_a: Client, org_b: Organisation, domain_b: Domain) -> None:
    ids = b_objects(org_b, domain_b)
    before = (list(Domain.objects.filter(pk=domain_b.pk).values()),
              list(Contact.objects.filter(organisation=org_b).values()),
              list(Membership.objects.filter(organisation=org_b).values()),
              DomainEvent.objects.count())
    for url, data in WRITES:
        response = client_a.post(url.format(**ids), data)
        assert response.status_code == 404, url
        assert b"Secret-Code-123" not in response.content
    after = (list(Domain.objects.filter(pk=domain_b.pk).values()),
             list(Contact.objects.filter(organisation=org_b).values()),
             list(Membership.objects.filter(organisation=org_b).values()),
             DomainEvent.objects.count())
    assert after == before


def test_lists_show_only_the_current_organisation(client_a: Client, domain_a: Domain,
                                                  domain_b: Domain) -> None:
    for url in ["/domains/?state=all", "/contacts/", "/balance/", "/organisation/"]:
        response = client_a.get(url)
        assert response.status_code == 200
        assert b"bravo" not in response.content.lower()
        assert b"bob@example.org" not in response.content
    assert b"alpha.test" in client_a.get("/domains/").content


def test_switching_to_an_organisation_one_is_not_in_does_nothing(
        client_a: Client, org_a: Organisation, org_b: Organisation, domain_b: Domain) -> None:
    client_a.post("/organisations/switch/", {"organisation": org_b.pk, "next": "/domains/"})
    response = client_a.get("/domains/")
    assert b"Atelier A" in response.content
    assert b"bravo.test" not in response.content


def test_a_person_in_two_organisations_switches_between_them(
        alice: User, org_a: Organisation, org_b: Organisation, domain_a: Domain,
        domain_b: Domain) -> None:
    Membership.objects.create(user=alice, organisation=org_b, role=Role.READ_ONLY)
    client = english_client()
    client.force_login(alice)
    assert b"alpha.test" in client.get("/domains/").content
    client.post("/organisations/switch/", {"organisation": org_b.pk})
    listing = client.get("/domains/").content
    assert b"bravo.test" in listing and b"alpha.test" not in listing
    # ...and still cannot open A's domain while working in B (404, not a leak across).
    assert client.get(f"/domains/{domain_a.pk}/").status_code == 404


def test_an_invitation_for_someone_else_cannot_be_accepted(
        client_a: Client, org_b: Organisation, bob: User) -> None:
    invitation = Invitation.objects.create(organisation=org_b, email="carol@example.org",
                                           role=Role.ADMIN, invited_by=bob)
    client_a.post(f"/invitations/{invitation.token}/")
    assert not Membership.objects.filter(organisation=org_b, user__email="alice@example.org"
                                         ).exists()


def test_anonymous_visitors_are_sent_to_log_in(domain_a: Domain) -> None:
    client = english_client()
    for url in ["/domains/", f"/domains/{domain_a.pk}/", "/contacts/", "/balance/",
                "/organisation/"]:
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_domain_list_filters_and_sorts_expiring_first(client_a: Client, org_a: Organisation,
                                                      domain_a: Domain) -> None:
    from .conftest import make_domain

    make_domain(org_a, domain_a.tld, "xn--caf-dma.test", days=20)  # café.test, expires soon
    make_domain(org_a, domain_a.tld, "zulu.test", days=400)
    page = client_a.get("/domains/").content.decode()
    assert page.index("café.test") < page.index("alpha.test") < page.index("zulu.test")
    by_name = client_a.get("/domains/", {"sort": "-name"}).content.decode()
    assert by_name.index("zulu.test") < by_name.index("alpha.test")
    found = client_a.get("/domains/", {"q": "café"}).content.decode()
    assert "café.test" in found and "zulu.test" not in found
