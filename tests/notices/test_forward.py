"""The demo's fast-forward: `bureau forward` moves the sandbox registry's clock and Bureau's
together and runs the jobs at each moment a rule acts on; a holder's year, asserted step by
step (issue 21, point 10 and "Done when")."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command

from bureau.core import clock
from bureau.core.sandboxclock import sandbox_clock
from bureau.notices.forward import forward
from bureau.notices.models import Parking
from bureau.registrar.domains.models import Domain, DomainState
from bureau.sandbox.testing import Sandbox

from .conftest import Inbox
from .test_lifecycle import PARKING_NS, registry_nameservers

pytestmark = pytest.mark.django_db


def test_bureaus_clock_follows_the_sandboxs(registry_clock: Sandbox) -> None:
    follow = sandbox_clock(registry_clock.state_dir, reread_seconds=0)
    before = follow()
    registry_clock.clock.advance(days=30)
    assert follow() - before >= timedelta(days=30)
    assert abs(follow() - registry_clock.clock.now_datetime()) < timedelta(seconds=2)


@pytest.mark.slow
def test_a_year_in_fast_forward_stops_at_every_step(
        domain: Domain, registry_clock: Sandbox, inbox: Inbox, settings: Any) -> None:
    expiry = domain.expires_at
    assert expiry is not None
    seen: dict[str, list[str]] = {}
    for stop in forward(registry_clock.state_dir, 400 * 86400):
        # Bureau's clock moved with the registry's.
        assert abs(stop.at - registry_clock.clock.now_datetime()) < timedelta(seconds=5)
        days = (stop.at - expiry) // timedelta(days=1)
        got = [m.key.split(":")[0] + (f":{m.key.split(':')[3]}" if m.key.startswith("reminder")
                                       else "") for m in inbox.take()]
        if got:
            seen[str(days)] = sorted(set(got))
        domain.refresh_from_db()
        with clock.use(lambda at=stop.at: at):  # type: ignore[misc]
            if 0 <= days < 30:
                assert Parking.objects.filter(domain=domain, restored_at=None).exists()
                assert registry_nameservers(domain) == set(PARKING_NS)
            if days >= 31:
                assert domain.state == DomainState.REDEMPTION
    steps = {key for keys in seen.values() for key in keys}
    # Each ERRP reminder, the contact check, the redemption notice: each once, at its step.
    assert {"reminder:60", "reminder:30", "reminder:7", "reminder:1", "reminder:-2",
            "verify-email", "contact-flagged", "redemption"} <= steps
    assert "reminder:60" in seen["-60"] and seen["-1"] == ["reminder:1"]
    assert seen["2"] == ["reminder:-2"]


def test_the_command_prints_each_stop(domain: Domain, registry_clock: Sandbox,
                                      inbox: Inbox, settings: Any) -> None:
    settings.STATE_DIR = registry_clock.state_dir.parent
    out = StringIO()
    call_command("forward", "340d", stdout=out)
    lines = out.getvalue().splitlines()
    assert len(lines) >= 2 and any("reminders 1" in line for line in lines), lines
    assert registry_clock.clock.now_datetime() - clock.now() < timedelta(seconds=5)
