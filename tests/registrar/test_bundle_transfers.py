"""The names of a registration (RFC 9095) whatever way it arrived: a transfer in asked for by
the RDN or by a variant completes with the bundle, holder and contacts recorded; each bundled
name reaches the registration; poll messages under an id seen before are not lost."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from rest_framework.test import APIClient

from bureau import epp
from bureau.epp.contact import DISCLOSE_FIELDS
from bureau.registrar.accounts.models import Organisation
from bureau.registrar.billing import ledger
from bureau.registrar.billing.models import OrderState
from bureau.registrar.contacts.models import Contact
from bureau.registrar.domains.models import Domain, DomainState, Operation, live_domain
from bureau.registrar.operations import reconcile, transfer
from bureau.registrar.operations.common import Actor, send
from bureau.registrar.operations.errors import NotAvailable
from bureau.registrar.operations.poll import process_poll_queue
from bureau.registrar.registries import connection
from bureau.registrar.registries.models import PollMessage
from bureau.sandbox import poll, store
from bureau.sandbox.testing import Sandbox

pytestmark = pytest.mark.django_db
START = 100_000



def rival_bundle(rival: epp.Session, name: str, code: str, *, withhold: bool = False) -> None:
    """The losing registrar's name, holder and contacts; ``withhold``: its contact's data is
    kept from other registrars (disclose flag 0 on every field)."""
    rival.execute(epp.ContactCreate("rival-holder", [epp.PostalInfo(
        "loc", "Collectif Rival", epp.Address("Lyon", "FR", ("1 quai du Rhône",)))],
        "collectif@example.org", voice=epp.Phone("+33.472000000"),
        disclose=epp.Disclose(False, frozenset(DISCLOSE_FIELDS)) if withhold else None))
    rival.execute(epp.DomainCreate(name, registrant="rival-holder", auth_info=code,
                                   contacts=[epp.DomainContact("admin", "rival-holder"),
                                             epp.DomainContact("tech", "rival-holder")],
                                   bundle=epp.BundleCreate()))


@pytest.mark.parametrize(("asked", "rdn", "variants"), [
    ("愛國.测试", "愛國.测试", {"爱国.测试"}),       # by the RDN
    ("爱国.测试", "愛國.测试", {"爱国.测试"}),       # by its variant
    ("entraide.ong", "entraide.ngo", {"entraide.ong"}),
])
def test_a_transfer_in_completes_with_the_bundle_holder_and_contacts(
        member: Actor, organisation: Organisation, rival: epp.Session, asked: str, rdn: str,
        variants: set[str]) -> None:
    rival_bundle(rival, rdn, "Code-2-Move!")
    done = transfer.transfer_in(organisation=organisation, actor=member, name=asked,
                                auth_info="Code-2-Move!")
    assert done.domain.u_label == rdn  # named after the RDN, as the registry's messages are
    rival.execute(epp.DomainTransfer("approve", rdn))
    process_poll_queue(done.domain.registry)
    domain = Domain.objects.get(pk=done.domain.pk)
    assert domain.state == DomainState.ACTIVE
    assert domain.orders.get().state == OrderState.COMPLETED
    assert set(domain.u_labels) == {rdn, *variants}
    assert domain.registrant is not None and domain.registrant.name == "Collectif Rival"
    assert domain.registrant.organisation == organisation
    assert domain.admin_contact == domain.registrant and domain.tech_contact is not None
    assert_named_with_bureaus_handles(domain)
    # Every name of the bundle reaches the registration, and none can be taken in again.
    for name in domain.names:
        assert live_domain(name) == domain
        with pytest.raises(NotAvailable):
            transfer.transfer_in(organisation=organisation, actor=member, name=name,
                                 auth_info="Code-2-Move!")
    # The reconciliation finds Bureau's bundle the same as the registry's.
    assert reconcile.reconcile_domains([domain]).drifted == []


def assert_named_with_bureaus_handles(domain: Domain) -> None:
    """At the registry the domain names contacts Bureau sponsors, the ones of its row."""
    registry = domain.registry
    info = send(registry, epp.DomainInfo(domain.name)).response
    assert info is not None and isinstance(info.data, epp.DomainInfoData)
    assert info.data.registrant == domain.registrant.handle_at(registry)
    for kind in ("admin", "tech"):
        held = [c.id for c in info.data.contacts if c.type == kind]
        assert held == [getattr(domain, f"{kind}_contact").handle_at(registry)], kind
    for handle in {info.data.registrant, *(c.id for c in info.data.contacts)}:
        contact = send(registry, epp.ContactInfo(handle)).response
        assert contact is not None and contact.data.sponsor == registry.client_id


def test_contacts_withheld_by_the_losing_registrar_are_the_holder_the_member_named(
        user: Any, member: Actor, organisation: Organisation, contact: Contact,
        rival: epp.Session) -> None:
    """Through the API: the request names the holder at Bureau; the losing registrar
    withholds its contact's data; the completed name has that holder and contacts, at Bureau
    and at the registry."""
    rival_bundle(rival, "discret.ngo", "Code-2-Move!", withhold=True)
    api = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    api.force_authenticate(user)
    response = api.post("/api/v1/transfers/", {"name": "discret.ong", "auth_code":
                                               "Code-2-Move!", "holder": contact.pk},
                        format="json")
    assert response.status_code == 202, response.content
    rival.execute(epp.DomainTransfer("approve", "discret.ngo"))
    domain = Domain.objects.get(name="discret.ngo")
    process_poll_queue(domain.registry)
    domain.refresh_from_db()
    assert domain.state == DomainState.ACTIVE and domain.names == ["discret.ngo", "discret.ong"]
    assert domain.registrant == contact
    assert domain.admin_contact == contact and domain.tech_contact == contact
    assert_named_with_bureaus_handles(domain)
    # Nothing of the hidden data was invented: no contact copied from "not disclosed".
    assert list(Contact.objects.filter(organisation=organisation)) == [contact]


def taken_in_withheld(rival: epp.Session, organisation: Organisation, name: str) -> Domain:
    """A name taken in through the CLI, no holder named, its registrar withholding all."""
    rival_bundle(rival, name, "Code-2-Move!", withhold=True)
    call_command("domain", "transfer-in", name, "--org", organisation.slug,
                 "--code", "Code-2-Move!", stdout=io.StringIO())
    rival.execute(epp.DomainTransfer("approve", name))
    domain = Domain.objects.get(name=name)
    process_poll_queue(domain.registry)
    domain.refresh_from_db()
    return domain


def test_withheld_contacts_and_no_holder_named_ask_the_member_to_name_it(
        user: Any, member: Actor, organisation: Organisation, contact: Contact,
        rival: epp.Session) -> None:
    domain = taken_in_withheld(rival, organisation, "secret.test")
    assert domain.state == DomainState.ACTIVE and domain.registrant is None
    assert domain.admin_contact is None and domain.tech_contact is None
    entry = domain.events.filter(operation=Operation.RECONCILE).latest("pk")
    assert "withheld by the losing registrar" in entry.message
    assert "registrant" in entry.detail["withheld"]
    api = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    api.force_authenticate(user)
    answer = api.get("/api/v1/domains/secret.test/")
    assert answer.status_code == 200 and answer.json()["registrant"] is None
    # The portal asks the member to name the holder, and naming it is not a change of holder:
    # only the holder's consent, no transfer lock; the withheld contacts become the holder.
    browser = Client(HTTP_ACCEPT_LANGUAGE="en")
    browser.force_login(user)
    page = browser.get(f"/domains/{domain.pk}/").content.decode()
    assert 'id="holder-missing"' in page and "Name the holder" in page
    named = browser.post(f"/domains/{domain.pk}/holder/", {"new_registrant": contact.pk,
                                                           "new_holder_consent": "on"})
    assert named.status_code == 302, named.content.decode()[-2000:]
    domain.refresh_from_db()
    assert domain.registrant == contact == domain.admin_contact == domain.tech_contact
    assert domain.transfer_locked_until is None
    assert_named_with_bureaus_handles(domain)
    assert 'id="holder-missing"' not in browser.get(f"/domains/{domain.pk}/").content.decode()


def test_the_api_and_the_cli_name_a_holder_left_unknown(
        user: Any, member: Actor, organisation: Organisation, contact: Contact,
        rival: epp.Session) -> None:
    api = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    api.force_authenticate(user)
    first = taken_in_withheld(rival, organisation, "cache.test")
    refused = api.post("/api/v1/domains/cache.test/holder/", {"registrant": contact.pk},
                       format="json")
    assert refused.status_code == 422 and "new holder has not agreed" in refused.json()["detail"]
    named = api.post("/api/v1/domains/cache.test/holder/", {
        "registrant": contact.pk, "new_holder_consent": True}, format="json")
    assert named.status_code == 200, named.content
    first.refresh_from_db()
    assert first.registrant == contact and first.transfer_locked_until is None
    assert_named_with_bureaus_handles(first)
    rival.execute(epp.ContactDelete("rival-holder"))
    second = taken_in_withheld(rival, organisation, "voile.test")
    call_command("domain", "holder", "voile.test", "--holder", str(contact.pk),
                 "--new-holder-agrees", stdout=io.StringIO())
    second.refresh_from_db()
    assert second.registrant == contact == second.admin_contact
    assert_named_with_bureaus_handles(second)


def test_the_cli_and_the_portal_take_the_holder_with_the_request(
        user: Any, member: Actor, organisation: Organisation, contact: Contact,
        rival: epp.Session) -> None:
    rival_bundle(rival, "tenu.test", "Code-2-Move!", withhold=True)
    call_command("domain", "transfer-in", "tenu.test", "--org", organisation.slug,
                 "--code", "Code-2-Move!", "--holder", str(contact.pk), stdout=io.StringIO())
    assert Domain.objects.get(name="tenu.test").registrant == contact
    browser = Client(HTTP_ACCEPT_LANGUAGE="en")
    browser.force_login(user)
    page = browser.get("/transfer/", {"name": "autre.test"}).content.decode()
    assert 'name="holder"' in page and contact.name in page


def test_the_portal_and_the_cli_take_a_bundle_in_by_its_variant(
        user: Any, member: Actor, organisation: Organisation, rival: epp.Session) -> None:
    """Asked for by a variant at the portal (爱国.测试) and at the CLI (entraide.ong): each
    completes named after its RDN, with its bundle, holder and contacts."""
    rival_bundle(rival, "愛國.测试", "Code-2-Move!")
    browser = Client(HTTP_ACCEPT_LANGUAGE="en")
    browser.force_login(user)
    page = browser.get("/transfer/", {"name": "爱国.测试"}).content.decode()
    price = int(page.split('name="accepted_price" value="', 1)[1].split('"', 1)[0])
    asked = browser.post("/transfer/", {"name": "爱国.测试", "auth_code": "Code-2-Move!",
                                        "accepted_price": price})
    assert asked.status_code == 302, asked.content.decode()[-2000:]
    rival.execute(epp.DomainTransfer("approve", "愛國.测试"))
    registry = Domain.objects.get().registry
    process_poll_queue(registry)
    first = Domain.objects.get()
    assert first.state == DomainState.ACTIVE and set(first.u_labels) == {"愛國.测试", "爱国.测试"}
    assert first.registrant is not None and first.registrant.name == "Collectif Rival"
    assert first.orders.get().state == OrderState.COMPLETED
    assert_named_with_bureaus_handles(first)
    rival.execute(epp.ContactDelete("rival-holder"))
    rival_bundle(rival, "entraide.ngo", "Code-2-Move!")
    out = io.StringIO()
    call_command("domain", "transfer-in", "entraide.ong", "--org", organisation.slug,
                 "--code", "Code-2-Move!", stdout=out)
    assert out.getvalue().startswith("entraide.ngo")
    rival.execute(epp.DomainTransfer("approve", "entraide.ngo"))
    process_poll_queue(registry)
    second = Domain.objects.get(name="entraide.ngo")
    assert second.state == DomainState.ACTIVE and second.names == ["entraide.ngo",
                                                                   "entraide.ong"]
    assert second.registrant is not None and second.tech_contact is not None
    info = io.StringIO()
    call_command("domain", "info", "entraide.ong", stdout=info)
    assert "entraide.ngo" in info.getvalue() and "entraide.ong" in info.getvalue()


def test_the_reconciliation_records_a_bundle_bureau_did_not_know(
        member: Actor, organisation: Organisation, rival: epp.Session) -> None:
    rival_bundle(rival, "commun.ngo", "Code-2-Move!")
    done = transfer.transfer_in(organisation=organisation, actor=member, name="commun.ngo",
                                auth_info="Code-2-Move!")
    rival.execute(epp.DomainTransfer("approve", "commun.ngo"))
    process_poll_queue(done.domain.registry)
    domain = Domain.objects.get(pk=done.domain.pk)
    domain.bundled_names.all().delete()  # as a row stored before bundles were recorded
    report = reconcile.reconcile_domains([domain])
    assert report.drifted == ["commun.ngo"]
    assert Domain.objects.get(pk=domain.pk).names == ["commun.ngo", "commun.ong"]


def test_a_message_under_an_id_seen_before_is_applied(
        member: Actor, organisation: Organisation, rival: epp.Session) -> None:
    """A registry that gives an id again to another message: Bureau applies it."""
    rival_bundle(rival, "partage.test", "Code-2-Move!")
    done = transfer.transfer_in(organisation=organisation, actor=member, name="partage.test",
                                auth_info="Code-2-Move!")
    registry = done.domain.registry
    process_poll_queue(registry)  # the request's own message
    rival.execute(epp.DomainTransfer("approve", "partage.test"))
    message = epp.PollMessage.from_response(connection.execute(registry, epp.PollRequest()))
    assert message is not None
    # The same id already stored for another message (a reused id, as some queues do).
    PollMessage.objects.create(registry=registry, msg_id=message.id, text="an older message",
                               fingerprint="0" * 64)
    assert process_poll_queue(registry) == 1
    assert Domain.objects.get(pk=done.domain.pk).state == DomainState.ACTIVE
    assert ledger.balance(organisation, "EUR") < START


def test_the_sandbox_never_reuses_a_message_id(sandbox: Sandbox, rival: epp.Session) -> None:
    """An acknowledged (deleted) message's id is never given to the next one."""
    conn = store.connect(sandbox.db_path)
    ids = []
    for text in ("first", "second", "third"):
        poll.enqueue(conn, "rival", 0, text)
        message = epp.PollMessage.from_response(rival.execute(epp.PollRequest()))
        assert message is not None and message.message == text
        ids.append(message.id)
        rival.execute(epp.PollAck(message.id))
    assert len(set(ids)) == 3
