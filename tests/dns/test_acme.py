"""ACME DNS-01 credentials: a member's TSIG key gets a certificate for a name and its
wildcard from an ACME CA (Debian's pebble) with certbot's rfc2136 plugin, and can change
nothing else."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import dns.message
import dns.name
import dns.query
import dns.rcode
import dns.tsig
import dns.tsigkeyring
import dns.update
import pytest
from programs import require_program

from bureau.core import clock
from bureau.dns import conf
from bureau.dns.models import AcmeCredential, ChangeKind
from bureau.dns.operations.credentials import (
    IssuedCredential,
    create_credential,
    revoke_credential,
    revoke_expired,
)
from bureau.dns.operations.errors import CredentialRefused

REFUSALS = (dns.rcode.REFUSED, dns.rcode.NOTAUTH)
pytestmark = pytest.mark.django_db(transaction=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _send(issued: IssuedCredential, zone: str, owner: str, rtype: str,
          content: str | None = None, *, delete: bool = False) -> int:
    """One RFC 2136 update signed with the credential; the rcode (NOTAUTH for a refused key)."""
    keyring = dns.tsigkeyring.from_text({issued.credential.key_name: issued.secret})
    update = dns.update.UpdateMessage(zone, keyring=keyring,
                                      keyalgorithm=dns.tsig.HMAC_SHA256)
    if delete:
        update.delete(owner, rtype)
    else:
        update.add(owner, 60, rtype, content)
    # The response is read without checking its TSIG: a refused key gets an unsigned NOTAUTH.
    with socket.create_connection((issued.server, issued.port), timeout=5) as sock:
        dns.query.send_tcp(sock, update)
        response, _at = dns.query.receive_tcp(sock, time.time() + 5, keyring=False)
    return response.rcode()


def _txt(zone: str, owner: str) -> list[str]:
    rrset = conf.client().get_zone(zone).rrset(owner, "TXT")
    return sorted(rrset.contents) if rrset else []


def _rrsets_of(rrsets: Any) -> set[tuple[str, str, tuple[str, ...]]]:
    return {(r.name, r.rtype, tuple(sorted(r.contents))) for r in rrsets if r.rtype != "SOA"}


def _rrsets(zone: str) -> set[tuple[str, str, tuple[str, ...]]]:
    return _rrsets_of(conf.client().get_zone(zone).rrsets)


def test_the_key_changes_only_its_challenge_records(
        member: Any, hosted_zone: Callable[..., Any]) -> None:
    zone = hosted_zone()
    other_zone = hosted_zone()
    actor = member
    issued = create_credential(zone=zone, actor=actor, name="www")
    name = f"www.{zone.name}"
    challenge = f"_acme-challenge.{name}"

    assert _send(issued, zone.name, challenge, "TXT", '"token-1"') == dns.rcode.NOERROR
    assert _txt(zone.name, challenge) == ['"token-1"']
    # Anything else is refused (PowerDNS drops each record its policy refuses, and says so
    # in its log): another type, another name, the apex, another zone.
    before = conf.client().get_zone(zone.name).rrsets
    other_before = conf.client().get_zone(other_zone.name).rrsets
    _send(issued, zone.name, challenge, "A", "192.0.2.1")
    _send(issued, zone.name, name, "A", "192.0.2.1")
    _send(issued, zone.name, f"_acme-challenge.{zone.name}", "TXT", '"x"')
    _send(issued, zone.name, zone.name, "NS", "ns.evil.test.")
    _send(issued, zone.name, zone.name, "SOA", delete=True)
    _send(issued, other_zone.name, f"_acme-challenge.www.{other_zone.name}", "TXT", '"x"')
    _send(issued, other_zone.name, other_zone.name, "NS", delete=True)
    assert _rrsets(zone.name) == _rrsets_of(before)
    assert _rrsets(other_zone.name) == _rrsets_of(other_before)

    assert _send(issued, zone.name, challenge, "TXT", delete=True) == dns.rcode.NOERROR
    assert _txt(zone.name, challenge) == []

    revoke_credential(credential=issued.credential, actor=actor)
    assert _send(issued, zone.name, challenge, "TXT", '"late"') in REFUSALS
    assert _txt(zone.name, challenge) == []
    summaries = [c.summary for c in zone.changes.filter(kind=ChangeKind.CREDENTIAL)]
    assert summaries == [f"ACME credential {issued.credential.key_name} created for {challenge}",
                         f"ACME credential {issued.credential.key_name} revoked"]


def test_credentials_expire_and_bad_input_is_refused(
        member: Any, hosted_zone: Callable[..., Any]) -> None:
    zone = hosted_zone()
    actor = member
    with pytest.raises(CredentialRefused, match="outside the zone"):
        create_credential(zone=zone, actor=actor, name="www.elsewhere.test.")
    with pytest.raises(CredentialRefused, match="future"):
        create_credential(zone=zone, actor=actor, name="www",
                          expires_at=clock.now() - timedelta(minutes=1))
    issued = create_credential(zone=zone, actor=actor, name="*.shop",
                               expires_at=clock.now() + timedelta(seconds=1))
    assert issued.credential.name == f"shop.{zone.name}"
    challenge = f"_acme-challenge.shop.{zone.name}"
    assert _send(issued, zone.name, challenge, "TXT", '"ok"') == dns.rcode.NOERROR
    time.sleep(1.1)
    assert revoke_expired() == 1
    assert AcmeCredential.objects.get().revoked_at is not None
    assert _send(issued, zone.name, challenge, "TXT", '"late"') in REFUSALS
    assert _txt(zone.name, challenge) == ['"ok"']


@pytest.fixture
def pebble(tmp_path: Path, pdns: Any) -> Iterator[tuple[str, Path]]:
    """Debian's pebble on loopback, checking challenges through Bureau's PowerDNS."""
    binary = require_program("pebble", "pebble")
    openssl = require_program("openssl", "openssl")
    cert, key = tmp_path / "pebble.pem", tmp_path / "pebble.key"
    subprocess.run([openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-keyout", str(key), "-out", str(cert), "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
                   check=True, capture_output=True)
    port = _free_port()
    config = tmp_path / "pebble.json"
    config.write_text(json.dumps({"pebble": {
        "listenAddress": f"127.0.0.1:{port}",
        "managementListenAddress": f"127.0.0.1:{_free_port()}",
        "certificate": str(cert), "privateKey": str(key),
        "httpPort": _free_port(), "tlsPort": _free_port(),
        "ocspResponderURL": "", "externalAccountBindingRequired": False}}))
    env = dict(os.environ, PEBBLE_VA_NOSLEEP="1", PEBBLE_WFE_NONCEREJECT="0",
               PEBBLE_AUTHZREUSE="0")
    log = (tmp_path / "pebble.log").open("w")
    process = subprocess.Popen([binary, "-config", str(config),
                                "-dnsserver", f"127.0.0.1:{pdns.dns_port}"],
                               env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    pytest.fail("pebble did not start: " + (tmp_path / "pebble.log").read_text())
                time.sleep(0.1)
        yield f"https://127.0.0.1:{port}/dir", cert
    finally:
        process.terminate()
        process.wait(10)
        log.close()


def test_certbot_gets_a_certificate_with_only_the_credential(
        member: Any, hosted_zone: Callable[..., Any], pebble: tuple[str, Path],
        tmp_path: Path) -> None:
    certbot = require_program("certbot", "certbot and python3-certbot-dns-rfc2136")
    directory, ca_cert = pebble
    zone = hosted_zone()
    name = zone.name.rstrip(".")
    issued = create_credential(zone=zone, actor=member, name="@")
    credentials = tmp_path / "rfc2136.ini"
    credentials.write_text(issued.certbot_ini)  # as the member pastes it
    credentials.chmod(0o600)
    result = subprocess.run(
        [certbot, "certonly", "--non-interactive", "--agree-tos",
         "--register-unsafely-without-email", "--server", directory,
         "--config-dir", str(tmp_path / "config"), "--work-dir", str(tmp_path / "work"),
         "--logs-dir", str(tmp_path / "logs"), "--cert-name", "member",
         "--authenticator", "dns-rfc2136", "--dns-rfc2136-credentials", str(credentials),
         "--dns-rfc2136-propagation-seconds", "1", "-d", name, "-d", f"*.{name}"],
        env=dict(os.environ, REQUESTS_CA_BUNDLE=str(ca_cert)),
        capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    sans = subprocess.run(
        ["openssl", "x509", "-noout", "-ext", "subjectAltName", "-in",
         str(tmp_path / "config" / "live" / "member" / "cert.pem")],
        capture_output=True, text=True, check=True).stdout
    assert f"DNS:{name}" in sans and f"DNS:*.{name}" in sans
    # certbot removed its challenge records, and Bureau's records still match PowerDNS.
    assert _txt(zone.name, f"_acme-challenge.{zone.name}") == []


def test_api_creates_lists_and_revokes(user: Any, member: Any,
                                       hosted_zone: Callable[..., Any]) -> None:
    from rest_framework.test import APIClient

    from bureau.dns.operations.credentials import update_server

    api = APIClient()
    api.force_authenticate(user)
    zone = hosted_zone()
    base = f"/api/v1/dns/zones/{zone.name.rstrip('.')}/acme-credentials/"

    refused = api.post(base, {"name": "www.elsewhere.test."}, format="json")
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "name"

    created = api.post(base, {"name": "www"}, format="json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert f"dns_rfc2136_secret = {body['secret']}" in body["certbot_ini"]
    assert f"RFC2136_TSIG_KEY={body['key_name']}" in body["lego_env"]
    listed = api.get(base).json()["results"]
    assert [c["key_name"] for c in listed] == [body["key_name"]]
    assert "secret" not in listed[0]  # shown once

    credential = AcmeCredential.objects.get(pk=body["id"])
    server, port = update_server()
    issued = IssuedCredential(credential, body["secret"], server, port)
    challenge = f"_acme-challenge.www.{zone.name}"
    assert _send(issued, zone.name, challenge, "TXT", '"api"') == dns.rcode.NOERROR
    assert _txt(zone.name, challenge) == ['"api"']

    assert api.delete(f"{base}{body['id']}/").status_code == 204
    assert api.get(base).json()["results"] == []
    assert _send(issued, zone.name, challenge, "TXT", delete=True) in REFUSALS
    assert _txt(zone.name, challenge) == ['"api"']
    kinds = [c["kind"] for c in api.get(
        f"/api/v1/dns/zones/{zone.name.rstrip('.')}/history/").json()["results"]]
    assert kinds.count("credential") == 2


def test_cli_creates_lists_and_revokes(member: Any, hosted_zone: Callable[..., Any]) -> None:
    from io import StringIO

    from django.core.management import call_command

    zone = hosted_zone()
    out = StringIO()
    call_command("dns_acme", "create", zone.name.rstrip("."), "www", stdout=out)
    settings_ = dict(line.split(" = ", 1) for line in out.getvalue().splitlines()
                     if line.startswith("dns_rfc2136_"))
    credential = AcmeCredential.objects.get(zone=zone)
    assert settings_["dns_rfc2136_name"] == credential.key_name
    issued = IssuedCredential(credential, settings_["dns_rfc2136_secret"],
                              settings_["dns_rfc2136_server"],
                              int(settings_["dns_rfc2136_port"]))
    challenge = f"_acme-challenge.www.{zone.name}"
    assert _send(issued, zone.name, challenge, "TXT", '"cli"') == dns.rcode.NOERROR

    listing = StringIO()
    call_command("dns_acme", "list", zone.name, stdout=listing)
    assert credential.key_name in listing.getvalue()
    call_command("dns_acme", "revoke", credential.key_name, stdout=StringIO())
    assert _send(issued, zone.name, challenge, "TXT", delete=True) in REFUSALS
    assert _txt(zone.name, challenge) == ['"cli"']
