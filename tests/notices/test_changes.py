"""The holder hears of each change to a name, once, in the holder's language, text and HTML,
with working links: registered, renewed, transferred in, transferred out, deleted. Sent after
the operation's commit by whichever door made it (here the use-case functions themselves),
read from the loopback SMTP server."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from bureau import epp
from bureau.notices.models import Notice
from bureau.registrar.accounts.models import Organisation
from bureau.registrar.contacts.models import Contact
from bureau.registrar.domains.models import Domain
from bureau.registrar.operations import delete, register, renew, transfer, update
from bureau.registrar.operations.common import Actor
from bureau.registrar.operations.poll import process_poll_queue
from bureau.sandbox.testing import Sandbox

from .conftest import Inbox, Received

pytestmark = pytest.mark.django_db
PORTAL = "https://portal.bureau.test"


@pytest.fixture
def committed(django_capture_on_commit_callbacks: Any) -> Callable[..., Any]:
    """Run an operation as a door does: its commit sends the announcements."""
    def run(operation: Callable[..., Any], **kwargs: Any) -> Any:
        with django_capture_on_commit_callbacks(execute=True):
            return operation(**kwargs)
    return run



def one_change(inbox: Inbox, kind: str) -> Received:
    """The message of ``kind`` to the holder; nothing else was sent to anyone."""
    got = inbox.take()
    assert {r.key.split(":")[0] for r in got} == {kind}, [r.key for r in got]
    assert sorted(r.rcpt[0] for r in got) == ["camille@example.org", "compta@atelier.example"]
    mail = next(r for r in got if r.rcpt == ["camille@example.org"])
    assert mail.language == "fr"
    return mail


def links_work(mail: Received, client: Client) -> None:
    """Every portal link of the text is in the HTML and answers (after logging in)."""
    links = [word for word in mail.text.split() if word.startswith(PORTAL)]
    assert links
    for link in links:
        assert f'href="{link}"' in mail.html
        assert client.get(link.removeprefix(PORTAL)).status_code == 200, link


def test_registration_renewal_and_deletion_are_each_told_once(
        member: Actor, organisation: Organisation, holder: Contact, inbox: Inbox,
        registry_clock: Sandbox, committed: Callable[..., Any]) -> None:
    client = Client()
    client.force_login(member.user)
    domain = committed(register.register, organisation=organisation, actor=member,
                       name="atelier.test", registrant=holder,
                       nameservers=["ns1.atelier-dns.net", "ns2.atelier-dns.net"]).domain
    mail = one_change(inbox, "registered")
    assert "atelier.test" in mail.subject and "est enregistré" in mail.subject
    assert "Atelier Camille" in mail.text and "Atelier Camille" in mail.html
    links_work(mail, client)

    done = committed(renew.renew, domain=domain, actor=member)
    mail = one_change(inbox, "renewed")
    assert done.domain.expires_at is not None
    year = str(done.domain.expires_at.year)
    assert "renouvelé" in mail.subject and year in mail.subject and year in mail.html
    links_work(mail, client)

    committed(delete.delete, domain=Domain.objects.get(pk=domain.pk), actor=member)
    mail = one_change(inbox, "deleted")
    assert "supprimé" in mail.subject
    # Deleted within the add grace period: refunded, and not said to be restorable.
    assert "remboursé" in mail.text or "remis sur votre solde" in mail.text
    assert "restaurer" not in mail.text
    assert Notice.objects.filter(domain=domain).count() == 3


def test_transfers_in_and_out_are_each_told_once(
        member: Actor, organisation: Organisation, holder: Contact, inbox: Inbox,
        registry_clock: Sandbox, rival: epp.Session, committed: Callable[..., Any]) -> None:
    client = Client()
    client.force_login(member.user)
    rival.execute(epp.ContactCreate("rival-h1", [epp.PostalInfo(
        "int", "Rival Holder", epp.Address("Lyon", "FR", ("1 quai",)))], "h@example.org"))
    rival.execute(epp.DomainCreate("arrivee.test", registrant="rival-h1",
                                   auth_info="Code-2-Move!"))
    done = committed(transfer.transfer_in, organisation=organisation, actor=member,
                     name="arrivee.test", auth_info="Code-2-Move!")
    assert inbox.take() == []  # asked, not done yet
    rival.execute(epp.DomainTransfer("approve", "arrivee.test"))
    committed(process_poll_queue, registry=done.domain.registry)
    got = inbox.take()
    assert [r.key.split(":")[0] for r in got] == ["transferred-in"], [r.key for r in got]
    mail = got[0]
    assert "arrivee.test" in mail.subject and "Bureau" in mail.subject
    assert mail.language == "fr"  # a holder Bureau knew nothing of: the site's language
    links_work(mail, client)

    domain = committed(register.register, organisation=organisation, actor=member,
                       name="partant.test", registrant=holder).domain
    inbox.take()
    committed(update.update, domain=domain, actor=member, locks={"transfer": False})
    code = transfer.reveal_auth_info(domain=domain, actor=member)
    rival.execute(epp.DomainTransfer("request", "partant.test", auth_info=code))
    committed(process_poll_queue, registry=domain.registry)
    assert inbox.take() == []
    committed(transfer.approve_transfer_out, domain=Domain.objects.get(pk=domain.pk),
              actor=member)
    mail = one_change(inbox, "transferred-out")
    assert "partant.test" in mail.subject and "a quitté Bureau" in mail.subject
    assert f"{PORTAL}/contact/" in mail.text
    # The registry's own message of the completed transfer, seen later, sends nothing more.
    committed(process_poll_queue, registry=domain.registry)
    assert inbox.take() == []
