"""Independent RDAP clients follow the chain offline: from the sandbox registry's bootstrap
file (RFC 9224) to the registry's thin answer, then by its `related` link to Bureau's answer
through a real HTTP server."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import whoisit

from bureau.registrar.accounts.models import Organisation
from bureau.registrar.contacts.models import Contact
from bureau.registrar.operations import register
from bureau.registrar.operations.common import Actor
from bureau.sandbox.testing import Sandbox

RDAP_COMMAND = Path(sys.executable).parent / "rdap"


@pytest.fixture
def chain(live_server: Any, settings: Any, sandbox: Sandbox, member: Actor,
          organisation: Organisation, contact: Contact) -> dict[str, Any]:
    base = live_server.url + "/rdap/"
    settings.BUREAU_RDAP_BASE_URL = base
    settings.BUREAU_RDAP_IANA_ID = "9999"
    settings.BUREAU_RDAP_BOOTSTRAP_FILE = str(sandbox.state_dir / "rdap" / "dns.json")
    settings.BUREAU_RDAP_RATE = "1000/m"
    sandbox.operator.set_rdap_url("bureau", base)
    register.register(organisation=organisation, actor=member, name="chaine.test",
                      registrant=contact)
    bootstrap = json.loads((sandbox.state_dir / "rdap" / "dns.json").read_text())
    return {"base": base, "bootstrap": bootstrap}


def rdap_command(tmp_path: Path, base_url: str, name: str) -> dict[str, Any]:
    assert RDAP_COMMAND.exists(), "the `rdap` command is missing: pip install rdap (PyPI)"
    home = tmp_path / f"rdap-home-{abs(hash(base_url))}"
    home.mkdir(exist_ok=True)
    (home / "config.yaml").write_text(f"rdap:\n  bootstrap_url: {base_url}\n")
    done = subprocess.run([str(RDAP_COMMAND), "--home", str(home), "--output-format", "json",
                           name], capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_rdap_command_follows_bootstrap_then_related(chain: dict[str, Any],
                                                     tmp_path: Path) -> None:
    _tlds, urls = next(s for s in chain["bootstrap"]["services"] if "test" in s[0])
    thin = rdap_command(tmp_path, urls[0], "chaine.test")
    assert thin["ldhName"] == "chaine.test"
    related = next(link["href"] for link in thin["links"] if link["rel"] == "related")
    assert related == chain["base"] + "domain/chaine.test"
    # The `rdap` command does not follow `related` links itself: the next step is its own.
    full = rdap_command(tmp_path, related.removesuffix("domain/chaine.test"), "chaine.test")
    assert full["rdapConformance"][-1] == "redacted"
    assert any(e["roles"] == ["registrar"] and e["handle"] == "9999" for e in full["entities"])
    assert {r["name"]["type"] for r in full["redacted"]} >= {"Registrant Name"}


def test_whoisit_follows_the_chain(chain: dict[str, Any]) -> None:
    # whoisit loads the five IANA registries or none: the number ones get documentation
    # ranges (RFC 5398, 5737, 3849) pointing at the sandbox, never queried here.
    registry_url = chain["bootstrap"]["services"][0][1]

    def placeholder(selector: str) -> dict[str, Any]:
        return {"services": [[[selector], registry_url]]}

    data = {"timestamp": 1, "dns": chain["bootstrap"], "asn": placeholder("64496-64511"),
            "ipv4": placeholder("192.0.2.0/24"), "ipv6": placeholder("2001:db8::/32"),
            "object": {"services": [[["sandbox"], ["SANDBOX"], registry_url]]}}
    whoisit.clear_bootstrapping()
    whoisit.load_bootstrap_data(json.dumps(data), allow_insecure=True)
    try:
        answer = whoisit.domain("chaine.test", follow_related=True, include_raw=True)
    finally:
        whoisit.clear_bootstrapping()
    assert answer["name"] == "chaine.test"
    # Bureau's answer overlays the registry's: its registrar entity and redactions are there.
    assert answer["raw"]["rdapConformance"][-1] == "redacted"
    assert answer["entities"]["registrar"][0]["public_ids"] == [
        {"type": "IANA Registrar ID", "identifier": "9999"}]
    assert answer["entities"]["abuse"][0]["emails"]
    assert "Registrant Name" in answer["redacted"]
    assert answer["entities"]["registrant"][0]["name"] == ""
