"""Domain life: grace periods, renewals, deletion, redemption, restore, purge, auto-renew."""

from __future__ import annotations

from decimal import Decimal

from sandbox_client import EppClient

from bureau.sandbox.testing import Sandbox

RESTORE_REPORT = (
    '<rgp:update><rgp:restore op="report"><rgp:report><rgp:preData>before</rgp:preData>'
    "<rgp:postData>after</rgp:postData><rgp:delTime>2026-01-01T00:00:00.0Z</rgp:delTime>"
    "<rgp:resTime>2026-01-02T00:00:00.0Z</rgp:resTime><rgp:resReason>registrant error"
    "</rgp:resReason><rgp:statement>true</rgp:statement><rgp:statement>also true"
    "</rgp:statement></rgp:report></rgp:restore></rgp:update>")
RESTORE_REQUEST = '<rgp:update><rgp:restore op="request"/></rgp:update>'


def expiry(client: EppClient, name: str) -> str:
    return client.domain_info(name).text("//domain:exDate")[:10]


def test_delete_within_add_grace_is_immediate_and_refunded(client: EppClient,
                                                           sandbox: Sandbox) -> None:
    before = sandbox.balance("bureau")
    assert client.domain_create("quick.test", 3).code == 1000
    assert sandbox.balance("bureau") == before - Decimal("24.00")
    reply = client.domain_delete("quick.test")
    assert reply.code == 1000
    assert reply.text("//fee:delData/fee:credit") == "-24.00"
    assert sandbox.balance("bureau") == before
    assert client.domain_info("quick.test").code == 2303
    assert client.domain_check("quick.test").text("//domain:name/@avail") == "1"


def test_delete_after_grace_redemption_restore(client: EppClient, sandbox: Sandbox) -> None:
    assert client.domain_create("keep.test").code == 1000
    sandbox.clock.advance(days=6)
    reply = client.domain_delete("keep.test")
    assert reply.code == 1001
    info = client.domain_info("keep.test")
    assert "pendingDelete" in info.xpath("//domain:status/@s")
    assert info.xpath("//rgp:rgpStatus/@s") == ["redemptionPeriod"]
    # Deleting again, renewing or updating a name in redemption is refused.
    assert client.domain_delete("keep.test").code == 2304
    assert client.domain_renew("keep.test", expiry(client, "keep.test")).code == 2304
    # A report before a request is out of order.
    assert client.domain_update("keep.test", extension=RESTORE_REPORT).code == 2304
    before = sandbox.balance("bureau")
    reply = client.domain_update("keep.test", extension=RESTORE_REQUEST)
    assert reply.code == 1000, reply
    assert reply.xpath("//rgp:upData/rgp:rgpStatus/@s") == ["pendingRestore"]
    assert sandbox.balance("bureau") == before - Decimal("40.00")
    assert client.domain_update("keep.test", extension=RESTORE_REPORT).code == 1000
    info = client.domain_info("keep.test")
    assert "pendingDelete" not in info.xpath("//domain:status/@s")
    assert info.xpath("//rgp:rgpStatus") == []


def test_redemption_then_pending_delete_then_purge(client: EppClient,
                                                   sandbox: Sandbox) -> None:
    assert client.domain_create("gone.test").code == 1000
    client.drain_poll()
    sandbox.clock.advance(days=10)
    assert client.domain_delete("gone.test").code == 1001
    sandbox.clock.advance(days=31)
    info = client.domain_info("gone.test")
    assert info.xpath("//rgp:rgpStatus/@s") == ["pendingDelete"]
    assert client.domain_update("gone.test", extension=RESTORE_REQUEST).code == 2304
    sandbox.clock.advance(days=5)
    assert client.domain_info("gone.test").code == 2303
    assert client.domain_check("gone.test").text("//domain:name/@avail") == "1"
    messages = client.drain_poll()
    assert [m.text("//domain:panData/domain:name") for m in messages] == ["gone.test"]


def test_restore_request_without_report_falls_back_to_redemption(client: EppClient,
                                                                  sandbox: Sandbox) -> None:
    assert client.domain_create("slow.test").code == 1000
    sandbox.clock.advance(days=6)
    assert client.domain_delete("slow.test").code == 1001
    assert client.domain_update("slow.test", extension=RESTORE_REQUEST).code == 1000
    assert client.domain_info("slow.test").xpath("//rgp:rgpStatus/@s") == ["pendingRestore"]
    sandbox.clock.advance(days=8)
    assert client.domain_info("slow.test").xpath("//rgp:rgpStatus/@s") == ["redemptionPeriod"]
    assert "no restore report" in client.drain_poll()[-1].text("//e:msgQ/e:msg")


def test_auto_renew_at_expiry_with_grace_and_poll(client: EppClient, sandbox: Sandbox) -> None:
    assert client.domain_create("forever.test").code == 1000
    first = expiry(client, "forever.test")
    before = sandbox.balance("bureau")
    sandbox.clock.advance(days=366)
    info = client.domain_info("forever.test")
    assert info.text("//domain:exDate")[:4] == str(int(first[:4]) + 1)
    assert info.xpath("//rgp:rgpStatus/@s") == ["autoRenewPeriod"]
    assert sandbox.balance("bureau") == before - Decimal("8.00")
    poll = client.poll()
    assert poll.code == 1301
    assert poll.text("//e:msgQ/@count") == "1"
    assert poll.text("//changePoll:operation") == "autoRenew"
    assert poll.text("//domain:infData/domain:name") == "forever.test"
    assert client.ack(poll.text("//e:msgQ/@id")).code == 1000
    assert client.poll().code == 1300
    # Deleting within the auto-renew grace period refunds the auto-renewal.
    assert client.domain_delete("forever.test").code == 1001
    assert sandbox.balance("bureau") == before


