"""RFC 9095 bundles: Chinese traditional/simplified variants and the .ngo/.ong pair."""

from __future__ import annotations

import idna
from sandbox_client import EppClient

from bureau.sandbox.testing import Sandbox

TLD = "xn--0zwm56d"  # 测试
TRADITIONAL = idna.encode("清華大學").decode() + "." + TLD
SIMPLIFIED = idna.encode("清华大学").decode() + "." + TLD
BDN_CREATE = "<b-dn:create/>"


def test_chinese_variants_bundle(client: EppClient, rival: EppClient, sandbox: Sandbox) -> None:
    check = client.domain_check(TRADITIONAL)
    assert check.xpath("//domain:name/text()") == [TRADITIONAL, SIMPLIFIED]
    assert check.xpath("//domain:name/@avail") == ["1", "1"]
    assert check.xpath("//domain:reason/text()") == ["bundled name (RFC 9095 policy)"]
    # A bundled name needs the client to say it knows about bundles.
    assert client.domain_create(TRADITIONAL).code == 2306
    created = client.domain_create(TRADITIONAL, extension=BDN_CREATE)
    assert created.code == 1000, created
    assert created.text("//b-dn:creData/b-dn:bundle/b-dn:rdn") == TRADITIONAL
    assert created.text("//b-dn:creData/b-dn:bundle/b-dn:rdn/@uLabel") == "清華大學.测试"
    assert created.text("//b-dn:creData/b-dn:bundle/b-dn:bdn") == SIMPLIFIED
    assert created.text("//b-dn:creData/b-dn:bundle/b-dn:bdn/@uLabel") == "清华大学.测试"
    # Both names are taken; another registrar cannot register the variant.
    assert client.domain_check(SIMPLIFIED).xpath("//domain:name/@avail") == ["0", "0"]
    assert rival.domain_create(SIMPLIFIED, extension=BDN_CREATE).code == 2302
    # Info on the BDN answers with the bundle.
    info = client.domain_info(SIMPLIFIED)
    assert info.text("//domain:name") == SIMPLIFIED
    assert info.text("//b-dn:infData/b-dn:bundle/b-dn:rdn") == TRADITIONAL
    assert info.xpath("//b-dn:infData/b-dn:bundle/b-dn:bdn/text()") == [SIMPLIFIED]
    # Renew through the BDN renews the bundle.
    exdate = info.text("//domain:exDate")[:10]
    renew = client.domain_renew(SIMPLIFIED, exdate, 2)
    assert renew.code == 1000
    assert renew.text("//b-dn:renData/b-dn:bundle/b-dn:rdn") == TRADITIONAL
    assert client.domain_info(TRADITIONAL).text("//domain:exDate")[:4] == \
        str(int(exdate[:4]) + 2)
    update = client.domain_update(SIMPLIFIED, '<domain:add><domain:status '
                                  's="clientHold"/></domain:add>')
    assert update.text("//b-dn:upData/b-dn:bundle/b-dn:rdn") == TRADITIONAL
    assert "clientHold" in client.domain_info(TRADITIONAL).xpath("//domain:status/@s")
    # Delete within add grace: the whole bundle is gone at once.
    delete = client.domain_delete(TRADITIONAL)
    assert delete.code == 1000
    assert delete.xpath("//b-dn:delData/b-dn:bundle/b-dn:bdn/text()") == [SIMPLIFIED]
    assert client.domain_check(SIMPLIFIED).xpath("//domain:name/@avail") == ["1", "1"]


def test_plain_ascii_label_in_variant_tld_is_not_bundled(client: EppClient) -> None:
    check = client.domain_check(f"plain.{TLD}")
    assert check.xpath("//domain:name/text()") == [f"plain.{TLD}"]
    assert client.domain_create(f"plain.{TLD}").code == 1000


def test_ngo_ong_bundle_and_transfer(client: EppClient, rival: EppClient,
                                     sandbox: Sandbox) -> None:
    check = client.domain_check("ecoforest.ong")
    assert check.xpath("//domain:name/text()") == ["ecoforest.ong", "ecoforest.ngo"]
    created = client.domain_create("ecoforest.ong", extension=BDN_CREATE)
    assert created.code == 1000
    assert created.text("//b-dn:rdn") == "ecoforest.ong"
    assert created.text("//b-dn:bdn") == "ecoforest.ngo"
    assert created.text("//fee:creData/fee:fee") == "30.00"  # one price for the bundle
    assert rival.domain_create("ecoforest.ngo", extension=BDN_CREATE).code == 2302
    reply = rival.domain_check("ecoforest.ngo")
    assert reply.xpath("//domain:name/@avail") == ["0", "0"]
    # Transfer of the BDN moves the bundle.
    transfer = rival.domain_transfer("request", "ecoforest.ngo", "secret-1")
    assert transfer.code == 1001
    assert transfer.text("//domain:name") == "ecoforest.ngo"
    assert transfer.text("//b-dn:trnData/b-dn:bundle/b-dn:rdn") == "ecoforest.ong"
    assert client.domain_transfer("approve", "ecoforest.ong").code == 1000
    for name in ("ecoforest.ong", "ecoforest.ngo"):
        assert rival.domain_info(name).text("//domain:clID") == "rival"
    # Delete after the add grace period: the bundle enters redemption together.
    sandbox.clock.advance(days=6)
    assert rival.domain_delete("ecoforest.ong").code == 1001
    assert "pendingDelete" in rival.domain_info("ecoforest.ngo").xpath("//domain:status/@s")


def test_clients_without_b_dn_get_no_bundle_elements(sandbox: Sandbox) -> None:
    c = EppClient(sandbox)
    assert c.login(extensions=("secDNS-1.1",)).code == 1000
    assert c.domain_create("plainweb.test").code == 1000
    info = c.domain_info("plainweb.test")
    assert not info.xpath("//e:extension")
    c.close()
