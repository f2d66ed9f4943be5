"""Transfers between the two registrars, with poll messages on both sides."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from pathlib import Path

from sandbox_client import EppClient

from bureau.sandbox.policy import default_config
from bureau.sandbox.testing import Sandbox, start_sandbox


def statuses(reply_client: EppClient, name: str) -> list[str]:
    return list(reply_client.domain_info(name).xpath("//domain:status/@s"))


def test_request_then_auto_approve_after_five_days(client: EppClient, rival: EppClient,
                                                   sandbox: Sandbox) -> None:
    assert client.domain_create("moving.test", registrant=None).code == 1000
    exdate = client.domain_info("moving.test").text("//domain:exDate")
    assert rival.domain_transfer("request", "moving.test", "wrong-pw").code == 2202
    assert rival.domain_transfer("request", "moving.test").code == 2003
    assert client.domain_transfer("request", "moving.test", "secret-1").code == 2106
    rival_before = sandbox.balance("rival")
    reply = rival.domain_transfer("request", "moving.test", "secret-1")
    assert reply.code == 1001, reply
    assert reply.text("//domain:trStatus") == "pending"
    assert reply.text("//domain:reID") == "rival"
    assert reply.text("//domain:acID") == "bureau"
    assert reply.text("//fee:trnData/fee:fee") == "8.00"
    assert sandbox.balance("rival") == rival_before - Decimal("8.00")
    assert "pendingTransfer" in statuses(client, "moving.test")
    assert rival.domain_transfer("request", "moving.test", "secret-1").code == 2300
    assert client.domain_delete("moving.test").code == 2300
    # The losing registrar hears of the request.
    losing = client.drain_poll()
    assert [m.text("//domain:trStatus") for m in losing] == ["pending"]
    assert rival.domain_transfer("query", "moving.test").text("//domain:trStatus") == "pending"
    sandbox.clock.advance(days=5, hours=1)
    info = rival.domain_info("moving.test")
    assert info.text("//domain:clID") == "rival"
    assert info.text("//domain:exDate")[:4] == str(int(exdate[:4]) + 1)
    assert "pendingTransfer" not in info.xpath("//domain:status/@s")
    assert info.xpath("//rgp:rgpStatus/@s") == ["transferPeriod"]
    assert [m.text("//domain:trStatus") for m in client.drain_poll()] == ["serverApproved"]
    assert [m.text("//domain:trStatus") for m in rival.drain_poll()] == \
        ["pending", "serverApproved"]
    assert client.domain_update("moving.test").code == 2201


def test_approve_reject_cancel(client: EppClient, rival: EppClient, sandbox: Sandbox) -> None:
    for name in ("a1.test", "r1.test", "c1.test"):
        assert client.domain_create(name).code == 1000
        assert rival.domain_transfer("request", name, "secret-1").code == 1001
    before = sandbox.balance("rival")
    assert rival.domain_transfer("approve", "a1.test").code == 2201  # only the losing side
    reply = client.domain_transfer("approve", "a1.test")
    assert reply.code == 1000 and reply.text("//domain:trStatus") == "clientApproved"
    assert rival.domain_info("a1.test").text("//domain:clID") == "rival"
    assert client.domain_transfer("reject", "r1.test").text("//domain:trStatus") == \
        "clientRejected"
    assert client.domain_transfer("cancel", "c1.test").code == 2201  # only the gaining side
    assert rival.domain_transfer("cancel", "c1.test").text("//domain:trStatus") == \
        "clientCancelled"
    assert sandbox.balance("rival") == before + Decimal("16.00")  # two refunds
    assert client.domain_transfer("approve", "r1.test").code == 2301
    assert client.domain_info("r1.test").text("//domain:clID") == "bureau"
    gaining = [m.text("//domain:trStatus") for m in rival.drain_poll()]
    assert sorted(gaining) == sorted(["pending"] * 3 + ["clientApproved", "clientRejected",
                                                        "clientCancelled"])


def test_transfer_prohibited_and_subordinate_hosts_follow(client: EppClient, rival: EppClient,
                                                          sandbox: Sandbox) -> None:
    assert client.domain_create("glue.test").code == 1000
    assert client.host_create("ns1.glue.test", "192.0.2.1").code == 1000
    lock = '<domain:add><domain:status s="clientTransferProhibited"/></domain:add>'
    assert client.domain_update("glue.test", lock).code == 1000
    assert rival.domain_transfer("request", "glue.test", "secret-1").code == 2304
    unlock = '<domain:rem><domain:status s="clientTransferProhibited"/></domain:rem>'
    assert client.domain_update("glue.test", unlock).code == 1000
    assert rival.domain_transfer("request", "glue.test", "secret-1").code == 1001
    assert client.domain_transfer("approve", "glue.test").code == 1000
    host = rival.command("<info><host:info><host:name>ns1.glue.test</host:name></host:info>"
                         "</info>")
    assert host.text("//host:clID") == "rival"


def test_transfer_in_auto_renew_grace_replaces_the_auto_renewal(
        client: EppClient, rival: EppClient, sandbox: Sandbox) -> None:
    assert client.domain_create("late.test").code == 1000
    first = int(client.domain_info("late.test").text("//domain:exDate")[:4])
    sandbox.clock.advance(days=370)  # auto-renewed, in auto-renew grace
    bureau_before = sandbox.balance("bureau")
    assert rival.domain_transfer("request", "late.test", "secret-1").code == 1001
    assert client.domain_transfer("approve", "late.test").code == 1000
    assert sandbox.balance("bureau") == bureau_before + Decimal("8.00")  # auto-renew refunded
    assert int(rival.domain_info("late.test").text("//domain:exDate")[:4]) == first + 1


def test_contact_transfer(client: EppClient, rival: EppClient, sandbox: Sandbox) -> None:
    assert client.contact_create("mover-1", pw="move-me").code == 1000
    reply = rival.command('<transfer op="request"><contact:transfer><contact:id>mover-1'
                          "</contact:id><contact:authInfo><contact:pw>move-me</contact:pw>"
                          "</contact:authInfo></contact:transfer></transfer>")
    assert reply.code == 1001 and reply.text("//contact:trStatus") == "pending"
    sandbox.clock.advance(days=6)
    info = rival.command("<info><contact:info><contact:id>mover-1</contact:id></contact:info>"
                         "</info>")
    assert info.text("//contact:clID") == "rival"
    assert [m.text("//contact:trStatus") for m in client.drain_poll()] == \
        ["pending", "serverApproved"]


def test_transfer_lock_after_creation(tmp_path: Path, cert_dir: Path) -> None:
    config = replace(default_config(), transfer_lock_days=60)
    with start_sandbox(cert_dir, config, db_path=tmp_path / "db.sqlite3") as sb:
        bureau, rival = EppClient(sb, "bureau"), EppClient(sb, "rival")
        bureau.login()
        rival.login()
        assert bureau.domain_create("fresh.test").code == 1000
        reply = rival.domain_transfer("request", "fresh.test", "secret-1")
        assert reply.code == 2106 and "60 days" in reply.msg
        sb.clock.advance(days=61)
        assert rival.domain_transfer("request", "fresh.test", "secret-1").code == 1001
        bureau.close()
        rival.close()
