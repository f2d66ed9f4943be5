"""ACME DNS-01 credentials: a member's TSIG key gets a certificate for a name and its
wildcard from an ACME CA (Debian's pebble) with certbot's rfc2136 plugin, and can change
nothing else. Updates go to Bureau's own RFC 2136 door (bureau.dns.updates), which stores
each change, writes it in the zone's history and publishes it: Bureau's view of the zone and
PowerDNS's stay equal."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from io import StringIO
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
from django.core.management import call_command
from django.test import Client
from logins import authenticated
from programs import require_program
from rest_framework.test import APIClient

from bureau.audit.operations.tokens import create_token
from bureau.core import clock
from bureau.dns import conf
from bureau.dns.dnssec import validated_answer
from bureau.dns.models import AcmeCredential, ChangeKind, Zone
from bureau.dns.operations.credentials import (
    IssuedCredential,
    create_credential,
    revoke_credential,
    revoke_expired,
    update_server,
)
from bureau.dns.operations.errors import CredentialRefused
from bureau.dns.operations.publishing import push_zone
from bureau.dns.updates import serve
from bureau.registrar.operations.common import Actor

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("update_door")]


@pytest.fixture
def update_door(dns_settings: Any) -> Iterator[int]:
    """Bureau's RFC 2136 door on a free loopback port, as `bureau dns_updates` runs it."""
    loop = asyncio.new_event_loop()
    started = threading.Event()
    port: list[int] = []

    def ready(bound: int) -> None:
        port.append(bound)
        started.set()

    task = loop.create_task(serve("127.0.0.1", 0, ready))

    def run() -> None:
        with contextlib.suppress(asyncio.CancelledError):
            loop.run_until_complete(task)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    assert started.wait(10), "the update door did not start"
    dns_settings.BUREAU_DNS_UPDATE_LISTEN = f"127.0.0.1:{port[0]}"
    yield port[0]
    loop.call_soon_threadsafe(task.cancel)
    thread.join(10)


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
    with socket.create_connection((issued.server, issued.port), timeout=10) as sock:
        dns.query.send_tcp(sock, update)
        response, _at = dns.query.receive_tcp(sock, time.time() + 10, keyring=False)
    return response.rcode()


def _bureau_view(zone: Zone) -> set[tuple[str, str, tuple[str, ...]]]:
    """Bureau's records of the zone, as RRsets (the apex NS comes from the zone's servers)."""
    rrsets: dict[tuple[str, str], list[str]] = {}
    for record in zone.records.all():
        rrsets.setdefault((record.name, record.rtype), []).append(record.content)
    return {(n, t, tuple(sorted(c))) for (n, t), c in rrsets.items()}


def _powerdns_view(zone: Zone) -> set[tuple[str, str, tuple[str, ...]]]:
    return {r for r in _rrsets(zone.name) if not (r[0] == zone.name and r[1] == "NS")
            and r[1] not in ("DNSKEY", "CDS", "CDNSKEY", "NSEC3PARAM")}


def _txt(zone: str, owner: str) -> list[str]:
    rrset = conf.client().get_zone(zone).rrset(owner, "TXT")
    return sorted(rrset.contents) if rrset else []


def _rrsets_of(rrsets: Any) -> set[tuple[str, str, tuple[str, ...]]]:
    return {(r.name, r.rtype, tuple(sorted(r.contents))) for r in rrsets if r.rtype != "SOA"}


def _rrsets(zone: str) -> set[tuple[str, str, tuple[str, ...]]]:
    return _rrsets_of(conf.client().get_zone(zone).rrsets)


