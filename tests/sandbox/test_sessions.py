"""Session rules: failed logins, session limit, objects and extensions offered."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from sandbox_client import EppClient

from bureau.sandbox.policy import default_config
from bureau.sandbox.testing import Sandbox, start_sandbox


def test_three_failed_logins_close_the_session(sandbox: Sandbox) -> None:
    c = EppClient(sandbox)
    assert c.login(password="wrong-1").code == 2200
    assert c.login(password="wrong-2").code == 2200
    assert c.login(password="wrong-3").code == 2501
    with pytest.raises((ConnectionError, OSError)):
        c.login()
    c.close()


def test_session_limit(tmp_path: Path, cert_dir: Path) -> None:
    config = replace(default_config(), session_limit=1)
    with start_sandbox(cert_dir, config, db_path=tmp_path / "db.sqlite3") as sb:
        first = EppClient(sb)
        assert first.login().code == 1000
        second = EppClient(sb)
        assert second.login().code == 2502
        first.command("<logout/>")
        first.close()
        third = EppClient(sb)
        assert third.login().code == 1000
        third.close()
        second.close()


def test_unknown_extension_at_login(sandbox: Sandbox) -> None:
    c = EppClient(sandbox)
    reply = c.login(extensions=("epp:unknown-1.0",))
    assert reply.code == 2103
    c.close()


def test_bdn_rdn_must_match(client: EppClient) -> None:
    reply = client.domain_create("match.ngo", extension="<b-dn:create><b-dn:rdn>other.ngo"
                                 "</b-dn:rdn></b-dn:create>")
    assert reply.code == 2306
    reply = client.domain_create("match.ngo", extension="<b-dn:create><b-dn:rdn>match.ngo"
                                 "</b-dn:rdn></b-dn:create>")
    assert reply.code == 1000


def test_idle_session_is_closed(tmp_path: Path, cert_dir: Path) -> None:
    import time

    config = replace(default_config(), idle_timeout=0.3)
    with start_sandbox(cert_dir, config, db_path=tmp_path / "db.sqlite3") as sb:
        c = EppClient(sb)
        assert c.login().code == 1000
        time.sleep(0.6)
        with pytest.raises((ConnectionError, OSError)):
            c.domain_check("late.test")
        c.close()


def test_poll_queue_counts_and_ack(client: EppClient, rival: EppClient) -> None:
    for name in ("p1.test", "p2.test"):
        assert client.domain_create(name).code == 1000
        assert rival.domain_transfer("request", name, "secret-1").code == 1001
    first = client.poll()
    assert first.code == 1301
    assert first.text("//e:msgQ/@count") == "2"
    assert first.text("//e:msgQ/e:qDate")
    assert "p1.test" in first.text("//e:msgQ/e:msg")
    again = client.poll()  # not acknowledged: the same message comes back
    assert again.text("//e:msgQ/@id") == first.text("//e:msgQ/@id")
    ack = client.ack(first.text("//e:msgQ/@id"))
    assert ack.code == 1000 and ack.text("//e:msgQ/@count") == "1"
    assert rival.ack(client.poll().text("//e:msgQ/@id")).code == 2303  # not rival's message
    assert client.poll().text("//domain:name") == "p2.test"
