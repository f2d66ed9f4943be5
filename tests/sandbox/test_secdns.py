"""RFC 5910 secDNS-1.1: dsData and keyData on create, add/rem/rem all/chg maxSigLife."""

from __future__ import annotations

from sandbox_client import EppClient

DS1 = ("<secDNS:dsData><secDNS:keyTag>12345</secDNS:keyTag><secDNS:alg>13</secDNS:alg>"
       "<secDNS:digestType>2</secDNS:digestType><secDNS:digest>"
       "49FD46E6C4B45C55D4AC49FD46E6C4B45C55D4AC49FD46E6C4B45C55D4ACABCD</secDNS:digest>"
       "</secDNS:dsData>")
DS2 = DS1.replace("12345", "54321")
KEY = ("<secDNS:keyData><secDNS:flags>257</secDNS:flags><secDNS:protocol>3</secDNS:protocol>"
       "<secDNS:alg>13</secDNS:alg><secDNS:pubKey>AQPJ////4Q==</secDNS:pubKey>"
       "</secDNS:keyData>")


def test_ds_lifecycle(client: EppClient) -> None:
    create = f"<secDNS:create><secDNS:maxSigLife>604800</secDNS:maxSigLife>{DS1}</secDNS:create>"
    assert client.domain_create("signed.test", extension=create).code == 1000
    info = client.domain_info("signed.test")
    assert info.xpath("//secDNS:dsData/secDNS:keyTag/text()") == ["12345"]
    assert info.text("//secDNS:maxSigLife") == "604800"
    update = (f"<secDNS:update><secDNS:rem>{DS1}</secDNS:rem><secDNS:add>{DS2}</secDNS:add>"
              "<secDNS:chg><secDNS:maxSigLife>86400</secDNS:maxSigLife></secDNS:chg>"
              "</secDNS:update>")
    assert client.domain_update("signed.test", extension=update).code == 1000
    info = client.domain_info("signed.test")
    assert info.xpath("//secDNS:dsData/secDNS:keyTag/text()") == ["54321"]
    assert info.text("//secDNS:maxSigLife") == "86400"
    mixed = f"<secDNS:update><secDNS:add>{KEY}</secDNS:add></secDNS:update>"
    assert client.domain_update("signed.test", extension=mixed).code == 2306
    rem_all = ("<secDNS:update><secDNS:rem><secDNS:all>true</secDNS:all></secDNS:rem>"
               "</secDNS:update>")
    assert client.domain_update("signed.test", extension=rem_all).code == 1000
    assert client.domain_info("signed.test").xpath("//secDNS:infData") == []
    urgent = f'<secDNS:update urgent="true"><secDNS:add>{DS1}</secDNS:add></secDNS:update>'
    assert client.domain_update("signed.test", extension=urgent).code == 2102


def test_key_data(client: EppClient) -> None:
    create = f"<secDNS:create>{KEY}</secDNS:create>"
    assert client.domain_create("keyed.test", extension=create).code == 1000
    info = client.domain_info("keyed.test")
    assert info.xpath("//secDNS:keyData/secDNS:flags/text()") == ["257"]