def test_the_key_changes_only_its_challenge_records(
        member: Any, hosted_zone: Callable[..., Any], pdns: Any) -> None:
    zone = hosted_zone()
    other_zone = hosted_zone()
    issued = create_credential(zone=zone, actor=member, name="www")
    name = f"www.{zone.name}"
    challenge = f"_acme-challenge.{name}"

    assert _send(issued, zone.name, challenge, "TXT", '"token-1"') == dns.rcode.NOERROR
    assert _txt(zone.name, challenge) == ['"token-1"']
    zone.refresh_from_db()
    assert _bureau_view(zone) == _powerdns_view(zone)
    # Signed like any change: the challenge validates from the zone's DS.
    answer = validated_answer("127.0.0.1", zone.name, challenge, "TXT", zone.ds_wanted,
                              port=pdns.dns_port)
    assert [rd.to_text() for rd in answer] == ['"token-1"']

    # Anything else is refused, and nothing of a refused update is applied.
    before, other_before = _rrsets(zone.name), _rrsets(other_zone.name)
    history = zone.changes.count()
    refused = [
        _send(issued, zone.name, challenge, "A", "192.0.2.1"),
        _send(issued, zone.name, name, "A", "192.0.2.1"),
        _send(issued, zone.name, f"_acme-challenge.{zone.name}", "TXT", '"x"'),
        _send(issued, zone.name, zone.name, "NS", "ns.evil.test."),
        _send(issued, zone.name, zone.name, "SOA", delete=True),
    ]
    assert refused == [dns.rcode.REFUSED] * 5
    assert _send(issued, other_zone.name, f"_acme-challenge.www.{other_zone.name}", "TXT",
                 '"x"') == dns.rcode.NOTAUTH
    keyring = dns.tsigkeyring.from_text({issued.credential.key_name: issued.secret})
    mixed = dns.update.UpdateMessage(zone.name, keyring=keyring,
                                     keyalgorithm=dns.tsig.HMAC_SHA256)
    mixed.add(challenge, 60, "TXT", '"token-2"')
    mixed.add(name, 60, "A", "192.0.2.1")
    assert dns.query.tcp(mixed, issued.server, timeout=10, port=issued.port).rcode() == \
        dns.rcode.REFUSED
    assert _rrsets(zone.name) == before and _rrsets(other_zone.name) == other_before
    assert zone.changes.count() == history

    # An unsigned update is refused.
    unsigned = dns.update.UpdateMessage(zone.name)
    unsigned.add(challenge, 60, "TXT", '"unsigned"')
    assert dns.query.tcp(unsigned, issued.server, timeout=10, port=issued.port).rcode() == \
        dns.rcode.REFUSED
    # A key whose signature is wrong is not trusted.
    forged = IssuedCredential(issued.credential, "AAAA" + issued.secret[4:], issued.server,
                              issued.port)
    assert _send(forged, zone.name, challenge, "TXT", '"forged"') == dns.rcode.NOTAUTH

    assert _send(issued, zone.name, challenge, "TXT", delete=True) == dns.rcode.NOERROR
    assert _txt(zone.name, challenge) == []

    revoke_credential(credential=issued.credential, actor=member)
    assert _send(issued, zone.name, challenge, "TXT", '"late"') == dns.rcode.NOTAUTH
    assert _txt(zone.name, challenge) == []
    entries = list(zone.changes.filter(kind__in=[ChangeKind.CREDENTIAL, ChangeKind.CHALLENGE])
                   .order_by("id"))
    key = issued.credential.key_name
    assert [e.summary for e in entries] == [
        f"ACME credential {key} created for {challenge}",
        f"{challenge} TXT with ACME credential {key}: added 1, removed 0",
        f"{challenge} TXT with ACME credential {key}: added 0, removed 1",
        f"ACME credential {key} revoked"]
    assert entries[1].actor == member.user
    assert entries[1].actor_label == f"acme-key:{issued.credential.pk}"
    assert entries[1].added[0]["content"] == '"token-1"'


