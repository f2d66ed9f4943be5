"""Fault switches: drop before/after, delay, 2400, close after N commands."""

from __future__ import annotations

import time

import pytest
from sandbox_client import EppClient

from bureau.sandbox.testing import Sandbox


def test_drop_before_has_no_effect(client: EppClient, sandbox: Sandbox) -> None:
    sandbox.faults.drop_before("domain:create")
    with pytest.raises(ConnectionError):
        client.domain_create("never.test")
    again = EppClient(sandbox)
    again.login()
    assert again.domain_check("never.test").text("//domain:name/@avail") == "1"
    assert again.domain_create("never.test").code == 1000  # the switch fired once only
    again.close()


def test_drop_after_takes_effect_without_answer(client: EppClient, sandbox: Sandbox) -> None:
    sandbox.faults.drop_after("domain:create")
    with pytest.raises(ConnectionError):
        client.domain_create("unknown-outcome.test")
    again = EppClient(sandbox)
    again.login()
    # The outcome was unknown to the client, but the registry did create the name.
    assert again.domain_info("unknown-outcome.test").code == 1000
    again.close()


def test_fail_answers_2400_only_for_the_target(client: EppClient, sandbox: Sandbox) -> None:
    sandbox.faults.fail("domain:create", times=2)
    assert client.domain_check("a.test").code == 1000
    assert client.domain_create("f.test").code == 2400
    assert client.domain_create("f.test").code == 2400
    assert client.domain_create("f.test").code == 1000
    assert sandbox.faults.active() == []


def test_delay(client: EppClient, sandbox: Sandbox) -> None:
    sandbox.faults.delay(300, "domain:check")
    started = time.monotonic()
    assert client.domain_check("slow.test").code == 1000
    assert time.monotonic() - started >= 0.3
    started = time.monotonic()
    client.domain_check("slow.test")
    assert time.monotonic() - started < 0.3


def test_close_after_n_commands(sandbox: Sandbox) -> None:
    sandbox.faults.close_after(3)
    c = EppClient(sandbox)
    c.login()  # 1
    c.domain_check("a.test")  # 2
    assert c.domain_check("b.test").code == 1000  # 3, answered, then closed
    with pytest.raises((ConnectionError, OSError)):
        c.domain_check("c.test")
    c.close()


def test_switch_for_every_command_until_cleared(client: EppClient, sandbox: Sandbox) -> None:
    sandbox.faults.fail(None, times=None)
    assert client.domain_check("a.test").code == 2400
    assert client.poll().code == 2400
    sandbox.faults.clear()
    assert client.domain_check("a.test").code == 1000


def test_faults_from_the_cli(client: EppClient, sandbox: Sandbox) -> None:
    from bureau.sandbox.cli import main

    state = sandbox.db_path.parent
    assert main(["--state-dir", str(state), "fault", "add", "fail", "--command",
                 "domain:info"]) == 0
    client.domain_create("cli.test")
    assert client.domain_info("cli.test").code == 2400
    assert client.domain_info("cli.test").code == 1000
