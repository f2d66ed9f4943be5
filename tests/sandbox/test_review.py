"""Names under review (.review): 1001 and pendingCreate, then the registry's decision by poll."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sandbox_client import EppClient

from bureau.sandbox.cli import main
from bureau.sandbox.testing import Sandbox

PRICE = Decimal("15.00")


def decision(client: EppClient) -> tuple[str, str, str, str, str]:
    """The one poll message waiting: name, paResult, clTRID, svTRID, text."""
    messages = client.drain_poll()
    assert len(messages) == 1, messages
    pan = "//e:resData/domain:panData"
    m = messages[0]
    return (m.text(f"{pan}/domain:name"), m.text(f"{pan}/domain:name/@paResult"),
            m.text(f"{pan}/domain:paTRID/e:clTRID"), m.text(f"{pan}/domain:paTRID/e:svTRID"),
            m.text("//e:msgQ/e:msg"))


def test_create_waits_for_review_and_the_name_cannot_be_used(
        client: EppClient, rival: EppClient, sandbox: Sandbox) -> None:
    before = sandbox.balance("bureau")
    reply = client.domain_create("atelier.review", 2)
    assert reply.code == 1001
    assert reply.text("//domain:creData/domain:name") == "atelier.review"
    assert not reply.xpath("//domain:creData/domain:exDate")  # set when approved
    assert sandbox.balance("bureau") == before - 2 * PRICE
    info = client.domain_info("atelier.review")
    assert "pendingCreate" in info.xpath("//domain:status/@s")
    assert client.domain_check("atelier.review").text("//domain:name/@avail") == "0"
    assert rival.domain_create("atelier.review").code == 2302
    assert client.domain_renew("atelier.review", info.text("//domain:exDate")[:10]).code == 2304
    locked = client.domain_update(
        "atelier.review", '<domain:add><domain:status s="clientHold"/></domain:add>')
    assert locked.code == 2304 and "under review" in locked.msg
    assert client.domain_delete("atelier.review").code == 2304
    assert rival.domain_transfer("request", "atelier.review", "secret-1").code == 2304
    assert client.poll().code == 1300  # nothing decided yet


def test_approved_when_the_review_period_ends(client: EppClient, sandbox: Sandbox) -> None:
    reply = client.domain_create("calme.review", 2)
    sandbox.clock.advance(days=1)
    assert client.poll().code == 1300
    sandbox.clock.advance(days=1)
    name, result, cltrid, svtrid, _text = decision(client)
    assert (name, result) == ("calme.review", "1")
    assert (cltrid, svtrid) == (reply.text("//e:clTRID"), reply.text("//e:svTRID"))
    info = client.domain_info("calme.review")
    assert info.xpath("//domain:status/@s") == ["inactive"]  # no name servers; usable
    created = info.text("//domain:crDate")[:10]
    assert info.text("//domain:exDate")[:10] == f"{int(created[:4]) + 2}{created[4:]}"
    assert info.xpath("//rgp:rgpStatus/@s") == ["addPeriod"]  # grace starts when created


def test_staff_decide_early_from_the_command_line(client: EppClient, sandbox: Sandbox) -> None:
    state = ["--state-dir", str(sandbox.db_path.parent)]
    before = sandbox.balance("bureau")
    client.domain_create("oui.review")
    client.domain_create("non.review", 3)
    assert main([*state, "review", "approve", "oui.review"]) == 0
    assert decision(client)[:2] == ("oui.review", "1")
    assert client.domain_update(
        "oui.review", '<domain:add><domain:status s="clientHold"/></domain:add>').code == 1000

    assert main([*state, "review", "reject", "non.review", "--reason", "trademark"]) == 0
    name, result, _cl, _sv, text = decision(client)
    assert (name, result) == ("non.review", "0") and "trademark" in text
    assert client.domain_info("non.review").code == 2303
    assert client.domain_check("non.review").text("//domain:name/@avail") == "1"
    assert sandbox.balance("bureau") == before - PRICE  # the refused create was credited
    sandbox.clock.advance(days=3)
    assert client.poll().code == 1300  # no second decision

    assert main([*state, "review", "approve", "oui.review"]) == 1  # not under review
    assert main([*state, "review", "reject", "nowhere.review"]) == 1


def test_a_review_ended_before_staff_act_stays_approved(client: EppClient,
                                                        sandbox: Sandbox) -> None:
    client.domain_create("tard.review")
    sandbox.clock.advance(days=3)
    with pytest.raises(Exception, match="not under review"):
        sandbox.operator.reject_review("tard.review", "too late")
    assert decision(client)[:2] == ("tard.review", "1")


def test_other_tlds_are_created_at_once(client: EppClient) -> None:
    assert client.domain_create("direct.test").code == 1000
