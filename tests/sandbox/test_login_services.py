"""A session uses only the objects and extensions its client selected at login (RFC 5730)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sandbox_client import ALL_EXT, EppClient

from bureau.sandbox.testing import Sandbox

FEE_CHECK = ('<fee:check><fee:currency>EUR</fee:currency><fee:command name="create">'
             '<fee:period unit="y">1</fee:period></fee:command></fee:check>')
SECDNS_CREATE = ("<secDNS:create><secDNS:dsData><secDNS:keyTag>12345</secDNS:keyTag>"
                 "<secDNS:alg>13</secDNS:alg><secDNS:digestType>2</secDNS:digestType>"
                 f"<secDNS:digest>{'AB' * 32}</secDNS:digest></secDNS:dsData></secDNS:create>")


@pytest.fixture
def contacts_only(sandbox: Sandbox) -> Iterator[EppClient]:
    """A session of `bureau` that selected the contact object and every extension."""
    c = EppClient(sandbox, "bureau")
    assert c.login(objects=("contact-1.0",)).code == 1000
    yield c
    c.close()


def test_unoffered_object_at_login_is_2307(sandbox: Sandbox) -> None:
    c = EppClient(sandbox)
    assert c.login(objects=("domain-1.0", "example-obj-1.0")).code == 2307
    assert c.login().code == 1000  # the refused login left the session usable
    c.close()


def test_objects_not_selected_are_refused_with_2002(contacts_only: EppClient,
                                                    client: EppClient) -> None:
    refused = contacts_only.domain_create("unselected.test")
    assert refused.code == 2002
    assert "urn:ietf:params:xml:ns:domain-1.0" in refused.msg
    assert contacts_only.domain_check("unselected.test").code == 2002
    assert contacts_only.host_create("ns.elsewhere.org").code == 2002
    assert contacts_only.contact_create("only-ctc").code == 1000
    # Nothing was done by the refused commands.
    assert client.domain_check("unselected.test").xpath("//domain:name/@avail") == ["1"]
    host_check = client.command("<check><host:check><host:name>ns.elsewhere.org</host:name>"
                                "</host:check></check>")
    assert host_check.xpath("//host:name/@avail") == ["1"]


def test_extensions_not_selected_are_refused_with_2002(sandbox: Sandbox) -> None:
    c = EppClient(sandbox)
    assert c.login(extensions=("secDNS-1.1",)).code == 1000
    refused = c.domain_check("quote.test", extension=FEE_CHECK)
    assert refused.code == 2002 and "urn:ietf:params:xml:ns:epp:fee-1.0" in refused.msg
    assert not refused.xpath("//e:resData")
    assert c.domain_check("quote.test").code == 1000
    assert c.domain_create("signed.test", extension=SECDNS_CREATE).code == 1000
    c.close()


def test_unknown_extension_stays_2103(client: EppClient) -> None:
    reply = client.domain_check("x.test", extension="<x:thing xmlns:x='urn:example:ext-1'/>")
    assert reply.code == 2103


def test_poll_without_the_message_object_still_delivers(sandbox: Sandbox, client: EppClient,
                                                         rival: EppClient,
                                                         contacts_only: EppClient) -> None:
    assert client.domain_create("moving.test").code == 1000
    assert rival.domain_transfer("request", "moving.test", "secret-1").code == 1001
    full = client.poll()
    assert full.code == 1301 and full.text("//domain:name") == "moving.test"
    partial = contacts_only.poll()
    assert partial.code == 1301
    assert partial.text("//e:msgQ/@id") == full.text("//e:msgQ/@id")
    assert "moving.test" in partial.text("//e:msgQ/e:msg")
    assert not partial.xpath("//e:resData")  # domain:trnData is for domain sessions
    assert contacts_only.ack(partial.text("//e:msgQ/@id")).code == 1000
    assert client.poll().code == 1300


def test_poll_leaves_out_what_the_session_did_not_select(sandbox: Sandbox, client: EppClient,
                                                          contacts_only: EppClient) -> None:
    assert client.domain_create("flagged.test").code == 1000
    sandbox.operator.set_server_status("flagged.test", add=["serverHold"], reason="abuse")
    assert client.poll().text("//changePoll:reason") == "abuse"
    no_change_poll = EppClient(sandbox)
    assert no_change_poll.login(extensions=tuple(e for e in ALL_EXT
                                                 if e != "changePoll-1.0")).code == 1000
    domain_only = no_change_poll.poll()
    assert domain_only.text("//domain:name") == "flagged.test"
    assert not domain_only.xpath("//e:extension")
    no_change_poll.close()
    bare = contacts_only.poll()
    assert bare.code == 1301 and not bare.xpath("//e:resData | //e:extension")
