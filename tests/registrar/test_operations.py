"""Renew, update, change of holder, delete and restore, transfers in and out, poll and
reconciliation: each against the sandbox registry over real TLS."""

from __future__ import annotations

import pytest

from bureau import epp
from bureau.registrar.accounts.models import Organisation
from bureau.registrar.billing import ledger
from bureau.registrar.billing.models import OrderState
from bureau.registrar.contacts.models import Contact
from bureau.registrar.domains.models import Domain, DomainEvent, DomainState
from bureau.registrar.operations import (
    delete,
    reconcile,
    register,
    registrant,
    renew,
    restore,
    transfer,
    update,
)
from bureau.registrar.operations.common import Actor
from bureau.registrar.operations.errors import (
    ConsentMissing,
    OutcomePending,
    PeriodNotAllowed,
    RegistryRefused,
    StatusProhibits,
)
from bureau.registrar.operations.poll import content_fingerprint, process_poll_queue
from bureau.sandbox.testing import Sandbox

pytestmark = pytest.mark.django_db
START = 100_000


@pytest.fixture
def registered(member: Actor, organisation: Organisation, contact: Contact) -> Domain:
    return register.register(organisation=organisation, actor=member, name="atelier.test",
                             registrant=contact).domain



def test_renew_moves_expiry_and_charges(registered: Domain, member: Actor,
                                        organisation: Organisation) -> None:
    before = registered.expires_at
    assert before is not None
    done = renew.renew(domain=registered, actor=member, period=2)
    assert done.domain.expires_at is not None
    assert done.domain.expires_at.year == before.year + 2
    assert ledger.balance(organisation, "EUR") == START - 1000 - 2000
    with pytest.raises(PeriodNotAllowed):
        renew.renew(domain=registered, actor=member, period=9)


def test_renew_with_lost_answer_is_settled_once(registered: Domain, member: Actor,
                                                organisation: Organisation,
                                                sandbox: Sandbox) -> None:
    before = registered.expires_at
    assert before is not None
    sandbox.faults.drop_after("domain:renew")
    done = renew.renew(domain=registered, actor=member)
    assert done.order is not None and done.order.state == OrderState.COMPLETED
    assert done.domain.expires_at is not None
    assert done.domain.expires_at.year == before.year + 1
    assert ledger.balance(organisation, "EUR") == START - 1000 - 1000


def test_renew_dropped_before_execution_is_refunded(registered: Domain, member: Actor,
                                                    organisation: Organisation,
                                                    sandbox: Sandbox) -> None:
    sandbox.faults.drop_before("domain:renew")
    with pytest.raises(RegistryRefused):
        renew.renew(domain=registered, actor=member)
    assert ledger.balance(organisation, "EUR") == START - 1000
    assert registered.expires_at == Domain.objects.get(pk=registered.pk).expires_at


def test_update_nameservers_and_locks(registered: Domain, member: Actor) -> None:
    assert registered.transfer_prohibited  # on by default
    update.update(domain=registered, actor=member, nameservers=["ns1.exemple.org",
                                                                "ns2.exemple.org"],
                  locks={"delete": True})
    domain = Domain.objects.get(pk=registered.pk)
    assert domain.nameservers == ["ns1.exemple.org", "ns2.exemple.org"]
    report = reconcile.reconcile_domains([domain])
    events = DomainEvent.objects.filter(domain=domain, operation="reconcile")
    assert report.drifted == [], [e.detail for e in events]
    with pytest.raises(StatusProhibits):
        delete.delete(domain=domain, actor=member)


def test_change_of_holder_needs_consent_and_locks_transfers(
    registered: Domain, member: Actor, organisation: Organisation
) -> None:
    new_holder = Contact.objects.create(
        organisation=organisation, name="Coop Lumière", email="coop@example.org",
        phone="+32.21234567", street="Rue Haute 1", city="Bruxelles", country="BE")
    with pytest.raises(ConsentMissing) as error:
        registrant.change_registrant(domain=registered, actor=member,
                                     new_registrant=new_holder, old_holder_consent=True,
                                     new_holder_consent=False)
    assert error.value.field == "new_holder_consent"
    done = registrant.change_registrant(domain=registered, actor=member,
                                        new_registrant=new_holder, old_holder_consent=True,
                                        new_holder_consent=True)
    assert done.domain.registrant == new_holder
    assert done.domain.transfer_locked_until is not None
    with pytest.raises(StatusProhibits):
        update.update(domain=done.domain, actor=member, locks={"transfer": False})


