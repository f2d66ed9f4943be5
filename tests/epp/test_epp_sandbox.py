"""The library against the sandbox registry over real TLS: every command and extension."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal

import pytest

from bureau.epp import (
    Address,
    BundleCreate,
    BundleData,
    BundledName,
    ChangeData,
    CommandFailed,
    ContactCheck,
    ContactCreate,
    ContactDelete,
    ContactInfo,
    ContactInfoData,
    ContactTransfer,
    ContactUpdate,
    Disclose,
    DomainCheck,
    DomainContact,
    DomainCreate,
    DomainDelete,
    DomainInfo,
    DomainInfoData,
    DomainRenew,
    DomainRestore,
    DomainTransfer,
    DomainUpdate,
    DSData,
    Fee,
    FeeCheck,
    FeeCheckData,
    FeeCommand,
    FeeOffer,
    FeeTransformData,
    HostCheck,
    HostCreate,
    HostDelete,
    HostInfo,
    HostInfoData,
    HostUpdate,
    KeyData,
    OutcomeUnknown,
    Period,
    Phone,
    PollAck,
    PollMessage,
    PollRequest,
    PostalInfo,
    RestoreReport,
    RgpStatusData,
    SecDNSData,
    SecDNSUpdate,
    Session,
    SessionPool,
    TransferData,
    to_alabel,
)

from .conftest import sandbox_config

pytestmark = pytest.mark.timeout(120)
KEY = "AwEAAddt2AkLfYGKgiEZB5SmIF8EvrjxNMH6HtxWEA4RJ9Ao6LCWheg8"
DS = DSData(12345, 13, 2, "AB" * 32)


@pytest.fixture
def session(sandbox: object) -> Iterator[Session]:
    with Session(sandbox_config(sandbox)) as s:
        yield s


def make_contact(session: Session, ident: str = "holder-1") -> str:
    session.execute(
        ContactCreate(
            ident,
            [
                PostalInfo("int", "Camille Martin", Address("Lyon", "FR", ("1 rue de la Paix",))),
                PostalInfo("loc", "Camille Martin", Address("Lyon", "FR", ("1 rue de la Paix",))),
            ],
            "camille@example.org",
            voice=Phone("+33.472000000"),
            disclose=Disclose(False, frozenset({"voice", "email"})),
        )
    )
    return ident


def test_contacts(session: Session) -> None:
    assert session.execute(ContactCheck(["holder-1"])).data.results[0].available
    make_contact(session)
    assert not session.execute(ContactCheck(["holder-1"])).data.results[0].available
    session.execute(
        ContactUpdate("holder-1", email="new@example.org", add_statuses=["clientDeleteProhibited"])
    )
    info = session.execute(ContactInfo("holder-1")).data
    assert isinstance(info, ContactInfoData)
    assert info.email == "new@example.org"
    assert "clientDeleteProhibited" in {s.value for s in info.statuses}
    with pytest.raises(CommandFailed) as refused:
        session.execute(ContactDelete("holder-1"))
    assert refused.value.code == 2304
    session.execute(ContactUpdate("holder-1", rem_statuses=["clientDeleteProhibited"]))
    session.execute(ContactDelete("holder-1"))


def test_domain_and_host_lifecycle_with_secdns_and_fees(session: Session, sandbox: object) -> None:
    holder = make_contact(session)
    check = session.execute(
        DomainCheck(["bücher.test"], fee=FeeCheck([FeeCommand("create", Period(2))]))
    )
    assert check.data["bücher.test"].available
    quote = check.extension(FeeCheckData).for_name("xn--bcher-kva.test").quote("create")
    created = session.execute(
        DomainCreate(
            "bücher.test",
            holder,
            [DomainContact("admin", holder), DomainContact("tech", holder)],
            period=Period(2),
            secdns=SecDNSData(ds_data=(DS,)),
            fee=FeeOffer(quote.fees, "EUR"),
        )
    )
    assert created.data.name == "xn--bcher-kva.test"
    assert created.extension(FeeTransformData).total == quote.total
    session.execute(HostCreate("ns1.bücher.test", ["192.0.2.1", "2001:db8::53"]))
    assert not session.execute(HostCheck(["ns1.bücher.test"])).data.results[0].available
    session.execute(
        HostUpdate("ns1.bücher.test", add_addresses=["192.0.2.2"], rem_addresses=["2001:db8::53"])
    )
    host = session.execute(HostInfo("ns1.bücher.test")).data
    assert isinstance(host, HostInfoData)
    assert set(host.addresses) == {"192.0.2.1", "192.0.2.2"}
    session.execute(
        DomainUpdate(
            "bücher.test",
            add_nameservers=["ns1.bücher.test"],
            add_statuses=["clientTransferProhibited"],
            secdns=SecDNSUpdate(rem_all=True, add_ds=(DSData(54321, 13, 2, "CD" * 32),)),
        )
    )
    info = session.execute(DomainInfo("bücher.test"))
    data = info.data
    assert isinstance(data, DomainInfoData)
    assert data.nameservers == ("ns1.xn--bcher-kva.test",)
    assert "clientTransferProhibited" in data.status_values
    assert [d.key_tag for d in info.extension(SecDNSData).ds_data] == [54321]
    assert data.expires is not None
    renewed = session.execute(DomainRenew("bücher.test", data.expires.date(), Period(1)))
    assert renewed.data.expires is not None
    assert renewed.data.expires.year == data.expires.year + 1
    # The same renew again names a stale expiry date: refused, not renewed twice.
    with pytest.raises(CommandFailed):
        session.execute(DomainRenew("bücher.test", data.expires.date(), Period(1)))
    session.execute(DomainUpdate("bücher.test", rem_nameservers=["ns1.bücher.test"]))
    session.execute(HostDelete("ns1.bücher.test"))


def test_redemption_and_restore(session: Session, sandbox: object) -> None:
    holder = make_contact(session)
    session.execute(DomainCreate("lost.test", holder))
    sandbox.clock.advance(days=10)  # type: ignore[attr-defined]  # past the add grace period
    session.execute(DomainDelete("lost.test"))
    info = session.execute(DomainInfo("lost.test"))
    assert info.extension(RgpStatusData).in_redemption
    restored = session.execute(DomainRestore("lost.test", fee=FeeOffer([Fee(Decimal("40.00"))])))
    assert restored.ok
    rgp = session.execute(DomainInfo("lost.test")).extension(RgpStatusData)
    assert rgp is not None and "pendingRestore" in rgp.statuses
    now = sandbox.clock.now_datetime()  # type: ignore[attr-defined]
    report = RestoreReport(
        pre_data="lost.test, holder-1, ns none",
        post_data="lost.test, holder-1, ns none",
        deleted=now - timedelta(hours=1),
        restored=now,
        reason="Registrant forgot to renew.",
    )
    assert session.execute(DomainRestore("lost.test", report)).ok
    statuses = session.execute(DomainInfo("lost.test")).data.status_values
    assert "pendingDelete" not in statuses


def test_premium_name_needs_the_fee(session: Session) -> None:
    holder = make_contact(session)
    check = session.execute(DomainCheck(["cafe.test"], fee=FeeCheck(currency="EUR")))
    result = check.extension(FeeCheckData).for_name("cafe.test")
    assert result.premium
    with pytest.raises(CommandFailed):
        session.execute(DomainCreate("cafe.test", holder))
    created = session.execute(
        DomainCreate("cafe.test", holder, fee=FeeOffer(result.quote("create").fees, "EUR"))
    )
    assert created.extension(FeeTransformData).total == Decimal("120.00")


def test_transfer_with_poll_messages(sandbox: object) -> None:
    with (
        Session(sandbox_config(sandbox)) as ours,
        Session(sandbox_config(sandbox, "rival")) as rival,
    ):
        holder = make_contact(ours)
        created = DomainCreate("moving.test", holder)
        ours.execute(created)
        asked = rival.execute(
            DomainTransfer("request", "moving.test", created.auth_info, Period(1))
        )
        assert asked.code == 1001 and isinstance(asked.data, TransferData)
        assert asked.data.status == "pending" and asked.data.requested_by == "rival"
        message = PollMessage.from_response(ours.execute(PollRequest()))
        assert message is not None and isinstance(message.data, TransferData)
        assert message.data.name == "moving.test"
        ours.execute(PollAck(message.id))
        ours.execute(DomainTransfer("approve", "moving.test"))
        done = rival.execute(DomainTransfer("query", "moving.test", created.auth_info))
        assert done.data.status == "clientApproved"
        assert rival.execute(DomainInfo("moving.test")).data.sponsor == "rival"
        contact = ContactCreate(
            "rival-c", [PostalInfo("int", "R", Address("Nantes", "FR"))], "r@example.org"
        )
        rival.execute(contact)
        moved = ours.execute(ContactTransfer("request", "rival-c", contact.auth_info))
        assert isinstance(moved.data, TransferData)
        assert (moved.data.name, moved.data.requested_by) == ("rival-c", "bureau")


def test_registry_change_arrives_as_change_poll(session: Session, sandbox: object) -> None:
    holder = make_contact(session)
    session.execute(DomainCreate("held.test", holder))
    sandbox.operator.set_server_status(
        "held.test",
        add=["serverHold"],  # type: ignore[attr-defined]
        reason="abuse report",
    )
    message = PollMessage.from_response(session.execute(PollRequest()))
    assert message is not None
    assert isinstance(message.change, ChangeData)
    assert message.change.operation == "update" and message.change.reason == "abuse report"
    assert isinstance(message.data, DomainInfoData) and "serverHold" in message.data.status_values
    session.execute(PollAck(message.id))


def test_bundles_across_tlds_and_chinese_variants(session: Session) -> None:
    holder = make_contact(session)
    created = session.execute(
        DomainCreate("solidaire.ngo", holder, bundle=BundleCreate("solidaire.ngo"))
    )
    bundle = created.extension(BundleData)
    assert bundle.names == ("solidaire.ngo", "solidaire.ong")
    check = session.execute(DomainCheck(["solidaire.ong"]))
    assert not check.data["solidaire.ong"].available
    info = session.execute(DomainInfo("solidaire.ong"))
    assert info.extension(BundleData).rdn == BundledName("solidaire.ngo")
    variant = session.execute(DomainCreate("實驗.测试", holder, bundle=BundleCreate("實驗.测试")))
    chinese = variant.extension(BundleData)
    assert chinese.rdn == BundledName(to_alabel("實驗.测试"), "實驗.测试")
    assert chinese.bdns == (BundledName(to_alabel("实验.测试"), "实验.测试"),)
    assert (
        session.execute(DomainRenew("實驗.测试", variant.data.expires.date()))
        .extension(BundleData)
        .response
        == "renData"
    )
    deleted = session.execute(DomainDelete("solidaire.ngo"))
    assert deleted.extension(BundleData).response == "delData"


def test_dropped_create_is_outcome_unknown_then_reconciled(
    session: Session, sandbox: object
) -> None:
    holder = make_contact(session)
    sandbox.faults.drop_after("domain:create")  # type: ignore[attr-defined]
    with pytest.raises(OutcomeUnknown):
        session.execute(DomainCreate("maybe.test", holder))
    # Reconcile with an info, as the outcome rule says: the registry did create it.
    info = session.execute(DomainInfo("maybe.test")).data
    assert info.sponsor == "bureau"


def test_pool_against_the_sandbox_from_threads_and_asyncio(sandbox: object) -> None:
    names = [f"n{i}.test" for i in range(40)]
    with SessionPool(sandbox_config(sandbox), size=4) as pool:
        results: list[bool] = []
        lock = threading.Lock()

        def work(name: str) -> None:
            ok = pool.execute(DomainCheck([name])).data.results[0].available
            with lock:
                results.append(ok)

        threads = [threading.Thread(target=work, args=(n,)) for n in names]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert results == [True] * 40

        async def many() -> list[bool]:
            answers = await asyncio.gather(*(pool.aexecute(DomainCheck([n])) for n in names))
            return [a.data.results[0].available for a in answers]

        assert asyncio.run(many()) == [True] * 40
        assert pool.open_sessions <= 4


def test_key_data_interface(session: Session) -> None:
    holder = make_contact(session)
    session.execute(
        DomainCreate("keys.test", holder, secdns=SecDNSData(key_data=(KeyData(257, 3, 13, KEY),)))
    )
    secdns = session.execute(DomainInfo("keys.test")).extension(SecDNSData)
    assert secdns is not None and secdns.key_data[0].flags == 257
