"""Several writers on one zone at once (web and job processes do this): each batch is applied
whole, none is lost, and PowerDNS ends up serving exactly what the database holds."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from bureau.dns import conf
from bureau.dns.operations.records import edit_records
from bureau.dns.records import Record

pytestmark = pytest.mark.django_db(transaction=True)


def test_concurrent_batches_on_one_zone(hosted_zone: Callable[..., Any], member: Any) -> None:
    zone = hosted_zone()
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            for i in range(5):
                edit_records(zone=zone, actor=member, add=[
                    Record(f"w{n}-{i}", "A", f"192.0.2.{n * 10 + i}", 300),
                    Record(f"w{n}-{i}", "TXT", f"writer {n} batch {i}", 300)])
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors
    stored = {(r.name, r.rtype, r.content) for r in zone.records.all()}
    assert len(stored) == 40
    info = conf.client().get_zone(str(zone.name))
    served = {(r.name, r.rtype, c) for r in info.rrsets if r.rtype in {"A", "TXT"}
              for c in r.contents}
    assert {(n, t) for n, t, _c in served} == {(n, t) for n, t, _c in stored}
    assert zone.changes.filter(kind="edit").count() == 20
    # Each batch was confirmed by PowerDNS; a publisher sends what it finds in the outbox in
    # one PATCH, so batches that queued up meanwhile may share a serial.
    serials = [c.published_serial for c in zone.changes.filter(kind="edit")]
    assert all(serials) and max(serials) <= conf.client().serial(str(zone.name))
