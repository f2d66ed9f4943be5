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
