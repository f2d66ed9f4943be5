"""RFC 5732 hosts (glue only in-bailiwick) and RFC 5733 contacts."""

from __future__ import annotations

from sandbox_client import EppClient, Reply


def host_info(client: EppClient, name: str) -> Reply:
    return client.command(f"<info><host:info><host:name>{name}</host:name></host:info></info>")


def host_update(client: EppClient, name: str, inner: str) -> Reply:
    return client.command(f"<update><host:update><host:name>{name}</host:name>{inner}"
                          "</host:update></update>")


def test_glue_rules(client: EppClient, rival: EppClient) -> None:
    assert client.host_create("ns1.missing.test", "192.0.2.1").code == 2303
    assert client.domain_create("zone.test").code == 1000
    assert client.host_create("ns1.zone.test").code == 2003  # in-bailiwick needs glue
    assert rival.host_create("ns9.zone.test", "192.0.2.9").code == 2201  # not your domain
    assert client.host_create("ns1.zone.test", "192.0.2.1", "2001:db8::1").code == 1000
    assert client.host_create("ns1.zone.test", "192.0.2.1").code == 2302
    assert client.host_create("ns.elsewhere.org", "192.0.2.2").code == 2306  # no glue outside
    assert client.host_create("ns.elsewhere.org").code == 1000
    assert client.host_create("ns2.zone.test", "999.1.1.1").code in (2005, 2001)
    info = host_info(client, "ns1.zone.test")
    assert info.xpath("//host:addr/text()") == ["192.0.2.1", "2001:db8::1"]
    assert info.xpath("//host:status/@s") == ["ok"]
    check = client.command("<check><host:check><host:name>ns1.zone.test</host:name>"
                           "<host:name>ns5.zone.test</host:name></host:check></check>")
    assert check.xpath("//host:name/@avail") == ["0", "1"]


def test_linked_hosts_and_domains(client: EppClient) -> None:
    assert client.domain_create("parent.test").code == 1000
    assert client.host_create("ns1.parent.test", "192.0.2.1").code == 1000
    assert client.host_create("ns.outside.net").code == 1000
    assert client.domain_create("child.test", ns=("ns1.parent.test", "ns.outside.net")).code \
        == 1000
    assert client.domain_create("orphan.test", ns=("ns.unknown.net",)).code == 2303
    info = client.domain_info("child.test")
    assert info.xpath("//domain:hostObj/text()") == ["ns.outside.net", "ns1.parent.test"]
    assert "inactive" not in info.xpath("//domain:status/@s")
    assert client.domain_info("parent.test").xpath("//domain:host/text()") == ["ns1.parent.test"]
    assert host_info(client, "ns1.parent.test").xpath("//host:status/@s") == ["ok", "linked"]
    delete = "<delete><host:delete><host:name>ns1.parent.test</host:name></host:delete></delete>"
    assert client.command(delete).code == 2305  # linked
    assert client.domain_delete("parent.test").code == 2305  # has a subordinate host
    rem = "<domain:rem><domain:ns><domain:hostObj>ns1.parent.test</domain:hostObj></domain:ns>" \
          "</domain:rem>"
    assert client.domain_update("child.test", rem).code == 1000
    # Rename out of the registry: glue must go first.
    chg = "<host:chg><host:name>ns1.other.org</host:name></host:chg>"
    assert host_update(client, "ns1.parent.test", chg).code == 2306
    rem_addr = '<host:rem><host:addr ip="v4">192.0.2.1</host:addr></host:rem>'
    assert host_update(client, "ns1.parent.test", rem_addr).code == 2003
    assert host_update(client, "ns1.parent.test", rem_addr + chg).code == 1000
    assert client.command(delete).code == 2303
    assert client.domain_delete("parent.test").code == 1000
    add_addr = '<host:add><host:addr ip="v4">192.0.2.7</host:addr></host:add>'
    assert host_update(client, "ns1.other.org", add_addr).code == 2306


def test_contact_commands(client: EppClient, rival: EppClient) -> None:
    assert client.contact_create("ctc-1").code == 1000
    assert client.contact_create("ctc-1").code == 2302
    check = client.command("<check><contact:check><contact:id>ctc-1</contact:id>"
                           "<contact:id>ctc-2</contact:id></contact:check></check>")
    assert check.xpath("//contact:id/@avail") == ["0", "1"]
    info = client.command("<info><contact:info><contact:id>ctc-1</contact:id></contact:info>"
                          "</info>")
    assert info.text("//contact:postalInfo/contact:name") == "Camille Martin"
    assert info.text("//contact:authInfo/contact:pw") == "c-secret"
    update = client.command(
        "<update><contact:update><contact:id>ctc-1</contact:id><contact:chg>"
        '<contact:postalInfo type="loc"><contact:name>Camille Dupont</contact:name>'
        "</contact:postalInfo><contact:email>new@example.org</contact:email></contact:chg>"
        "</contact:update></update>")
    assert update.code == 1000
    info = client.command("<info><contact:info><contact:id>ctc-1</contact:id></contact:info>"
                          "</info>")
    assert info.text("//contact:postalInfo/contact:name") == "Camille Dupont"
    assert info.text("//contact:postalInfo/contact:org") == "Coopérative Exemple"
    assert info.text("//contact:email") == "new@example.org"
    other = rival.command("<info><contact:info><contact:id>ctc-1</contact:id></contact:info>"
                          "</info>")
    assert other.code == 1000 and not other.xpath("//contact:authInfo")
    assert client.domain_create("uses.test", registrant="ctc-1").code == 1000
    delete = "<delete><contact:delete><contact:id>ctc-1</contact:id></contact:delete></delete>"
    assert rival.command(delete).code == 2201
    assert client.command(delete).code == 2305
    assert client.domain_delete("uses.test").code == 1000
    assert client.command(delete).code == 1000


def test_int_postal_info_must_be_ascii(client: EppClient) -> None:
    reply = client.command(
        "<create><contact:create><contact:id>ascii-1</contact:id>"
        '<contact:postalInfo type="int"><contact:name>Zoé Lefèvre</contact:name>'
        "<contact:addr><contact:city>Lyon</contact:city><contact:cc>FR</contact:cc>"
        "</contact:addr></contact:postalInfo><contact:email>zoe@example.org</contact:email>"
        "<contact:authInfo><contact:pw>zoe-pw-1</contact:pw></contact:authInfo>"
        "</contact:create></create>")
    assert reply.code == 2005 and "loc" in reply.msg
