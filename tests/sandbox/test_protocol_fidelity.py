"""What independent EPP clients found in the sandbox (issue 16): each rule of RFC 5730-5733,
3915, 8748 and 8807 it broke, checked on the wire. Every frame received is schema-validated by
the test client."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest
from sandbox_client import ALL_EXT, ALL_OBJ, NS, EppClient

from bureau.sandbox import store
from bureau.sandbox.policy import default_config
from bureau.sandbox.testing import Sandbox, start_sandbox

LOGIN_SEC = "urn:ietf:params:xml:ns:epp:loginSec-1.0"


def fee_check(*commands: tuple[str, str]) -> str:
    """<fee:check> for (command, period XML) pairs."""
    inner = "".join(f'<fee:command name="{name}">{period}</fee:command>'
                    for name, period in commands)
    return f"<fee:check>{inner}</fee:check>"


# -- 1. fee:check for a period the registry does not sell ------------------------------------
@pytest.mark.parametrize("period", ['<fee:period unit="m">6</fee:period>',
                                    '<fee:period unit="m">18</fee:period>',
                                    '<fee:period unit="y">99</fee:period>'])
def test_fee_check_for_a_period_not_sold_is_unavailable_with_a_reason(
        client: EppClient, period: str) -> None:
    reply = client.domain_check("shop.test", "plain.test",
                                extension=fee_check(("create", period)))
    assert reply.code == 1000, reply
    for name in ("shop.test", "plain.test"):
        cd = f"//fee:cd[fee:objID='{name}']"
        assert reply.xpath(f"{cd}/@avail") == ["0"]
        assert "not sold" in reply.text(f"{cd}/fee:reason")
        assert reply.xpath(f"{cd}/fee:command") == []  # no price for what is not sold
    years = period.split(">")[1].split("<")[0]
    unit = 'unit="m"' if "m" in period else 'unit="y"'
    created = client.command(
        "<create><domain:create><domain:name>plain.test</domain:name>"
        f"<domain:period {unit}>{years}</domain:period><domain:authInfo><domain:pw>pw-123456"
        "</domain:pw></domain:authInfo></domain:create></create>")
    assert created.code == 2004 and "not sold" in created.msg


def test_fee_check_for_a_reserved_name_quotes_nothing(client: EppClient) -> None:
    reply = client.domain_check("nic.test", extension=fee_check(("create", "")))
    assert reply.xpath("//fee:cd/@avail") == ["0"]
    assert "reserved" in reply.text("//fee:cd/fee:reason")
    assert reply.xpath("//fee:command") == []


def test_fee_check_in_whole_years_still_quotes(client: EppClient) -> None:
    reply = client.domain_check("shop.test", extension=fee_check(
        ("create", '<fee:period unit="m">24</fee:period>'), ("restore", "")))
    assert reply.xpath("//fee:cd/@avail") in ([], ["1"])
    assert reply.text("//fee:command[@name='create']/fee:period") == "2"
    assert reply.text("//fee:command[@name='create']/fee:fee") == "500.00"
    assert reply.text("//fee:command[@name='restore']/fee:fee") == "40.00"


# -- 2. delete within the transfer grace period (RFC 3915) -----------------------------------
def test_delete_in_transfer_grace_credits_the_transfer_fee(client: EppClient, rival: EppClient,
                                                           sandbox: Sandbox) -> None:
    assert client.domain_create("moved.test").code == 1000
    before = sandbox.balance("rival")
    assert rival.domain_transfer("request", "moved.test", "secret-1").code == 1001
    assert client.domain_transfer("approve", "moved.test").code == 1000
    assert sandbox.balance("rival") == before - Decimal("8.00")
    assert rival.domain_info("moved.test").xpath("//rgp:rgpStatus/@s") == ["transferPeriod"]
    deleted = rival.domain_delete("moved.test")
    assert deleted.code == 1001
    assert deleted.text("//fee:delData/fee:credit") == "-8.00"
    assert sandbox.balance("rival") == before
    assert rival.domain_info("moved.test").xpath("//rgp:rgpStatus/@s") == ["redemptionPeriod"]


# -- 3. authInfo never goes to a non-sponsor -------------------------------------------------
def test_info_with_the_right_authinfo_does_not_return_it(client: EppClient,
                                                         rival: EppClient) -> None:
    assert client.contact_create("holder-3", pw="contact-pw").code == 1000
    assert client.domain_create("secret.test", registrant="holder-3").code == 1000
    domain = rival.domain_info("secret.test", pw="secret-1")
    assert domain.code == 1000 and domain.text("//domain:registrant") == "holder-3"
    assert not domain.xpath("//domain:authInfo")
    contact = rival.contact_info("holder-3", pw="contact-pw")
    assert contact.code == 1000 and not contact.xpath("//contact:authInfo")
    assert client.domain_info("secret.test").text("//domain:authInfo/domain:pw") == "secret-1"


# -- 4. contacts are used by their sponsor only (TLD policy, default strict) -----------------
def test_another_registrars_contact_cannot_be_linked(client: EppClient,
                                                     rival: EppClient) -> None:
    assert rival.contact_create("rival-holder").code == 1000
    assert client.contact_create("own-holder").code == 1000
    refused = client.domain_create("taken-contact.test", registrant="rival-holder")
    assert refused.code == 2201 and "rival-holder" in refused.msg
    assert client.domain_create("taken-contact.test", registrant="own-holder",
                                contacts=(("admin", "rival-holder"),)).code == 2201
    assert client.domain_create("taken-contact.test", registrant="own-holder").code == 1000
    add = '<domain:add><domain:contact type="tech">rival-holder</domain:contact></domain:add>'
    assert client.domain_update("taken-contact.test", add).code == 2201
    chg = "<domain:chg><domain:registrant>rival-holder</domain:registrant></domain:chg>"
    assert client.domain_update("taken-contact.test", chg).code == 2201
    # The sponsor keeps control of its contact: it can still delete it.
    assert rival.command("<delete><contact:delete><contact:id>rival-holder</contact:id>"
                         "</contact:delete></delete>").code == 1000


def test_contact_use_any_is_a_tld_setting(cert_dir: Path, tmp_path: Path) -> None:
    base = default_config()
    config = replace(base, tlds={**base.tlds,
                                 "test": replace(base.tlds["test"], contact_use="any")})
    with start_sandbox(cert_dir, config, db_path=tmp_path / "any.sqlite3") as sandbox:
        rival, client = EppClient(sandbox, "rival"), EppClient(sandbox, "bureau")
        assert rival.login().code == 1000 and client.login().code == 1000
        assert rival.contact_create("shared-holder").code == 1000
        assert client.domain_create("shared.test", registrant="shared-holder").code == 1000
        assert client.domain_create("shared.example", registrant="shared-holder").code == 2201
        rival.close()
        client.close()


# -- 5. an invalid clTRID is not echoed ------------------------------------------------------
@pytest.mark.parametrize("cltrid", ["   a   ", "ab", "x" * 65])
def test_invalid_cltrid_is_not_echoed(client: EppClient, cltrid: str) -> None:
    reply = client.send(f'<epp xmlns="{NS["e"]}"><command><check><domain:check '
                        f'xmlns:domain="{NS["domain"]}"><domain:name>a.test</domain:name>'
                        f"</domain:check></check><clTRID>{cltrid}</clTRID></command></epp>")
    assert reply.code == 2005, reply  # validated by the client: the answer is valid EPP
    assert reply.xpath("//e:clTRID") == []


def test_cltrid_is_echoed_as_the_schema_reads_it(client: EppClient) -> None:
    reply = client.send(f'<epp xmlns="{NS["e"]}"><command><check><domain:check '
                        f'xmlns:domain="{NS["domain"]}"><domain:name>a.test</domain:name>'
                        "</domain:check></check><clTRID>  ABC  123 </clTRID></command></epp>")
    assert reply.code == 1000 and reply.text("//e:clTRID") == "ABC 123"


# -- 6. result codes of RFC 5730: unknown command, protocol version --------------------------
def test_unknown_command_is_2000(client: EppClient) -> None:
    reply = client.send(f'<epp xmlns="{NS["e"]}"><command><frobnicate/>'
                        "<clTRID>T-unknown</clTRID></command></epp>")
    assert reply.code == 2000, reply


def test_login_with_another_protocol_version_is_2100(sandbox: Sandbox) -> None:
    c = EppClient(sandbox, "bureau")
    reply = c.command("<login><clID>bureau</clID><pw>bureau-secret</pw><options>"
                      "<version>2.0</version><lang>en</lang></options><svcs><objURI>"
                      f"{NS['domain']}</objURI></svcs></login>")
    assert reply.code == 2100, reply
    c.close()


# -- 7. a name with a trailing dot is refused ------------------------------------------------
def test_trailing_dot_is_refused(client: EppClient) -> None:
    assert client.domain_check("x.test.").code == 2005
    reply = client.domain_create("x.test.")
    assert reply.code == 2005 and "dot" in reply.msg
    assert client.host_create("ns1.elsewhere.example.").code == 2005
    assert client.domain_check("x.test").xpath("//domain:name/@avail") == ["1"]


# -- 8. transform fee descriptions name the command ------------------------------------------
def test_transform_fee_descriptions_name_the_command(client: EppClient,
                                                     rival: EppClient) -> None:
    created = client.domain_create("described.test")
    assert created.xpath("//fee:creData/fee:fee/@description") == ["create"]
    exp = client.domain_info("described.test").text("//domain:exDate")[:10]
    renewed = client.domain_renew("described.test", exp)
    assert renewed.xpath("//fee:renData/fee:fee/@description") == ["renew"]
    moved = rival.domain_transfer("request", "described.test", "secret-1")
    assert moved.xpath("//fee:trnData/fee:fee/@description") == ["transfer"]


# -- status reasons --------------------------------------------------------------------------
def test_status_reasons_are_kept(client: EppClient, sandbox: Sandbox) -> None:
    assert client.domain_create("overdue.test").code == 1000
    hold = ('<domain:add><domain:status s="clientHold" lang="en">Payment overdue.'
            "</domain:status></domain:add>")
    assert client.domain_update("overdue.test", hold).code == 1000
    sandbox.operator.set_server_status("overdue.test", add=["serverRenewProhibited"],
                                       reason="court order")
    info = client.domain_info("overdue.test")
    assert info.text("//domain:status[@s='clientHold']") == "Payment overdue."
    assert info.text("//domain:status[@s='serverRenewProhibited']") == "court order"
    unhold = '<domain:rem><domain:status s="clientHold"/></domain:rem>'
    assert client.domain_update("overdue.test", unhold).code == 1000
    assert client.domain_update("overdue.test", '<domain:add><domain:status s="clientHold"/>'
                                "</domain:add>").code == 1000
    assert client.domain_info("overdue.test").text("//domain:status[@s='clientHold']") == ""
    assert client.contact_create("noted").code == 1000
    note = ('<contact:add><contact:status s="clientDeleteProhibited">Holder asked.'
            "</contact:status></contact:add>")
    assert client.command(f"<update><contact:update><contact:id>noted</contact:id>{note}"
                          "</contact:update></update>").code == 1000
    assert client.contact_info("noted").text(
        "//contact:status[@s='clientDeleteProhibited']") == "Holder asked."


# -- 9. RFC 8807 login security --------------------------------------------------------------
EXT_URIS = tuple(f"urn:ietf:params:xml:ns:{e}" for e in ALL_EXT)


def login_sec(c: EppClient, pw: str, new_pw: str | None = None, *,
              ext_uris: tuple[str, ...] = EXT_URIS) -> tuple[str, str]:
    """A login (body, extension) whose passwords travel in loginSec (RFC 8807)."""
    new = "<newPW>[LOGIN-SECURITY]</newPW>" if new_pw else ""
    sec_new = f"<loginSec:newPW>{new_pw}</loginSec:newPW>" if new_pw else ""
    extension = (f'<loginSec:loginSec xmlns:loginSec="{LOGIN_SEC}"><loginSec:userAgent>'
                 "<loginSec:app>Test 1.0</loginSec:app><loginSec:tech>Python</loginSec:tech>"
                 f"</loginSec:userAgent><loginSec:pw>{pw}</loginSec:pw>{sec_new}"
                 "</loginSec:loginSec>")
    objs = "".join(f"<objURI>urn:ietf:params:xml:ns:{o}</objURI>" for o in ALL_OBJ)
    exts = "".join(f"<extURI>{u}</extURI>" for u in ext_uris)
    return (f"<login><clID>{c.clid}</clID><pw>[LOGIN-SECURITY]</pw>{new}<options>"
            "<version>1.0</version><lang>en</lang></options><svcs>"
            f"{objs}<svcExtension>{exts}</svcExtension></svcs></login>", extension)


def test_greeting_announces_login_security(sandbox: Sandbox) -> None:
    c = EppClient(sandbox, "bureau")
    assert LOGIN_SEC in c.greeting.xpath("//e:extURI/text()")
    c.close()


def test_long_passwords_through_login_security(sandbox: Sandbox) -> None:
    long_pw = "a passphrase much longer than sixteen characters"
    c = EppClient(sandbox, "bureau")
    body, ext = login_sec(c, "bureau-secret", long_pw, ext_uris=(*EXT_URIS, LOGIN_SEC))
    reply = c.command(body, ext)
    assert reply.code == 1000, reply
    c.close()
    with store.connect(sandbox.db_path) as conn:
        assert conn.execute("SELECT user_agent FROM registrars WHERE id = 'bureau'"
                            ).fetchone()[0] == "app=Test 1.0; tech=Python"
    c = EppClient(sandbox, "bureau")
    body, ext = login_sec(c, long_pw, ext_uris=(*EXT_URIS, LOGIN_SEC))
    assert c.command(body, ext).code == 1000
    c.close()
    c = EppClient(sandbox, "bureau")
    assert c.login(password="bureau-secret").code == 2200  # the old one is gone
    c.close()


def test_login_security_is_enforced(sandbox: Sandbox) -> None:
    c = EppClient(sandbox, "bureau")
    body, ext = login_sec(c, "bureau-secret")  # loginSec used without selecting it
    assert c.command(body, ext).code == 2002
    body, _ = login_sec(c, "bureau-secret", ext_uris=(*EXT_URIS, LOGIN_SEC))
    assert c.command(body).code == 2003  # [LOGIN-SECURITY] but no loginSec:pw
    # A real password in <pw> beside loginSec:pw.
    _, ext = login_sec(c, "bureau-secret", ext_uris=(*EXT_URIS, LOGIN_SEC))
    body = body.replace("<pw>[LOGIN-SECURITY]</pw>", "<pw>bureau-secret</pw>")
    assert c.command(body, ext).code == 2306
    c.close()


def test_password_expiry_events(cert_dir: Path, tmp_path: Path) -> None:
    config = replace(default_config(), password_lifetime_days=90, password_warning_days=10)
    with start_sandbox(cert_dir, config, db_path=tmp_path / "expiry.sqlite3") as sandbox:
        first = EppClient(sandbox, "bureau")
        reply = first.login(extensions=(*ALL_EXT, "epp:loginSec-1.0"))
        assert reply.code == 1000 and not reply.xpath("//e:extension")
        first.close()
        sandbox.clock.advance(days=85)
        warned = EppClient(sandbox, "bureau")
        reply = warned.login(extensions=(*ALL_EXT, "epp:loginSec-1.0"))
        assert reply.code == 1000
        event = "//*[local-name()='loginSecData']/*[local-name()='event']"
        assert reply.xpath(f"{event}/@type") == ["password"]
        assert reply.xpath(f"{event}/@level") == ["warning"]
        assert reply.xpath(f"{event}/@exDate")
        warned.close()
        sandbox.clock.advance(days=10)
        expired = EppClient(sandbox, "bureau")
        reply = expired.login(extensions=(*ALL_EXT, "epp:loginSec-1.0"))
        assert reply.code == 2200 and reply.xpath(f"{event}/@level") == ["error"]
        reply = expired.login(extensions=(*ALL_EXT, "epp:loginSec-1.0"), new_pw="fresh-secret")
        assert reply.code == 1000 and not reply.xpath("//e:extension")
        expired.close()


# -- every command and its error paths answer valid EPP --------------------------------------
def _commands() -> list[str]:
    """Command bodies on existing, missing and someone else's objects, good and bad."""
    d = "<domain:name>{}</domain:name>"
    auth = "<domain:authInfo><domain:pw>{}</domain:pw></domain:authInfo>"
    bodies = []
    for name in ("mine.test", "missing.test", "nic.test", "x.unserved", "shop.test", "x.test."):
        n = d.format(name)
        bodies += [
            f"<check><domain:check>{n}</domain:check></check>",
            f"<info><domain:info>{n}</domain:info></info>",
            f"<info><domain:info>{n}{auth.format('wrong-pw')}</domain:info></info>",
            f"<create><domain:create>{n}{auth.format('pw-12345')}</domain:create></create>",
            f'<create><domain:create>{n}<domain:period unit="m">7</domain:period>'
            f"{auth.format('pw-12345')}</domain:create></create>",
            f"<create><domain:create>{n}<domain:ns><domain:hostObj>ns9.nowhere.example"
            "</domain:hostObj></domain:ns><domain:registrant>no-such-contact"
            f"</domain:registrant>{auth.format('pw-12345')}</domain:create></create>",
            f"<delete><domain:delete>{n}</domain:delete></delete>",
            f"<renew><domain:renew>{n}<domain:curExpDate>2000-01-01</domain:curExpDate>"
            "</domain:renew></renew>",
            f'<update><domain:update>{n}<domain:add><domain:status s="serverHold"/>'
            "</domain:add></domain:update></update>",
            f'<update><domain:update>{n}<domain:add><domain:status s="clientHold">On hold.'
            "</domain:status></domain:add></domain:update></update>",
        ]
        for op in ("request", "query", "approve", "reject", "cancel"):
            bodies.append(f'<transfer op="{op}"><domain:transfer>{n}{auth.format("secret-1")}'
                          "</domain:transfer></transfer>")
    for host in ("ns1.mine.test", "ns2.mine.test", "ns1.missing.test", "ns.outside.example"):
        h = f"<host:name>{host}</host:name>"
        bodies += [
            f"<check><host:check>{h}</host:check></check>",
            f"<info><host:info>{h}</host:info></info>",
            f"<create><host:create>{h}</host:create></create>",
            f'<create><host:create>{h}<host:addr ip="v4">192.0.2.1</host:addr></host:create>'
            "</create>",
            f"<delete><host:delete>{h}</host:delete></delete>",
            f'<update><host:update>{h}<host:add><host:addr ip="v6">2001:db8::1</host:addr>'
            "</host:add></host:update></update>",
        ]
    for handle in ("mine-c", "missing-c"):
        c = f"<contact:id>{handle}</contact:id>"
        cauth = "<contact:authInfo><contact:pw>c-secret</contact:pw></contact:authInfo>"
        bodies += [
            f"<check><contact:check>{c}</contact:check></check>",
            f"<info><contact:info>{c}</contact:info></info>",
            f"<info><contact:info>{c}{cauth}</contact:info></info>",
            f"<delete><contact:delete>{c}</contact:delete></delete>",
            f'<update><contact:update>{c}<contact:add><contact:status s="clientDeleteProhibited"/>'
            "</contact:add></contact:update></update>",
        ]
        for op in ("request", "query", "approve", "reject", "cancel"):
            bodies.append(f'<transfer op="{op}"><contact:transfer>{c}{cauth}'
                          "</contact:transfer></transfer>")
    bodies.append("<create><domain:create><domain:name>attr.test</domain:name><domain:ns>"
                  "<domain:hostAttr><domain:hostName>ns.example.net</domain:hostName>"
                  f"</domain:hostAttr></domain:ns>{auth.format('pw-12345')}</domain:create>"
                  "</create>")
    bodies += ['<poll op="req"/>', '<poll op="ack" msgID="999999"/>', '<poll op="ack"/>',
               # mine-c now has clientDeleteProhibited (added above by its sponsor)
               "<delete><contact:delete><contact:id>mine-c</contact:id></contact:delete>"
               "</delete>"]
    return bodies


def test_every_command_and_error_path_answers_valid_epp(sandbox: Sandbox, client: EppClient,
                                                        rival: EppClient) -> None:
    assert client.contact_create("mine-c").code == 1000
    assert client.domain_create("mine.test", registrant="mine-c").code == 1000
    assert client.host_create("ns1.mine.test", "192.0.2.10").code == 1000
    anonymous = EppClient(sandbox, "rival")
    codes: set[int] = set()
    for body in _commands():
        # The test client validates every answer against the schemas.
        assert anonymous.command(body).code == 2002
        for session in (rival, client):
            reply = session.command(body)
            assert reply.code != 2400, (body, reply)
            codes.add(reply.code)
    anonymous.close()
    # The matrix reached the error paths, not only successes.
    assert {2003, 2004, 2005, 2102, 2106, 2201, 2202, 2301, 2302, 2303, 2304, 2306} <= codes