def test_bureau_keeps_what_the_key_changed(
        member: Any, hosted_zone: Callable[..., Any]) -> None:
    """The reconciliation makes PowerDNS equal to Bureau: a challenge added or removed
    through RFC 2136 is neither erased nor put back, because Bureau recorded it."""
    zone = hosted_zone()
    issued = create_credential(zone=zone, actor=member, name="@")
    challenge = f"_acme-challenge.{zone.name}"
    assert _send(issued, zone.name, challenge, "TXT", '"one"') == dns.rcode.NOERROR
    assert _send(issued, zone.name, challenge, "TXT", '"two"') == dns.rcode.NOERROR
    zone.refresh_from_db()
    assert push_zone(zone) == 0
    assert _txt(zone.name, challenge) == ['"one"', '"two"']
    # Delete one record of the set (class NONE), then reconcile again: it stays gone.
    keyring = dns.tsigkeyring.from_text({issued.credential.key_name: issued.secret})
    update = dns.update.UpdateMessage(zone.name, keyring=keyring,
                                      keyalgorithm=dns.tsig.HMAC_SHA256)
    update.delete(challenge, "TXT", '"one"')
    assert dns.query.tcp(update, issued.server, timeout=10, port=issued.port).rcode() == \
        dns.rcode.NOERROR
    zone.refresh_from_db()
    assert push_zone(zone) == 0
    assert _txt(zone.name, challenge) == ['"two"']
    assert _bureau_view(zone) == _powerdns_view(zone)


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
    assert _send(issued, zone.name, challenge, "TXT", '"late"') == dns.rcode.NOTAUTH
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
    # certbot removed its challenge records; Bureau saw each update and still matches PowerDNS.
    assert _txt(zone.name, f"_acme-challenge.{zone.name}") == []
    zone.refresh_from_db()
    assert _bureau_view(zone) == _powerdns_view(zone)
    uses = zone.changes.filter(kind=ChangeKind.CHALLENGE)
    assert uses.count() >= 2 and all(issued.credential.key_name in c.summary for c in uses)
    assert sum(len(c.added) for c in uses) == 2  # one token for the name, one for *.name
    assert sum(len(c.removed) for c in uses) == 2


def test_api_creates_lists_and_revokes(user: Any, member: Any,
                                       hosted_zone: Callable[..., Any]) -> None:
    zone = hosted_zone()
    stale = authenticated(APIClient(), user, ago=3600)
    base = f"/api/v1/dns/zones/{zone.name.rstrip('.')}/acme-credentials/"
    assert stale.post(base, {"name": "www"}, format="json").status_code == 403  # re-auth
    api = authenticated(APIClient(), user)
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
    assert _send(issued, zone.name, challenge, "TXT", delete=True) == dns.rcode.NOTAUTH
    assert _txt(zone.name, challenge) == ['"api"']
    kinds = [c["kind"] for c in api.get(
        f"/api/v1/dns/zones/{zone.name.rstrip('.')}/history/").json()["results"]]
    assert kinds.count("credential") == 2


def test_cli_creates_lists_and_revokes(member: Any, hosted_zone: Callable[..., Any]) -> None:
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
    assert _send(issued, zone.name, challenge, "TXT", delete=True) == dns.rcode.NOTAUTH
    assert _txt(zone.name, challenge) == ['"cli"']


