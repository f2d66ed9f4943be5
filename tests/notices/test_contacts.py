"""Contact accuracy: a verification link on creation and on change (valid, expired, reused,
tampered), the 15-day flag with the warn and suspend policies, the yearly confirmation."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client

from bureau import epp
from bureau.core import clock
from bureau.notices.contacts import (
    LinkError,
    confirm_data,
    contact_warnings,
    flag_unverified,
    flagged_domains,
    resend_verification,
    send_yearly_checks,
    verify_email,
)
from bureau.notices.models import ContactProfile
from bureau.registrar.accounts.models import Organisation
from bureau.registrar.contacts.models import Contact
from bureau.registrar.domains.models import Domain
from bureau.registrar.registries import connection
from bureau.sandbox.testing import Sandbox

from .conftest import Inbox, Received
from .test_lifecycle import jump_to

pytestmark = pytest.mark.django_db
LINK = re.compile(r"https://portal\.bureau\.test(/notices/(?:verify|confirm)/[^/\s]+/)")


def link_in(mail: Received) -> str:
    match = LINK.search(mail.text)
    assert match, mail.text
    return match.group(1)


def token_of(path: str) -> str:
    return path.rstrip("/").rsplit("/", 1)[1]


def new_contact(organisation: Organisation, email: str = "sacha@example.org") -> Contact:
    return Contact.objects.create(
        organisation=organisation, name="Sacha Petit", email=email, phone="+33 6 12 34 56 78",
        street="3 place du Marché", city="Lyon", postal_code="69001", country="FR")


def test_a_new_contact_verifies_its_address_once_by_link(
        organisation: Organisation, inbox: Inbox, django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        contact = new_contact(organisation)
    assert contact.phone == "+33.612345678"  # E.164 through the contacts' own validators
    [mail] = inbox.take_kind("verify-email:")
    assert mail.rcpt == ["sacha@example.org"] and mail.html and mail.language == "fr"
    path = link_in(mail)
    client = Client()
    page = client.get(path)  # a mail scanner opening the link does not use it up
    assert page.status_code == 200 and b"<form" in page.content
    assert "sacha@example.org" in page.content.decode()  # the address it confirms, named
    contact.refresh_from_db()
    assert contact.verified_at is None
    assert client.post(path).status_code == 200
    contact.refresh_from_db()
    assert contact.verified_at is not None
    reused = client.post(path)
    assert reused.status_code == 400
    assert "already used" in reused.content.decode() or "déjà servi" in reused.content.decode()


def test_an_address_a_member_confirmed_for_their_account_is_not_confirmed_again(
        organisation: Organisation, inbox: Inbox, django_capture_on_commit_callbacks: Any) -> None:
    """The person signed up with sacha@example.org and confirmed it: the holder they create
    with that address is verified at once, with no second email; another address (or the
    same one confirmed by someone outside the organisation) still gets its link."""
    from allauth.account.models import EmailAddress
    from django.contrib.auth.models import User

    from bureau.registrar.accounts.models import Membership, Role

    sacha = User.objects.create(username="sacha", email="Sacha@Example.org")
    Membership.objects.create(user=sacha, organisation=organisation, role=Role.ADMIN)
    EmailAddress.objects.create(user=sacha, email="Sacha@Example.org", verified=True,
                                primary=True)
    outsider = User.objects.create(username="other", email="other@example.org")
    EmailAddress.objects.create(user=outsider, email="other@example.org", verified=True)
    with django_capture_on_commit_callbacks(execute=True):
        contact = new_contact(organisation)
    assert inbox.take_kind("verify-email:") == []
    contact.refresh_from_db()
    assert contact.verified_at is not None
    assert ContactProfile.objects.get(contact=contact).email_verified
    assert not any("not verified" in w for w in contact_warnings(organisation))

    with django_capture_on_commit_callbacks(execute=True):
        contact.email = "other@example.org"
        contact.save()
    [mail] = inbox.take_kind("verify-email:")
    assert mail.rcpt == ["other@example.org"]
    contact.refresh_from_db()
    assert contact.verified_at is None


def test_a_changed_address_is_verified_again_and_old_links_die(
        organisation: Organisation, inbox: Inbox, django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        contact = new_contact(organisation)
    old = token_of(link_in(inbox.take_kind("verify-email:")[0]))
    verify_email(old)
    with django_capture_on_commit_callbacks(execute=True):
        contact.email = "sacha.petit@example.net"
        contact.save()
    contact.refresh_from_db()
    assert contact.verified_at is None
    [mail] = inbox.take_kind("verify-email:")
    assert mail.rcpt == ["sacha.petit@example.net"]
    with pytest.raises(LinkError):
        verify_email(old)
    assert any("not verified" in w for w in contact_warnings(organisation))
    verify_email(token_of(link_in(mail)))
    assert ContactProfile.objects.get(contact=contact).email_verified


def test_expired_and_tampered_links_are_refused(
        organisation: Organisation, inbox: Inbox, django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        new_contact(organisation)
    token = token_of(link_in(inbox.take_kind("verify-email:")[0]))
    with pytest.raises(LinkError, match="not valid"):
        verify_email(token[:-2] + ("AA" if not token.endswith("AA") else "BB"))
    later = clock.now() + timedelta(days=16)
    with clock.use(lambda: later), pytest.raises(LinkError, match="expired"):
        verify_email(token)


def registry_statuses(domain: Domain) -> set[str]:
    response = connection.execute(domain.registry, epp.DomainInfo(domain.name))
    return set(response.data.status_values)


def test_unverified_holder_is_flagged_after_15_days_warn_only(
        domain: Domain, registry_clock: Sandbox, inbox: Inbox) -> None:
    flag_unverified()
    [mail] = inbox.take_kind("verify-email:")
    assert mail.rcpt == ["camille@example.org"] and mail.language == "fr"
    jump_to(registry_clock, clock.now() + timedelta(days=14))
    assert flag_unverified() == []
    jump_to(registry_clock, clock.now() + timedelta(days=2))
    assert [p.contact for p in flag_unverified()] == [domain.registrant]
    assert list(flagged_domains()) == [domain]
    told = inbox.take_kind("contact-flagged:")
    assert {r.rcpt[0] for r in told} == {"camille@example.org"}
    assert "atelier.test" in told[0].text and told[0].subject.startswith("Urgent")
    assert "clientHold" not in registry_statuses(domain)


def test_suspend_policy_holds_the_name_until_verified(
        domain: Domain, registry_clock: Sandbox, inbox: Inbox, settings: Any) -> None:
    settings.BUREAU_NOTICES_CONTACT_POLICY = "suspend"
    flag_unverified()
    [mail] = inbox.take_kind("verify-email:")
    jump_to(registry_clock, clock.now() + timedelta(days=16))
    flag_unverified()
    assert "clientHold" in registry_statuses(domain)
    with pytest.raises(LinkError, match="expired"):
        verify_email(token_of(link_in(mail)))
    assert domain.registrant is not None
    resend_verification(domain.registrant)
    [again] = inbox.take_kind("verify-email:")
    verify_email(token_of(link_in(again)))
    assert "clientHold" not in registry_statuses(domain)
    assert list(flagged_domains()) == []


def test_yearly_check_with_one_click_confirmation(
        domain: Domain, registry_clock: Sandbox, inbox: Inbox) -> None:
    assert send_yearly_checks() == []
    jump_to(registry_clock, clock.now() + timedelta(days=366))
    assert len(send_yearly_checks()) == 1
    [mail] = inbox.take_kind("yearly-check:")
    assert mail.rcpt == ["camille@example.org"]
    assert "atelier.test" in mail.text and "1 rue de la Paix" in mail.text
    assert "Vos coordonnées sont-elles toujours exactes" in mail.subject
    path = link_in(mail)
    assert Client().post(path).status_code == 200
    assert ContactProfile.objects.get(contact=domain.registrant).confirmed_at == clock.now() \
        or ContactProfile.objects.get(contact=domain.registrant).confirmed_at is not None
    assert send_yearly_checks() == []
    with pytest.raises(LinkError):
        confirm_data("not-a-token")


def test_operator_lists_flagged_names(domain: Domain, registry_clock: Sandbox,
                                      inbox: Inbox) -> None:
    from io import StringIO

    from django.core.management import call_command

    flag_unverified()
    jump_to(registry_clock, clock.now() + timedelta(days=16))
    flag_unverified()
    out = StringIO()
    call_command("notices_flagged", stdout=out)
    assert "atelier.test\tcamille@example.org" in out.getvalue()
