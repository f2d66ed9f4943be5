"""The sandbox registry's RDAP: its bootstrap file, thin domain answers with the `related`
link to the sponsor's RDAP, and RDAP errors, over real HTTP."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

from sandbox_client import EppClient

from bureau.sandbox.testing import Sandbox


def fetch(url: str, method: str = "GET") -> tuple[int, dict[str, str], Any]:
    request = urllib.request.Request(url, method=method,
                                     headers={"Accept": "application/rdap+json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            raw = response.read()
            return response.status, dict(response.headers), json.loads(raw) if raw else None
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), json.loads(exc.read())


def test_bootstrap_names_every_tld(sandbox: Sandbox) -> None:
    status, _headers, body = fetch(sandbox.rdap.bootstrap_url)
    assert status == 200 and body["version"] == "1.0"
    assert body["services"] == [[sorted(sandbox.config.tlds), [sandbox.rdap.base_url]]]
    written = json.loads((sandbox.state_dir / "rdap" / "dns.json").read_text())
    assert written["services"] == body["services"]


def test_thin_answer_links_to_the_sponsor(client: EppClient, sandbox: Sandbox) -> None:
    assert client.domain_create("mince.test").code == 1000
    status, _h, body = fetch(sandbox.rdap.base_url + "domain/mince.test")
    assert status == 200 and body["ldhName"] == "mince.test"
    assert [link["rel"] for link in body["links"]] == ["self"]  # no RDAP URL configured yet
    sandbox.operator.set_rdap_url("bureau", "http://rdap.bureau.example/")
    status, headers, body = fetch(sandbox.rdap.base_url + "domain/MINCE.test")
    related = next(link for link in body["links"] if link["rel"] == "related")
    assert related["href"] == "http://rdap.bureau.example/domain/mince.test"
    assert headers["Content-Type"] == "application/rdap+json"
    assert headers["Access-Control-Allow-Origin"] == "*"
    assert body["entities"][0]["roles"] == ["registrar"]
    assert "inactive" in body["status"] and "add period" in body["status"]
    assert {e["eventAction"] for e in body["events"]} >= {"registration", "expiration"}
    assert fetch(sandbox.rdap.base_url + "domain/mince.test", "HEAD")[2] is None


def test_bundled_idn_name_answers(client: EppClient, sandbox: Sandbox) -> None:
    b_dn = ("<b-dn:create xmlns:b-dn='urn:ietf:params:xml:ns:epp:b-dn'>"
            "<b-dn:rdn uLabel='atelier.ngo'>atelier.ngo</b-dn:rdn></b-dn:create>")
    client.domain_create("atelier.ngo", extension=b_dn)
    status, _h, body = fetch(sandbox.rdap.base_url + "domain/atelier.ong")
    assert status == 200 and body["ldhName"] == "atelier.ong"


def test_errors_are_rdap_error_objects(sandbox: Sandbox) -> None:
    base = sandbox.rdap.base_url
    for path, code in [("domain/absent.test", 404), ("domain/x.nowhere", 404),
                       ("domain/-.test", 400), ("domains?name=a*", 501), ("other", 400)]:
        status, _h, body = fetch(base + path)
        assert (status, body["errorCode"]) == (code, code), path
