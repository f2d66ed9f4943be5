"""The names of a registration (RFC 9095) whatever way it arrived: a transfer in asked for by
the RDN or by a variant completes with the bundle, holder and contacts recorded; each bundled
name reaches the registration; poll messages under an id seen before are not lost."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bureau import epp
from bureau.registrar.accounts.models import Organisation
from bureau.registrar.billing import ledger
from bureau.registrar.billing.models import OrderState
from bureau.registrar.domains.models import Domain, DomainState, live_domain
from bureau.registrar.operations import reconcile, transfer
from bureau.registrar.operations.common import Actor
from bureau.registrar.operations.errors import NotAvailable
from bureau.registrar.operations.poll import process_poll_queue
from bureau.registrar.registries import connection
from bureau.registrar.registries.models import PollMessage
from bureau.sandbox import poll, store
from bureau.sandbox.testing import Sandbox

pytestmark = pytest.mark.django_db
START = 100_000


@pytest.fixture
def rival(sandbox: Sandbox) -> Iterator[epp.Session]:
    account = sandbox.registrars["rival"]
    config = epp.ClientConfig(host=sandbox.host, port=sandbox.port, client_id=account.clid,
                              password=account.password, cafile=str(sandbox.ca_file),
                              certfile=str(account.cert_file), keyfile=str(account.key_file))
    with epp.Session(config) as session:
        yield session


def rival_bundle(rival: epp.Session, name: str, code: str) -> None:
    rival.execute(epp.ContactCreate("rival-holder", [epp.PostalInfo(
        "loc", "Collectif Rival", epp.Address("Lyon", "FR", ("1 quai du Rhône",)))],
        "collectif@example.org", voice=epp.Phone("+33.472000000")))
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
    # Every name of the bundle reaches the registration, and none can be taken in again.
    for name in domain.names:
        assert live_domain(name) == domain
        with pytest.raises(NotAvailable):
            transfer.transfer_in(organisation=organisation, actor=member, name=name,
                                 auth_info="Code-2-Move!")
    # The reconciliation finds Bureau's bundle the same as the registry's.
    assert reconcile.reconcile_domains([domain]).drifted == []


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
