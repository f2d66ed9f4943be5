"""Nobody answers for what is not theirs: a zone is hosted only for a name the organisation
holds at Bureau, or one whose control it proved through DNS (TXT challenge served by the DNS
outside Bureau, here a PowerDNS of its own); never for a public suffix, nor at, above or under
a name another organisation holds. Every refusal says what to fix and changes nothing: no row,
no history, no zone in PowerDNS."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import pytest
from rest_framework.test import APIClient

from bureau.dns import conf, suffixes
from bureau.dns.models import PublishState, Zone, ZoneChange
from bureau.dns.operations.errors import ControlNotProven, NameClaimed, PublicSuffix
from bureau.dns.operations.zones import create_zone
from bureau.dns.powerdns import PowerDNSNotFound
from bureau.dns.query import answer_rrset, ask

pytestmark = pytest.mark.django_db


@pytest.fixture
def other(member: Any) -> Any:
    from bureau.registrar.accounts.models import Membership, Organisation, Role

    org = Organisation.objects.create(name="Autre asso", slug="autre-asso")
    Membership.objects.create(user=member.user, organisation=org, role=Role.OWNER)
    return org


def nothing_changed(name: str, zones_before: int, changes_before: int) -> None:
    assert Zone.objects.count() == zones_before
    assert ZoneChange.objects.count() == changes_before
    with pytest.raises(PowerDNSNotFound):
        conf.client().get_zone(name.rstrip(".") + ".")


@pytest.mark.parametrize("name", ["test", "com", "co.uk", "github.io", "org"])
def test_public_suffixes_are_refused(member: Any, organisation: Any, name: str) -> None:
    before = Zone.objects.count(), ZoneChange.objects.count()
    with pytest.raises(PublicSuffix, match=r"public suffix.*Host a name registered under it"):
        create_zone(organisation=organisation, actor=member, name=name)
    nothing_changed(name, *before)


def test_a_name_outside_bureau_needs_its_challenge_then_is_hosted(
        member: Any, organisation: Any, zone_name: Callable[[], str],
        prove_control: Callable[..., str]) -> None:
    name = zone_name()
    before = Zone.objects.count(), ZoneChange.objects.count()
    with pytest.raises(ControlNotProven) as refused:
        create_zone(organisation=organisation, actor=member, name=name)
    assert refused.value.owner == "_bureau-challenge." + name
    assert refused.value.owner in refused.value.message
    assert refused.value.token in refused.value.message
    nothing_changed(name, *before)
    # A token of another organisation (or for another name) does not prove anything.
    prove_control(organisation, "z-other-" + name)
    with pytest.raises(ControlNotProven):
        create_zone(organisation=organisation, actor=member, name=name)

    prove_control(organisation, name)
    zone = create_zone(organisation=organisation, actor=member, name=name)
    try:
        assert zone.publish_state == PublishState.PUBLISHED
        # Its sub-zones are the organisation's too, without another challenge.
        sub = create_zone(organisation=organisation, actor=member, name="lab." + name)
        conf.client().delete_zone(str(sub.name))
    finally:
        conf.client().delete_zone(name)


def test_gmail_like_names_held_by_nobody_here_are_refused_through_the_api(
        user: Any, member: Any, organisation: Any) -> None:
    api = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    api.force_authenticate(user)
    before = Zone.objects.count(), ZoneChange.objects.count()
    response = api.post("/api/v1/dns/zones/", {"name": "gmail.com"}, format="json")
    assert response.status_code == 422
    body = response.json()
    assert body["challenge"]["name"] == "_bureau-challenge.gmail.com."
    assert body["challenge"]["type"] == "TXT" and body["challenge"]["value"] in body["detail"]
    assert body["errors"][0]["field"] == "name"
    response = api.post("/api/v1/dns/zones/", {"name": "co.uk"}, format="json")
    assert response.status_code == 422 and "public suffix" in response.json()["detail"]
    nothing_changed("gmail.com", *before)


def test_names_at_above_or_under_another_organisations_name_are_refused(
        member: Any, organisation: Any, other: Any, register_name: Callable[..., Any],
        prove_control: Callable[..., str]) -> None:
    domain = register_name(nameservers=["ns.elsewhere.net"])  # held, not hosted here
    before = Zone.objects.count(), ZoneChange.objects.count()
    for name in (domain.name, "www." + domain.name, "a.b." + domain.name):
        prove_control(other, name)  # even a challenge served somewhere does not help
        with pytest.raises(NameClaimed, match="another organisation"):
            create_zone(organisation=other, actor=member, name=name)
        nothing_changed(name, *before)
    # The holder may host the name and names under it without a challenge.
    zone = create_zone(organisation=organisation, actor=member, name="lab." + domain.name)
    conf.client().delete_zone(str(zone.name))


def test_registering_a_name_withdraws_other_organisations_zones_at_and_under_it(
        member: Any, organisation: Any, other: Any, register_name: Callable[..., Any],
        prove_control: Callable[..., str], pdns: Any, mailoutbox: list[Any],
        caplog: pytest.LogCaptureFixture) -> None:
    from bureau.dns.operations.records import edit_records
    from bureau.dns.records import Record

    name = "taken-later.test"
    squats = []
    for owner in (name, "www." + name):
        prove_control(other, owner)
        squat = create_zone(organisation=other, actor=member, name=owner)
        edit_records(zone=squat, actor=member, add=[Record("@", "A", "192.0.2.66")])
        squats.append(squat)
    assert answer_rrset(ask("127.0.0.1", "www." + name + ".", "A", port=pdns.dns_port),
                        "www." + name + ".", "A") is not None
    mailoutbox.clear()
    domain = register_name(name)
    try:
        for squat in squats:
            squat.refresh_from_db()
            assert squat.publish_state == PublishState.WITHDRAWN
            assert squat.changes.filter(summary__contains="registered by another").exists()
        with pytest.raises(PowerDNSNotFound):
            conf.client().get_zone("www." + name + ".")
        assert "withdrawn" in caplog.text
        told = [m for m in mailoutbox if "no longer serves" in m.subject]
        assert len(told) == 2 and member.user.email in told[0].to
        # The holder's zone answers now.
        zone = Zone.objects.get(domain=domain)
        assert zone.organisation == organisation
        for owner in (name + ".", "www." + name + "."):
            response = ask("127.0.0.1", owner, "A", port=pdns.dns_port)
            assert answer_rrset(response, owner, "A") is None  # the squatter's data is gone
    finally:
        with contextlib.suppress(PowerDNSNotFound):
            conf.client().delete_zone(name + ".")


# -- the list itself, refreshed by a job ------------------------------------------------------

@pytest.fixture
def list_server(tmp_path: Path) -> Iterator[tuple[str, dict[str, bytes]]]:
    """A local HTTP server standing in for publicsuffix.org."""
    served: dict[str, bytes] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = served.get(self.path)
            self.send_response(200 if body is not None else 404)
            self.end_headers()
            self.wfile.write(body or b"")

        def log_message(self, *args: Any) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", served
    server.shutdown()


def test_the_job_refreshes_the_list_and_refuses_a_broken_one(
        dns_settings: Any, list_server: tuple[str, dict[str, bytes]],
        member: Any, organisation: Any) -> None:
    from bureau.dns.tasks import refresh_public_suffixes

    base, served = list_server
    import publicsuffixlist

    text = (Path(publicsuffixlist.__file__).parent / "public_suffix_list.dat").read_bytes()
    served["/list.dat"] = text + b"\n// a new rule\nbureau-newsuffix.org\n"
    served["/broken.dat"] = b"<html>maintenance</html>"
    dns_settings.BUREAU_DNS_PUBLIC_SUFFIX_URL = base + "/broken.dat"
    with pytest.raises(suffixes.RefreshFailed):
        refresh_public_suffixes.call()
    assert not conf.public_suffix_file().exists()

    dns_settings.BUREAU_DNS_PUBLIC_SUFFIX_URL = base + "/list.dat"
    assert refresh_public_suffixes.call() > 5000
    with pytest.raises(PublicSuffix):
        create_zone(organisation=organisation, actor=member, name="bureau-newsuffix.org")
