"""Login, logout, hello, and the domain basics over a real TLS socket."""

from __future__ import annotations

from sandbox_client import EppClient

from bureau.sandbox.testing import Sandbox


def test_greeting_lists_objects_and_extensions(sandbox: Sandbox) -> None:
    c = EppClient(sandbox)
    ext = c.greeting.xpath("//e:svcExtension/e:extURI/text()")
    assert "urn:ietf:params:xml:ns:epp:b-dn" in ext
    assert "urn:ietf:params:xml:ns:epp:fee-1.0" in ext
    assert len(c.greeting.xpath("//e:objURI")) == 3
    hello = c.send('<epp xmlns="urn:ietf:params:xml:ns:epp-1.0"><hello/></epp>')
    assert hello.xpath("//e:greeting")
    c.close()


def test_login_logout(sandbox: Sandbox) -> None:
    c = EppClient(sandbox)
    assert c.domain_check("a.test").code == 2002  # not logged in
    assert c.login(password="wrong-pass").code == 2200
    assert c.login().code == 1000
    assert c.login().code == 2002  # already logged in
    assert c.command("<logout/>").code == 1500
    c.close()


def test_certificate_must_match_clid(sandbox: Sandbox) -> None:
    c = EppClient(sandbox, "bureau")
    c.clid = "rival"
    reply = c.login(password="rival-secret")
    assert reply.code == 2200 and "certificate" in reply.msg
    c.close()


def test_new_password(sandbox: Sandbox) -> None:
    c = EppClient(sandbox)
    assert c.login(new_pw="brand-new-pw").code == 1000
    c.close()
    c = EppClient(sandbox)
    assert c.login().code == 2200
    assert c.login(password="brand-new-pw").code == 1000
    c.close()


def test_check_create_info(client: EppClient) -> None:
    reply = client.domain_check("hello.test", "nic.test", "x.invalidtld")
    avail = dict(zip(reply.xpath("//domain:name/text()"),
                     reply.xpath("//domain:name/@avail"), strict=True))
    assert avail == {"hello.test": "1", "nic.test": "0", "x.invalidtld": "0"}
    created = client.domain_create("hello.test", 2)
    assert created.code == 1000, created
    assert created.text("//fee:creData/fee:fee") == "16.00"
    assert client.domain_create("hello.test").code == 2302
    info = client.domain_info("hello.test")
    assert info.code == 1000
    assert info.text("//domain:clID") == "bureau"
    assert info.xpath("//domain:status/@s") == ["inactive"]
    assert info.xpath("//rgp:rgpStatus/@s") == ["addPeriod"]
    assert client.domain_check("hello.test").text("//domain:name/@avail") == "0"
