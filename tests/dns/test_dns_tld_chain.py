"""The sandbox registry publishes its TLD zone, signed, on a local PowerDNS (here Bureau's
own, which also serves the names' zones): delv validates a name registered with Bureau's DNS
from the TLD's key alone, through the DS the registry holds; a name whose DS the registry
no longer holds is insecure, not validated; and at every step of a key rollover."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from dns_fixtures import delv

from bureau.cli.tldzones import publish_tld_zones
from bureau.dns import conf
from bureau.dns.models import RolloverStep, Zone
from bureau.dns.operations.dnssec import advance_rollover, start_rollover
from bureau.dns.powerdns import PowerDNSNotFound
from bureau.registrar.operations.update import update

pytestmark = pytest.mark.django_db


def delv_from_tld(pdns: Any, tld: str, tld_ds: list[str], name: str, tmp_path: Path) -> str:
    run = delv(pdns, f"{tld}.", tld_ds, name, "SOA", tmp_path)
    return run.stdout + run.stderr


def test_delv_validates_a_name_from_the_tlds_key(
        register_name: Callable[..., Any], member: Any, sandbox: Any, pdns: Any,
        tmp_path: Path) -> None:
    domain = register_name()
    tld = domain.name.rsplit(".", 1)[1]
    anchors: dict[str, list[str]] = {}
    try:
        anchors = publish_tld_zones(conf.client(), sandbox.db_path)
        assert anchors[tld]
        assert "; fully validated" in delv_from_tld(pdns, tld, anchors[tld], domain.name, tmp_path)

        update(domain=domain, actor=member, ds_records=[])  # the registry drops the DS
        assert publish_tld_zones(conf.client(), sandbox.db_path)[tld] == anchors[tld]
        out = delv_from_tld(pdns, tld, anchors[tld], domain.name, tmp_path)
        assert "; fully validated" not in out and "unsigned answer" in out
    finally:
        for published in anchors or [tld]:  # the session's PowerDNS serves other tests too
            with contextlib.suppress(PowerDNSNotFound):
                conf.client().delete_zone(published + ".")


def test_delv_validates_from_the_tlds_key_at_every_step_of_a_rollover(
        register_name: Callable[..., Any], member: Any, sandbox: Any, pdns: Any,
        tmp_path: Path) -> None:
    domain = register_name()
    zone = Zone.objects.get(domain=domain)
    tld = domain.name.rsplit(".", 1)[1]
    anchors: dict[str, list[str]] = {}
    try:
        anchors = publish_tld_zones(conf.client(), sandbox.db_path)
        assert "; fully validated" in delv_from_tld(pdns, tld, anchors[tld], domain.name, tmp_path)
        rollover = start_rollover(zone=zone, actor=member)
        steps = [rollover.step]
        while True:
            # The TLD zone shows what the registry holds now; the chain holds at each step.
            publish_tld_zones(conf.client(), sandbox.db_path)
            out = delv_from_tld(pdns, tld, anchors[tld], domain.name, tmp_path)
            assert "; fully validated" in out, (rollover.step, out)
            if rollover.step == RolloverStep.DONE:
                break
            rollover = advance_rollover(rollover)
            steps.append(rollover.step)
        assert steps == [RolloverStep.DS_BOTH, RolloverStep.NEW_KEY_ACTIVE,
                         RolloverStep.OLD_KEY_REMOVED, RolloverStep.DONE]
    finally:
        for published in anchors or [tld]:
            with contextlib.suppress(PowerDNSNotFound):
                conf.client().delete_zone(published + ".")
