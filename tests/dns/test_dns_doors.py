"""A DNS change through the portal, the API and the `bureau dns` command: the same records
published, the same history entry naming the door; the same refusal when the organisation
requires a second factor the person has not set up, or when the records are wrong
(tests/doors.py)."""

from __future__ import annotations

from collections.abc import Callable
from io import StringIO
from typing import Any

import pytest
from allauth.mfa.models import Authenticator
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError
from doors import Doors, asks_for_2fa, door_of

from bureau.audit.operations.members import set_require_2fa
from bureau.dns import conf
from bureau.dns.models import ChangeKind, PublishState, Zone, ZoneChange
from bureau.registrar.operations.common import Actor

pytestmark = pytest.mark.django_db


def served(zone: Zone) -> set[tuple[str, str, str]]:
    info = conf.client().get_zone(str(zone.name))
    return {(r.name, r.rtype, c) for r in info.rrsets if r.rtype == "A" for c in r.contents}


def test_a_record_added_at_every_door(user: Any, organisation: Any,
                                      hosted_zone: Callable[..., Zone]) -> None:
    zone = hosted_zone()
    api_url = f"/api/v1/dns/zones/{str(zone.name).rstrip('.')}/records/batch/"

    def portal(doors: Doors, label: str, address: str) -> Any:
        return doors.portal().post(f"/dns/zones/{zone.pk}/records/", {
            "name": label, "type": "A", "ttl": 300, "content": address})

    def api(doors: Doors, label: str, address: str) -> Any:
        return doors.api().post(api_url, {"add": [
            {"name": label, "type": "A", "ttl": 300, "content": address}]}, format="json")

    def cli(doors: Doors, label: str, address: str) -> str:
        return doors.cli("dns", "set", str(zone.name), label, "A", address, "--ttl", "300")

    doors = Doors(user)
    assert portal(doors, "www", "192.0.2.1").status_code == 302
    assert api(doors, "api", "192.0.2.2").status_code == 200
    assert "published" in cli(doors, "cli", "192.0.2.4")
    assert served(zone) == {(f"www.{zone.name}", "A", "192.0.2.1"),
                            (f"api.{zone.name}", "A", "192.0.2.2"),
                            (f"cli.{zone.name}", "A", "192.0.2.4")}
    edits = ZoneChange.objects.filter(zone=zone, kind=ChangeKind.EDIT).order_by("at", "id")
    assert [(c.actor, door_of({"via": c.actor_label})) for c in edits] == \
        [(user, "portal"), (user, "api"), (user, "cli")]
    # Refused alike, nothing stored: an address that is not one.
    assert portal(doors, "bad", "192.0.2.300").status_code == 400
    assert api(doors, "bad", "192.0.2.300").status_code == 422
    with pytest.raises(CommandError, match="problem"):
        cli(doors, "bad", "192.0.2.300")
    assert not zone.records.filter(name__startswith="bad.").exists()
    # The command also removes an RRset and prints the zone file.
    doors.cli("dns", "unset", str(zone.name), "cli", "A")
    assert (f"cli.{zone.name}", "A", "192.0.2.4") not in served(zone)
    exported = doors.cli("dns", "export", str(zone.name))
    assert "www" in exported and "192.0.2.1" in exported and "192.0.2.4" not in exported

    # The organisation requires a second factor the person has not set up: refused alike.
    Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP,
                                 data={"secret": "fernet:not-read-here"})
    set_require_2fa(organisation=organisation, actor=Actor.console(user), required=True)
    Authenticator.objects.filter(user=user).delete()
    assert asks_for_2fa(portal(doors, "mail", "192.0.2.3"))
    assert asks_for_2fa(api(doors, "mail", "192.0.2.3"))
    with pytest.raises(CommandError, match="requires two-factor"):
        cli(doors, "mail", "192.0.2.3")
    assert zone.records.count() == 2 and len(served(zone)) == 2


def test_a_zone_hosted_and_stopped_with_the_command(
        user: Any, organisation: Any, member: Any, zone_name: Callable[[], str],
        prove_control: Callable[..., str]) -> None:
    doors = Doors(user)
    name = zone_name()
    prove_control(organisation, name)
    out = doors.cli("dns", "create", name, "--org", organisation.slug)
    zone = Zone.objects.get(name=name.rstrip(".") + ".")
    assert str(zone.name) in out and zone.organisation == organisation
    assert conf.client().get_zone(str(zone.name)).name == str(zone.name)
    assert str(zone.name) in doors.cli("dns", "list", "--org", organisation.slug)
    # Refused alike: a zone already hosted, a person of another organisation.
    with pytest.raises(CommandError, match="already hosted"):
        doors.cli("dns", "create", name, "--org", organisation.slug)
    outsider = User.objects.create_user("outsider", "outsider@example.org", "x")
    with pytest.raises(CommandError, match="does not allow"):
        Doors(outsider).cli("dns", "set", name, "www", "A", "192.0.2.9")
    assert not zone.records.filter(rtype="A").exists()
    # An MX typed unquoted is two contents, two records: refused, and the command shows the
    # one that was meant. `--as` may also come after the action.
    out, mail = StringIO(), f"mail.{zone.name}"
    with pytest.raises(CommandError, match="Each CONTENT is one record") as refused:
        call_command("dns", "set", name, "@", "MX", "10", mail, "--as", user.username,
                     stdout=out)
    assert f"bureau dns set {name} @ MX '10 {mail}'" in str(refused.value)
    call_command("dns", "set", name, "@", "MX", f"10 {mail}", "--as", user.username,
                 stdout=out)
    assert [r.content for r in zone.records.filter(rtype="MX")] == [f"10 {mail}"]
    assert ZoneChange.objects.filter(zone=zone).latest("id").actor == user
    doors.cli("dns", "stop", name)
    assert Zone.objects.get(pk=zone.pk).publish_state == PublishState.WITHDRAWN
    assert str(zone.name) not in doors.cli("dns", "list")
