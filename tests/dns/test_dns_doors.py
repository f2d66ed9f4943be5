"""A DNS change through the portal and through the API (the `bureau` command has no DNS
door): the same records published, the same history entry naming the door, the same refusal
when the organisation requires a second factor the person has not set up (tests/doors.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from allauth.mfa.models import Authenticator
from doors import Doors, asks_for_2fa, door_of

from bureau.audit.operations.members import set_require_2fa
from bureau.dns import conf
from bureau.dns.models import ChangeKind, Zone, ZoneChange
from bureau.registrar.operations.common import Actor

pytestmark = pytest.mark.django_db


def served(zone: Zone) -> set[tuple[str, str, str]]:
    info = conf.client().get_zone(str(zone.name))
    return {(r.name, r.rtype, c) for r in info.rrsets if r.rtype == "A" for c in r.contents}


def test_a_record_added_at_both_doors(user: Any, organisation: Any,
                                      hosted_zone: Callable[..., Zone]) -> None:
    zone = hosted_zone()
    api_url = f"/api/v1/dns/zones/{str(zone.name).rstrip('.')}/records/batch/"

    def portal(doors: Doors, label: str, address: str) -> Any:
        return doors.portal().post(f"/dns/zones/{zone.pk}/records/", {
            "name": label, "type": "A", "ttl": 300, "content": address})

    def api(doors: Doors, label: str, address: str) -> Any:
        return doors.api().post(api_url, {"add": [
            {"name": label, "type": "A", "ttl": 300, "content": address}]}, format="json")

    doors = Doors(user)
    assert portal(doors, "www", "192.0.2.1").status_code == 302
    assert api(doors, "api", "192.0.2.2").status_code == 200
    assert served(zone) == {(f"www.{zone.name}", "A", "192.0.2.1"),
                            (f"api.{zone.name}", "A", "192.0.2.2")}
    edits = ZoneChange.objects.filter(zone=zone, kind=ChangeKind.EDIT).order_by("at", "id")
    assert [(c.actor, door_of({"via": c.actor_label})) for c in edits] == \
        [(user, "portal"), (user, "api")]

    # The organisation requires a second factor the person has not set up: refused alike.
    Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP,
                                 data={"secret": "fernet:not-read-here"})
    set_require_2fa(organisation=organisation, actor=Actor.console(user), required=True)
    Authenticator.objects.filter(user=user).delete()
    assert asks_for_2fa(portal(doors, "mail", "192.0.2.3"))
    assert asks_for_2fa(api(doors, "mail", "192.0.2.3"))
    assert zone.records.count() == 2 and len(served(zone)) == 2