def test_delete_then_restore_after_expiry(registered: Domain, member: Actor,
                                          organisation: Organisation,
                                          sandbox: Sandbox) -> None:
    sandbox.clock.advance(days=30)  # past the add grace period: deletion goes to redemption
    done = delete.delete(domain=registered, actor=member)
    assert done.domain.state == DomainState.REDEMPTION
    done = restore.restore(domain=done.domain, actor=member)
    assert done.domain.state == DomainState.ACTIVE
    assert ledger.balance(organisation, "EUR") == START - 1000 - 4200
    ops = list(DomainEvent.objects.filter(domain=registered).values_list("operation",
                                                                          flat=True))
    assert ops == ["create", "update", "delete", "restore", "restore"]


def test_transfer_in_completes_when_the_losing_registrar_approves(
    member: Actor, organisation: Organisation, rival: epp.Session, sandbox_registry: object
) -> None:
    rival_handle = "rival-h1"
    rival.execute(epp.ContactCreate(rival_handle, [epp.PostalInfo(
        "int", "Rival Holder", epp.Address("Lyon", "FR", ("1 quai",)))], "h@example.org"))
    rival.execute(epp.DomainCreate("partant.test", registrant=rival_handle,
                                   auth_info="Code-2-Move!"))
    done = transfer.transfer_in(organisation=organisation, actor=member, name="partant.test",
                                auth_info="Code-2-Move!")
    assert done.domain.state == DomainState.PENDING_TRANSFER_IN
    assert ledger.balance(organisation, "EUR") == START - 1000  # charged, pending
    rival.execute(epp.DomainTransfer("approve", "partant.test"))
    process_poll_queue(done.domain.registry)
    domain = Domain.objects.get(pk=done.domain.pk)
    assert domain.state == DomainState.ACTIVE
    assert domain.orders.get().state == OrderState.COMPLETED
    # The poll message is acknowledged: polling again applies nothing twice.
    assert process_poll_queue(domain.registry) == 0


def test_transfer_in_rejected_is_credited_back(
    member: Actor, organisation: Organisation, rival: epp.Session, sandbox_registry: object
) -> None:
    rival.execute(epp.ContactCreate("rival-h2", [epp.PostalInfo(
        "int", "Rival Holder", epp.Address("Lyon", "FR", ("1 quai",)))], "h@example.org"))
    rival.execute(epp.DomainCreate("reste.test", registrant="rival-h2", auth_info="Code-2-Stay!"))
    done = transfer.transfer_in(organisation=organisation, actor=member, name="reste.test",
                                auth_info="Code-2-Stay!")
    rival.execute(epp.DomainTransfer("reject", "reste.test"))
    process_poll_queue(done.domain.registry)
    assert Domain.objects.get(pk=done.domain.pk).state == DomainState.DELETED
    assert ledger.balance(organisation, "EUR") == START


def test_transfer_out_approved(registered: Domain, member: Actor, rival: epp.Session) -> None:
    update.update(domain=registered, actor=member, locks={"transfer": False})
    code = transfer.reveal_auth_info(domain=registered, actor=member)
    assert DomainEvent.objects.filter(domain=registered, operation="auth-info-reveal").exists()
    rival.execute(epp.DomainTransfer("request", "atelier.test", auth_info=code))
    process_poll_queue(registered.registry)
    domain = Domain.objects.get(pk=registered.pk)
    assert domain.state == DomainState.PENDING_TRANSFER_OUT
    transfer.approve_transfer_out(domain=domain, actor=member)
    assert Domain.objects.get(pk=registered.pk).state == DomainState.TRANSFERRED_OUT


def test_reconciliation_finds_and_fixes_drift(registered: Domain, sandbox: Sandbox) -> None:
    sandbox.operator.set_server_status("atelier.test", add=["serverHold"])
    report = reconcile.reconcile_domains()
    assert report.drifted == ["atelier.test"]
    assert "serverHold" in Domain.objects.get(pk=registered.pk).statuses
    assert DomainEvent.objects.filter(domain=registered, operation="reconcile").exists()


