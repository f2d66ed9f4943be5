"""No database lock is held while PowerDNS is called: a change is stored with its outbox entry
and committed first, published after. A PowerDNS that accepts connections and never answers
(a real TCP server on loopback) holds neither the zone's row nor the database: another writer
goes through at once, the member gets "stored, not confirmed" within the client's timeout, and
the reconciliation job publishes the change once PowerDNS is back, until both agree."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.db import connection, transaction

from bureau.dns import conf
from bureau.dns.models import Publication, PublishState, Zone
from bureau.dns.operations.records import edit_records
from bureau.dns.query import answer_rrset, ask
from bureau.dns.records import Record
from bureau.dns.tasks import reconcile_zones


@contextlib.contextmanager
def stalled_server() -> Iterator[str]:
    """Accepts every connection, reads, never answers."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    held: list[socket.socket] = []
    stop = threading.Event()

    def serve() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            with contextlib.suppress(OSError):
                held.append(listener.accept()[0])

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        stop.set()
        thread.join()
        for conn in held:
            conn.close()
        listener.close()


def served(pdns: Any, name: str) -> set[str]:
    rrset = answer_rrset(ask("127.0.0.1", name, "A", port=pdns.dns_port), name, "A")
    return {r.to_text() for r in rrset} if rrset is not None else set()


@pytest.mark.sqlite  # SQLite has one write lock for the whole database: the case in point
@pytest.mark.django_db(transaction=True)
def test_a_stalled_powerdns_holds_no_lock_and_the_job_publishes_afterwards(
        hosted_zone: Callable[..., Any], member: Any, dns_settings: Any, pdns: Any) -> None:
    zone = hosted_zone()
    www = "www." + str(zone.name)
    real = dns_settings.BUREAU_PDNS_API_URL
    result: dict[str, Any] = {}

    def edit() -> None:
        try:
            result["outcome"] = edit_records(zone=zone, actor=member,
                                             add=[Record("www", "A", "192.0.2.7")])
        finally:
            connection.close()

    with stalled_server() as url:
        dns_settings.BUREAU_PDNS_API_URL = url
        dns_settings.BUREAU_PDNS_TIMEOUT = 3
        conf.reset_clients()
        started = time.monotonic()
        worker = threading.Thread(target=edit)
        worker.start()
        time.sleep(1.0)  # the edit is stored and now waits for PowerDNS
        assert worker.is_alive()
        before = time.monotonic()
        with transaction.atomic():  # the zone's row and the database are free
            Zone.objects.filter(pk=zone.pk).update(serial=zone.serial)
        assert time.monotonic() - before < 0.5
        worker.join(timeout=30)
        assert time.monotonic() - started < 10  # the member is answered, not held
    outcome = result["outcome"]
    assert not outcome.published
    zone.refresh_from_db()
    assert zone.publish_state == PublishState.UNKNOWN
    assert zone.records.filter(name=www, rtype="A", content="192.0.2.7").exists()
    assert Publication.objects.filter(zone=zone).get().attempts == 1
    assert served(pdns, www) == set()

    dns_settings.BUREAU_PDNS_API_URL = real
    conf.reset_clients()
    reconcile_zones.call()
    zone.refresh_from_db()
    assert zone.publish_state == PublishState.PUBLISHED
    assert not Publication.objects.filter(zone=zone, published_at__isnull=True).exists()
    assert served(pdns, www) == {"192.0.2.7"}
    assert zone.serial == conf.client().serial(str(zone.name))