def test_a_certificate_token_writes_only_its_challenge(
        user: Any, member: Any, hosted_zone: Callable[..., Any]) -> None:
    """For ACME clients that speak HTTP: an API token limited to one _acme-challenge RRset."""


    zone, other = hosted_zone(), hosted_zone()
    base = f"/api/v1/dns/zones/{zone.name.rstrip('.')}"
    session = authenticated(APIClient(HTTP_ACCEPT_LANGUAGE="en"), user)
    created = session.post(f"{base}/acme-tokens/", {"name": "www"}, format="json")
    assert created.status_code == 201, created.content
    body = created.json()
    challenge = f"_acme-challenge.www.{zone.name}"
    assert body["challenge"] == challenge
    assert body["url"] == f"http://testserver{base}/rrsets/{challenge}/TXT/"

    bearer = APIClient()
    bearer.credentials(HTTP_AUTHORIZATION=f"Bearer {body['token']}")
    put = bearer.put(body["url"], {"ttl": 60, "records": ['"tok-1"']}, format="json")
    assert put.status_code == 200, put.content
    assert _txt(zone.name, challenge) == ['"tok-1"']
    zone.refresh_from_db()
    assert _bureau_view(zone) == _powerdns_view(zone)
    prefix = body["token"].split("_")[1]
    assert zone.changes.order_by("-id").first().actor_label == f"api-token:{prefix}"

    # Nothing else: another owner or type, the whole zone, another zone, other resources.
    refused = [
        bearer.put(f"{base}/rrsets/www.{zone.name}/A/", {"ttl": 60, "records": ["192.0.2.1"]},
                   format="json"),
        bearer.put(f"{base}/rrsets/{challenge}/CNAME/", {"ttl": 60, "records": ["x.test."]},
                   format="json"),
        bearer.put(f"{base}/rrsets/_acme-challenge.{zone.name}/TXT/",
                   {"ttl": 60, "records": ['"x"']}, format="json"),
        bearer.patch(f"{base}/rrsets/", [{"name": challenge, "type": "TXT", "ttl": 60,
                                           "records": ['"x"']}], format="json"),
        bearer.get("/api/v1/domains/"),
        bearer.post("/api/v1/tokens/", {"name": "more", "scopes": ["*"]}, format="json"),
    ]
    assert [r.status_code for r in refused] == [403] * len(refused)
    elsewhere = bearer.put(
        f"/api/v1/dns/zones/{other.name.rstrip('.')}/rrsets/_acme-challenge.www."
        f"{other.name}/TXT/", {"ttl": 60, "records": ['"x"']}, format="json")
    assert elsewhere.status_code in (403, 404)
    assert _txt(zone.name, challenge) == ['"tok-1"'] and _txt(other.name, challenge) == []

    assert bearer.delete(body["url"]).status_code == 204
    assert _txt(zone.name, challenge) == []
    assert session.delete(f"/api/v1/tokens/{body['id']}/").status_code == 204
    late = bearer.put(body["url"], {"ttl": 60, "records": ['"late"']}, format="json")
    assert late.status_code == 401 and _txt(zone.name, challenge) == []

    # The RRset API asks for domains:write like every other change.
    reader = create_token(actor=Actor.console(user), organisation=zone.organisation, name="reader",
                          scopes=["domains:read"])
    read_only = APIClient()
    read_only.credentials(HTTP_AUTHORIZATION=f"Bearer {reader.secret}")
    assert read_only.get(f"{base}/rrsets/").status_code == 200
    assert read_only.put(body["url"], {"ttl": 60, "records": ['"x"']},
                         format="json").status_code == 403
    assert read_only.patch(f"{base}/rrsets/", [], format="json").status_code == 403


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_portal_makes_keys_and_tokens_and_explains_them(
        user: Any, member: Any, hosted_zone: Callable[..., Any], language: str) -> None:
    zone = hosted_zone()
    browser = authenticated(Client(HTTP_ACCEPT_LANGUAGE=language), user)
    page = f"/dns/zones/{zone.pk}/"
    shown = browser.get(page).content.decode()
    assert ("TLS certificates" if language == "en" else "Certificats TLS") in shown

    refused = browser.post(f"/dns/zones/{zone.pk}/acme/keys/", {"name": "_x"})
    assert refused.status_code == 400 and not AcmeCredential.objects.filter(zone=zone).exists()

    made = browser.post(f"/dns/zones/{zone.pk}/acme/keys/", {"name": "www"})
    assert made.status_code == 200 and made["Cache-Control"].startswith("max-age=0")
    text = made.content.decode()
    credential = AcmeCredential.objects.get(zone=zone)
    secret = credential.secret
    assert f"dns_rfc2136_secret = {secret}" in text, text[text.find("<main"):][:3000]
    assert f"key &quot;{secret}&quot;" in text
    steps = (["With certbot, in three steps", "With Caddy, in three steps"] if language == "en"
             else ["Avec certbot, en trois étapes", "Avec Caddy, en trois étapes"])
    assert all(step in text for step in steps)
    # The pasted secret works at once, through Bureau's update door.
    server, port = update_server()
    issued = IssuedCredential(credential, secret, server, port)
    challenge = f"_acme-challenge.www.{zone.name}"
    assert _send(issued, zone.name, challenge, "TXT", '"portal"') == dns.rcode.NOERROR

    token = browser.post(f"/dns/zones/{zone.pk}/acme/tokens/", {"name": "www"})
    assert token.status_code == 200
    assert f"/api/v1/dns/zones/{zone.name.rstrip('.')}/rrsets/{challenge}/TXT/" in \
        token.content.decode()
    listed = browser.get(page).content.decode()
    assert credential.key_name in listed and challenge in listed

    revoked = browser.post(f"/dns/zones/{zone.pk}/acme/keys/{credential.pk}/revoke/")
    assert revoked.status_code == 302
    assert _send(issued, zone.name, challenge, "TXT", delete=True) == dns.rcode.NOTAUTH
    api_token = zone.challenge_tokens.get()
    assert browser.post(f"/account/tokens/{api_token.pk}/revoke/")["Location"] == page
    assert 'id="acme-credentials"' not in browser.get(page).content.decode()  # none left


