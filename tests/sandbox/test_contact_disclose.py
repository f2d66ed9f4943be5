"""RFC 5733 disclose: other registrars do not see what a contact's flag="0" withholds."""

from __future__ import annotations

from sandbox_client import EppClient, Reply

WITHHELD = "not disclosed"
HIDE_ALL_LOC = ('<contact:disclose flag="0"><contact:name type="loc"/><contact:org type="loc"/>'
                '<contact:addr type="loc"/><contact:voice/><contact:email/></contact:disclose>')


def assert_everything_shown(info: Reply) -> None:
    assert info.code == 1000
    assert info.text("//contact:postalInfo/contact:name") == "Camille Martin"
    assert info.text("//contact:postalInfo/contact:org") == "Coopérative Exemple"
    assert info.xpath("//contact:street/text()") == ["1 rue de la Paix"]
    assert info.text("//contact:city") == "Paris"
    assert info.text("//contact:pc") == "75001"
    assert info.text("//contact:infData/contact:voice") == "+33.123456789"
    assert info.text("//contact:infData/contact:email") == "camille@example.org"


def test_greeting_publishes_contact_data_by_default(client: EppClient, rival: EppClient) -> None:
    # The dcp names the public as a recipient: without disclose, rival sees it all.
    assert client.greeting.xpath("//e:dcp/e:statement/e:recipient/e:public")
    assert client.contact_create("open-1").code == 1000
    assert_everything_shown(rival.contact_info("open-1"))
    flagged = '<contact:disclose flag="1"><contact:voice/></contact:disclose>'
    assert client.contact_create("open-2", disclose=flagged).code == 1000
    assert_everything_shown(rival.contact_info("open-2"))


def test_withheld_elements_are_left_out_for_other_registrars(client: EppClient,
                                                             rival: EppClient) -> None:
    assert client.contact_create("private-1", disclose=HIDE_ALL_LOC).code == 1000
    info = rival.contact_info("private-1")
    assert info.code == 1000
    # (disclose itself names them too: look at the data only)
    assert not info.xpath("//contact:infData/contact:voice | //contact:postalInfo/contact:org"
                          " | //contact:street | //contact:pc")
    assert not info.xpath("//contact:authInfo")
    # The schema requires these: they are present but say nothing.
    assert info.text("//contact:postalInfo/contact:name") == WITHHELD
    assert info.text("//contact:city") == WITHHELD
    assert info.text("//contact:infData/contact:email") == WITHHELD
    assert "camille" not in info.raw.decode().lower()
    assert info.text("//contact:cc") == "FR"
    assert info.xpath("//contact:disclose/@flag") == ["0"]  # so rival knows why


def test_sponsor_and_authinfo_holders_see_everything(client: EppClient,
                                                     rival: EppClient) -> None:
    assert client.contact_create("private-2", disclose=HIDE_ALL_LOC).code == 1000
    assert_everything_shown(client.contact_info("private-2"))
    assert rival.contact_info("private-2", pw="wrong-pw").code == 2202
    authorised = rival.contact_info("private-2", pw="c-secret")
    assert_everything_shown(authorised)
    # RFC 5733 3.1.2: the authInfo itself goes to the sponsor only.
    assert authorised.xpath("//contact:authInfo") == []
    assert client.contact_info("private-2").text("//contact:authInfo/contact:pw") == "c-secret"


def test_only_the_flagged_elements_and_postal_type_are_withheld(client: EppClient,
                                                                rival: EppClient) -> None:
    hide_voice_and_int_name = ('<contact:disclose flag="0"><contact:name type="int"/>'
                               "<contact:voice/></contact:disclose>")
    assert client.contact_create("private-3", disclose=hide_voice_and_int_name).code == 1000
    add_int = client.command(
        "<update><contact:update><contact:id>private-3</contact:id><contact:chg>"
        '<contact:postalInfo type="int"><contact:name>Camille Martin</contact:name>'
        "<contact:addr><contact:city>Paris</contact:city><contact:cc>FR</contact:cc>"
        "</contact:addr></contact:postalInfo></contact:chg></contact:update></update>")
    assert add_int.code == 1000
    info = rival.contact_info("private-3")
    assert info.text("//contact:postalInfo[@type='int']/contact:name") == WITHHELD
    assert info.text("//contact:postalInfo[@type='loc']/contact:name") == "Camille Martin"
    assert info.text("//contact:postalInfo[@type='loc']//contact:street") == "1 rue de la Paix"
    assert info.text("//contact:infData/contact:email") == "camille@example.org"
    assert not info.xpath("//contact:infData/contact:voice")
    # The sponsor lifts the restriction: rival sees the phone again.
    lift = client.command(
        "<update><contact:update><contact:id>private-3</contact:id><contact:chg>"
        '<contact:disclose flag="1"><contact:voice/></contact:disclose></contact:chg>'
        "</contact:update></update>")
    assert lift.code == 1000
    voice = rival.contact_info("private-3").text("//contact:infData/contact:voice")
    assert voice == "+33.123456789"
