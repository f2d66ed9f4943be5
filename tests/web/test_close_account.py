"""GDPR article 17: a person closes their account from the portal, through the one operation
(bureau.audit.closure). Names still held by an organisation they alone own come first: the
page lists them with what to do, and closing is refused until they are gone; the page says
what is kept and why."""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.models import User
from django.test import Client

from bureau.audit.models import EventKind, SecurityEvent
from bureau.registrar.accounts.models import Membership, Organisation, Role
from bureau.registrar.billing import ledger
from bureau.registrar.domains.models import Domain, DomainState

from .conftest import PASSWORD, client_for

pytestmark = [pytest.mark.django_db]


def test_names_held_alone_come_first(alice: User, org_a: Organisation,
                                     domain_a: Domain) -> None:
    client = client_for(alice)
    assert 'href="/account/close/"' in client.get("/account/").content.decode()
    page = client.get("/account/close/").content.decode()
    blockers = page.split('id="close-blockers"', 1)[1].split("</div>", 1)[0]
    assert f'href="/domains/{domain_a.pk}/"' in blockers and "alpha.test" in blockers
    assert "transfer code" in blockers and "goodbye" in blockers
    kept = page.split('id="close-kept"', 1)[1]
    assert "10 years" in kept and "security log" in kept
    assert 'name="typed_email"' not in page  # nothing to submit yet
    response = client.post("/account/close/", {"typed_email": alice.email})
    assert "cannot be closed yet" in response.content.decode()
    alice.refresh_from_db()
    assert alice.is_active and alice.email == "alice@example.org"

    # Money left on the balance is the other thing to settle.
    Domain.objects.filter(pk=domain_a.pk).update(state=DomainState.TRANSFERRED_OUT)
    ledger.top_up(org_a, 1234, "EUR", memo="left over")
    page = client.get("/account/close/").content.decode()
    assert "12.34 EUR" in page and 'href="/contact/"' in page


def test_closing_erases_the_person_and_keeps_the_log(alice: User, bob: User,
                                                      org_a: Organisation,
                                                      domain_a: Domain) -> None:
    # Bob also owns Atelier A: its names have someone to look after them.
    Membership.objects.create(user=bob, organisation=org_a, role=Role.OWNER)
    client = client_for(alice)
    response = client.post("/account/close/", {"typed_email": "someone@else.org"})
    assert "Type your account" in response.content.decode()
    assert User.objects.get(pk=alice.pk).is_active

    response = client.post("/account/close/", {"typed_email": " Alice@Example.org "})
    assert response.status_code == 302 and response["Location"] == "/"
    alice.refresh_from_db()
    assert not alice.is_active and alice.email == "" and not alice.has_usable_password()
    assert not EmailAddress.objects.filter(user=alice).exists()
    assert not Membership.objects.filter(user=alice).exists()
    assert org_a.role_of(bob) == Role.OWNER
    assert SecurityEvent.objects.filter(user=alice, kind=EventKind.ACCOUNT_CLOSED).exists()
    # Logged out, and the password no longer opens anything.
    assert client.get("/domains/").status_code == 302
    login = Client().post("/accounts/login/", {"login": "alice@example.org",
                                               "password": PASSWORD})
    assert login.status_code == 200  # the form again, with its error


def test_an_old_session_must_authenticate_again(alice: User, org_a: Organisation) -> None:
    response = client_for(alice, ago=3600).post("/account/close/",
                                                {"typed_email": alice.email})
    assert response.status_code == 302 and "/accounts/reauthenticate/" in response["Location"]
    assert User.objects.get(pk=alice.pk).is_active