def test_several_years_jump_renews_each_year(client: EppClient, sandbox: Sandbox) -> None:
    assert client.domain_create("years.test").code == 1000
    first = int(expiry(client, "years.test")[:4])
    sandbox.clock.advance(days=3 * 365 + 2)
    assert int(expiry(client, "years.test")[:4]) == first + 3
    assert len(client.drain_poll()) == 3


def test_renew_rules(client: EppClient, sandbox: Sandbox) -> None:
    assert client.domain_create("renew.test", 2).code == 1000
    current = expiry(client, "renew.test")
    assert client.domain_renew("renew.test", "2001-01-01").code == 2004  # wrong curExpDate
    assert client.domain_renew("renew.test", current, 9).code == 2004  # beyond 10 years
    reply = client.domain_renew("renew.test", current, 3)
    assert reply.code == 1000
    assert reply.text("//domain:exDate")[:4] == str(int(current[:4]) + 3)
    assert reply.text("//fee:renData/fee:fee") == "24.00"
    assert client.domain_info("renew.test").xpath("//rgp:rgpStatus/@s") == \
        ["addPeriod", "renewPeriod"]
    assert client.domain_create("toolong.test", 11).code in (2001, 2004, 2005)


def test_statuses_prohibit_and_update(client: EppClient, rival: EppClient,
                                      sandbox: Sandbox) -> None:
    assert client.domain_create("locked.test").code == 1000
    lock = ('<domain:add><domain:status s="clientDeleteProhibited"/>'
            '<domain:status s="clientUpdateProhibited"/></domain:add>')
    assert client.domain_update("locked.test", lock).code == 1000
    assert client.domain_delete("locked.test").code == 2304
    chg = ("<domain:chg><domain:authInfo><domain:pw>other-pw</domain:pw></domain:authInfo>"
           "</domain:chg>")
    assert client.domain_update("locked.test", chg).code == 2304
    unlock = '<domain:rem><domain:status s="clientUpdateProhibited"/></domain:rem>'
    assert client.domain_update("locked.test", unlock).code == 1000
    assert client.domain_update("locked.test", chg).code == 1000
    server = '<domain:add><domain:status s="serverHold"/></domain:add>'
    assert client.domain_update("locked.test", server).code == 2306
    assert rival.domain_update("locked.test", unlock).code == 2201
    assert rival.domain_delete("locked.test").code == 2201
    # Another registrar sees the public part only, all of it with the authInfo.
    public = rival.domain_info("locked.test")
    assert public.code == 1000 and not public.xpath("//domain:authInfo")
    assert rival.domain_info("locked.test", pw="wrong-pw").code == 2202
    full = rival.domain_info("locked.test", pw="other-pw")
    # With the authInfo: contacts and name servers too, never the authInfo itself (RFC 5731
    # 3.1.2: it MUST NOT be provided to a non-sponsor).
    assert full.code == 1000 and full.xpath("//domain:clID") and not full.xpath(
        "//domain:authInfo")
    # Registry-side change: the sponsor hears about it through RFC 8590 changePoll.
    client.drain_poll()
    sandbox.operator.set_server_status("locked.test", add=["serverRenewProhibited"],
                                       reason="court order")
    assert client.domain_renew("locked.test", expiry(client, "locked.test")).code == 2304
    poll = client.poll()
    assert poll.text("//changePoll:operation") == "update"
    assert poll.text("//changePoll:reason") == "court order"
    assert "serverRenewProhibited" in poll.xpath("//domain:status/@s")


def test_contacts_and_registrant(client: EppClient) -> None:
    assert client.contact_create("holder-1").code == 1000
    assert client.domain_create("owned.test", registrant="nobody-1").code == 2303
    reply = client.domain_create("owned.test", registrant="holder-1",
                                 contacts=(("admin", "holder-1"), ("tech", "holder-1")))
    assert reply.code == 1000
    info = client.domain_info("owned.test")
    assert info.text("//domain:registrant") == "holder-1"
    assert sorted(info.xpath("//domain:contact/@type")) == ["admin", "tech"]


def test_months_and_unknown_tld(client: EppClient) -> None:
    reply = client.command(
        "<create><domain:create><domain:name>months.test</domain:name>"
        '<domain:period unit="m">24</domain:period><domain:authInfo><domain:pw>abc-123'
        "</domain:pw></domain:authInfo></domain:create></create>")
    assert reply.code == 1000
    assert client.domain_create("x.nowhere").code == 2306
    assert client.domain_create("bad_name.test").code == 2005
    assert client.domain_create("nic.test").code == 2306


def test_periodic_tick_runs_events_without_commands(client: EppClient,
                                                    sandbox: Sandbox) -> None:
    import time

    from bureau.sandbox import store
    from bureau.sandbox.clock import Clock

    assert client.domain_create("ticking.test").code == 1000
    before = sandbox.balance("bureau")
    other = store.connect(sandbox.db_path)  # like another process: no event processing
    Clock(other).advance(days=366)
    other.close()
    deadline = time.monotonic() + 5
    while sandbox.balance("bureau") == before and time.monotonic() < deadline:
        time.sleep(0.1)
    assert sandbox.balance("bureau") == before - Decimal("8.00")  # auto-renewed by the tick