@pytest.mark.parametrize(("fault", "happened"), [("drop_after", True), ("drop_before", False)])
def test_unknown_renew_is_settled_by_the_reconciliation(
    registered: Domain, member: Actor, organisation: Organisation, sandbox: Sandbox,
    fault: str, happened: bool
) -> None:
    before = registered.expires_at
    assert before is not None
    sandbox.faults.add(fault, "domain:renew")
    sandbox.faults.drop_before("domain:info")  # and the info that would settle it at once
    with pytest.raises(OutcomePending):
        renew.renew(domain=registered, actor=member)
    order = registered.orders.get(operation="renew")
    assert order.state == OrderState.UNKNOWN
    assert ledger.balance(organisation, "EUR") == START - 1000 - 1000  # reserved, not lost

    report = reconcile.settle_unknown_orders()
    assert report.settled == ["atelier.test"]
    order.refresh_from_db()
    domain = Domain.objects.get(pk=registered.pk)
    assert domain.expires_at is not None
    if happened:
        assert order.state == OrderState.COMPLETED
        assert domain.expires_at.year == before.year + 1
        assert ledger.balance(organisation, "EUR") == START - 1000 - 1000
    else:
        assert order.state == OrderState.FAILED
        assert domain.expires_at.year == before.year
        assert ledger.balance(organisation, "EUR") == START - 1000
    assert reconcile.settle_unknown_orders().checked == 0  # nothing left open


def test_in_zone_name_servers_need_their_addresses(registered: Domain, member: Actor,
                                                   organisation: Organisation) -> None:
    from bureau.registrar.operations.errors import InvalidName
    from bureau.registrar.operations.hosts import create_host

    with pytest.raises(InvalidName) as error:
        update.update(domain=registered, actor=member, nameservers=["ns1.atelier.test"])
    assert error.value.field == "nameservers" and "IP" in str(error.value)
    create_host(registered.registry, organisation, "ns1.atelier.test", ["192.0.2.53"],
                superordinate=registered)
    update.update(domain=registered, actor=member, nameservers=["ns1.atelier.test"])
    assert Domain.objects.get(pk=registered.pk).nameservers == ["ns1.atelier.test"]


def test_a_changed_contact_reaches_the_registry(registered: Domain, contact: Contact,
                                                sandbox: Sandbox) -> None:
    from bureau.registrar.operations.handles import sync_contact

    contact.email = "nouvelle@example.org"
    contact.save()
    assert sync_contact(contact) == []
    handle = contact.handle_at(registered.registry)
    assert handle is not None
    account = sandbox.registrars["bureau"]
    config = epp.ClientConfig(host=sandbox.host, port=sandbox.port, client_id=account.clid,
                              password=account.password, cafile=str(sandbox.ca_file),
                              certfile=str(account.cert_file), keyfile=str(account.key_file))
    with epp.Session(config) as session:
        assert session.execute(epp.ContactInfo(handle)).data.email == "nouvelle@example.org"


def test_delete_within_add_grace_refunds_the_registration(
    registered: Domain, member: Actor, organisation: Organisation
) -> None:
    assert ledger.balance(organisation, "EUR") == START - 1000
    done = delete.delete(domain=registered, actor=member)
    assert done.domain.state == DomainState.DELETED
    assert ledger.balance(organisation, "EUR") == START
    assert registered.orders.get(operation="create").state == OrderState.REFUNDED
    assert ledger.verify_balances() == []


def test_a_message_seen_again_after_a_lost_ack_is_not_applied_twice(
    registered: Domain, member: Actor, rival: epp.Session
) -> None:
    from bureau.registrar.registries import connection
    from bureau.registrar.registries.models import PollMessage

    update.update(domain=registered, actor=member, locks={"transfer": False})
    rival.execute(epp.DomainTransfer("request", "atelier.test", auth_info=registered.auth_info))
    registry = registered.registry
    waiting = epp.PollMessage.from_response(connection.execute(registry, epp.PollRequest()))
    assert waiting is not None
    # As if Bureau had stored and applied it, then lost the acknowledgement.
    PollMessage.objects.create(registry=registry, msg_id=waiting.id, text="applied before",
                               fingerprint=content_fingerprint(waiting))
    assert process_poll_queue(registry) == 0
    assert Domain.objects.get(pk=registered.pk).state == DomainState.ACTIVE  # not re-applied
    assert PollMessage.objects.get(msg_id=waiting.id).acked_at is not None
    assert epp.PollMessage.from_response(
        connection.execute(registry, epp.PollRequest())) is None  # acknowledged this time
