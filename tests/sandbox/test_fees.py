"""RFC 8748 fees: check with classes and periods, premium names, client fee too low, balance."""

from __future__ import annotations

from pathlib import Path

from sandbox_client import EppClient

from bureau.sandbox.testing import start_sandbox

FEE_CHECK = ('<fee:check><fee:currency>EUR</fee:currency>'
             '<fee:command name="create"><fee:period unit="y">2</fee:period></fee:command>'
             '<fee:command name="renew"/><fee:command name="transfer"/>'
             '<fee:command name="restore"/></fee:check>')


def fee_create(amount: str, currency: str = "EUR") -> str:
    return (f"<fee:create><fee:currency>{currency}</fee:currency><fee:fee>{amount}</fee:fee>"
            "</fee:create>")


def test_fee_check_standard_and_premium(client: EppClient) -> None:
    reply = client.domain_check("plain.test", "shop.test", "x.nowhere", extension=FEE_CHECK)
    assert reply.code == 1000
    assert reply.text("//fee:chkData/fee:currency") == "EUR"
    cds = reply.xpath("//fee:cd")
    by_name = {cd.findtext("{*}objID"): cd for cd in cds}
    plain = by_name["plain.test"]
    assert plain.findtext("{*}class") == "standard"
    fees = {c.get("name"): c.findtext("{*}fee") for c in plain.findall("{*}command")}
    assert fees == {"create": "16.00", "renew": "8.00", "transfer": "8.00", "restore": "40.00"}
    shop = by_name["shop.test"]
    assert shop.findtext("{*}class") == "premium"
    assert shop.find("{*}command").findtext("{*}fee") == "500.00"
    assert by_name["x.nowhere"].get("avail") == "0"


def test_premium_create_needs_enough_fee(client: EppClient) -> None:
    assert client.domain_create("shop.test").code == 2306  # no fee extension
    low = client.domain_create("shop.test", extension=fee_create("10.00"))
    assert low.code == 2004 and "250.00" in low.msg
    assert client.domain_create("shop.test", extension=fee_create("250.00", "USD")).code == 2306
    ok = client.domain_create("shop.test", extension=fee_create("250.00"))
    assert ok.code == 1000
    assert ok.text("//fee:creData/fee:fee") == "250.00"
    assert ok.text("//fee:creData/fee:balance") == "99750.00"
    # A standard name with a fee extension offering too little is refused too.
    assert client.domain_create("cheap.test", extension=fee_create("1.00")).code == 2004


def test_billing_failure_when_balance_is_short(tmp_path: Path, cert_dir: Path) -> None:
    config = tmp_path / "sandbox.toml"
    config.write_text('[[registrars]]\nid = "bureau"\npassword = "bureau-secret"\n'
                      'balance = "10.00"\n[[registrars]]\nid = "rival"\n'
                      'password = "rival-secret"\n')
    with start_sandbox(cert_dir, config_file=config, db_path=tmp_path / "db.sqlite3") as sb:
        c = EppClient(sb)
        assert c.login().code == 1000
        assert c.domain_create("one.test").code == 1000
        reply = c.domain_create("two.test")
        assert reply.code == 2104 and "balance" in reply.msg
        c.close()