def test_a_challenge_reaches_the_secondaries(
        dns_settings: Any, member: Any, hosted_zone: Callable[..., Any], pdns_secondary: Any,
        secondary_client: Any) -> None:
    """The CA may ask any of the zone's name servers: the secondary serves the challenge."""
    dns_settings.BUREAU_DNS_SECONDARIES = json.dumps([{
        "api_url": pdns_secondary.api_url, "api_key": pdns_secondary.api_key,
        "dns_address": f"127.0.0.1:{pdns_secondary.dns_port}"}])
    zone = hosted_zone()
    try:
        issued = create_credential(zone=zone, actor=member, name="www")
        challenge = f"_acme-challenge.www.{zone.name}"
        assert _send(issued, zone.name, challenge, "TXT", '"far"') == dns.rcode.NOERROR
        query = dns.message.make_query(challenge, "TXT")
        deadline = time.monotonic() + 10
        while True:
            answer = dns.query.udp(query, "127.0.0.1", timeout=2, port=pdns_secondary.dns_port)
            if [rd.to_text() for rrset in answer.answer for rd in rrset] == ['"far"']:
                break
            assert time.monotonic() < deadline, f"the secondary does not serve it: {answer}"
            time.sleep(0.2)
    finally:
        secondary_client.delete_zone(str(zone.name))


def test_lego_gets_a_certificate_with_the_pasted_environment(
        member: Any, hosted_zone: Callable[..., Any], pebble: tuple[str, Path], pdns: Any,
        tmp_path: Path) -> None:
    """A second ACME client, lego, with the environment the portal shows for it."""
    lego = require_program("lego", "lego")
    directory, ca_cert = pebble
    zone = hosted_zone()
    name = zone.name.rstrip(".")
    issued = create_credential(zone=zone, actor=member, name="www")
    pasted = dict(line.split("=", 1) for line in issued.lego_env.splitlines())
    env = dict(os.environ, **pasted, LEGO_CA_CERTIFICATES=str(ca_cert),
               RFC2136_PROPAGATION_TIMEOUT="30", RFC2136_POLLING_INTERVAL="1")
    result = subprocess.run(
        [lego, "--accept-tos", "--email", "camille@example.org", "--server", directory,
         "--path", str(tmp_path / "lego"), "--dns", "rfc2136",
         # The test zones' name servers have no addresses: lego asks the primary only.
         "--dns.resolvers", f"127.0.0.1:{pdns.dns_port}", "--dns.disable-cp",
         "--domains", f"www.{name}", "--domains", f"*.www.{name}", "run"],
        env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    certificate = tmp_path / "lego" / "certificates" / f"www.{name}.crt"
    sans = subprocess.run(["openssl", "x509", "-noout", "-ext", "subjectAltName", "-in",
                           str(certificate)], capture_output=True, text=True, check=True).stdout
    assert f"DNS:www.{name}" in sans and f"DNS:*.www.{name}" in sans
    assert _txt(zone.name, f"_acme-challenge.www.{zone.name}") == []
    zone.refresh_from_db()
    assert _bureau_view(zone) == _powerdns_view(zone)
