"""The server's per-command shortcuts keep every behaviour.

- Clock offset and fault switches are cached and re-read once per command when another
  connection (a test, the CLI, another process) committed: the very next command sees a change.
- Responses are written as text around serialised elements: byte for byte what the lxml tree
  gives.
"""

from __future__ import annotations

import copy
import subprocess
import sys

import pytest
from sandbox_client import EppClient

from bureau.sandbox import store
from bureau.sandbox.clock import Clock
from bureau.sandbox.faults import Faults
from bureau.sandbox.responses import MsgQ, Result, render, render_tree
from bureau.sandbox.testing import Sandbox
from bureau.sandbox.xmlio import el, fromstring, sub


def test_fault_set_by_another_connection_is_seen_by_the_next_command(
        client: EppClient, sandbox: Sandbox) -> None:
    assert client.domain_check("a.test").code == 1000
    other = store.connect(sandbox.db_path)
    try:
        Faults(other).fail("domain:check")
        assert client.domain_check("a.test").code == 2400
        assert client.domain_check("a.test").code == 1000  # fired once
        Faults(other).fail(None, times=None)
        assert client.domain_check("a.test").code == 2400
        assert client.domain_info("a.test").code == 2400
        Faults(other).clear()
        assert client.domain_check("a.test").code == 1000
    finally:
        other.close()


def test_fault_set_by_another_process_is_seen_by_the_next_command(
        client: EppClient, sandbox: Sandbox) -> None:
    assert client.domain_check("a.test").code == 1000
    code = ("import sys; from bureau.sandbox import store;"
            " from bureau.sandbox.faults import Faults;"
            " Faults(store.connect(sys.argv[1])).fail('domain:check')")
    subprocess.run([sys.executable, "-c", code, str(sandbox.db_path)], check=True)
    assert client.domain_check("a.test").code == 2400
    assert client.domain_check("a.test").code == 1000


def test_clock_moved_by_another_connection_is_seen_by_the_next_command(
        client: EppClient, sandbox: Sandbox) -> None:
    assert client.domain_create("clocked.test").code == 1000
    year = int(client.domain_info("clocked.test").text("//domain:exDate")[:4])
    other = store.connect(sandbox.db_path)
    try:
        Clock(other).advance(days=400)  # past expiry: the next command auto-renews first
        info = client.domain_info("clocked.test")
        assert int(info.text("//domain:exDate")[:4]) == year + 1
        hello = client.send('<epp xmlns="urn:ietf:params:xml:ns:epp-1.0"><hello/></epp>')
        assert int(hello.text("//e:svDate")[:4]) >= year
    finally:
        other.close()


def _results() -> list[tuple[Result, str | None]]:
    chk = el("domain:chkData")
    cd = sub(chk, "domain:cd")
    sub(cd, "domain:name", "a.test", {"avail": "1"})
    parsed = fromstring(
        '<contact:infData xmlns:contact="urn:ietf:params:xml:ns:contact-1.0"'
        ' xmlns="urn:ietf:params:xml:ns:epp-1.0"'
        ' xmlns:domain="urn:ietf:params:xml:ns:domain-1.0">'
        '<contact:id>c-1</contact:id><contact:postalInfo type="loc">'
        "<contact:name>Coopérative &amp; Co</contact:name></contact:postalInfo>"
        "<svTRID>x</svTRID></contact:infData>")
    fee = el("fee:chkData")
    sub(fee, "fee:currency", "EUR")
    return [
        (Result(resdata=[chk]), "BUREAU-1"),
        (Result(1000, resdata=[parsed], extension=[fee]), "T-2"),
        (Result(2005, "bad <value> & \"quotes\" 'é' > 漢字"), "a&b<c>"),
        (Result(2400, "line\nbreak\rand\ttab"), None),  # left to lxml
        (Result(1301, msgq=MsgQ(3, 7, 1_800_000_000, "Domain x.test purged")), "T-3"),
        (Result(1000, msgq=MsgQ(2, 5)), "T-4"),
        (Result(1300, msgq=MsgQ(0)), None),
        (Result(1500, close=True), "T-5"),
    ]


@pytest.mark.parametrize("index", range(len(_results())))
def test_render_is_byte_for_byte_the_tree(index: int) -> None:
    result, cltrid = _results()[index]
    twin = copy.deepcopy(result)  # render_tree moves the elements into its tree
    assert render(result, cltrid, "SBX-1-2") == render_tree(twin, cltrid, "SBX-1-2")
