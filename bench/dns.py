"""DNS hosting benchmark: a private PowerDNS on loopback, driven through Bureau's DNS modules.

Measures
- publish latency through Bureau: seconds from a save on Bureau's REST API
  (POST /api/v1/dns/zones/<zone>/records/batch/: validation of the whole zone, database,
  one PATCH) until the new value is served, polled with dnspython over UDP (median, p95); the
  Django side runs in this process on a fresh SQLite database;
- the same for the engine alone (one PATCH through the PowerDNS client);
- import rate: records per second for a 10,000-record zone (validation + one PATCH on a signed
  zone);
- queries per second the engine serves for a signed zone (DO bit set), from several client
  processes on the same machine, for a bounded time.

    .venv/bin/python bench/dns.py [--quick] [--backend sqlite3|gpgsql]

The last line printed is one JSON object with publish_median_s, publish_p95_s (through
Bureau's API; target under 1 s), engine_publish_median_s, engine_publish_p95_s,
edit_p95_s_10k (one record edited through the API in a 10,000-record zone until
served; target under 0.1 s), edit_answer_p95_s_10k (the same edits until the API answered,
PowerDNS having confirmed: the part of it before the first DNS answer), secondary_p95_s
(a change until a secondary serves it; target under 2 s), engine_edit_patch_median_s_10k
and engine_edit_update_median_s_10k (the engine alone, one record replaced in the
10,000-record zone until served, as a PATCH and as an RFC 2136 update, in turn in the same
run), import_records_per_s and qps.
`--engine-only` skips the Django part (publish_* are then the engine's figures).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import socket
import statistics
import sys
import tempfile
import time
from pathlib import Path

# This file is bench/dns.py: its folder must leave the import path, or it hides dnspython.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
sys.path.insert(0, str(_HERE.parent))

import dns.message  # noqa: E402
import dns.query  # noqa: E402
import dns.rdatatype  # noqa: E402

from bureau.dns.powerdns import PowerDNSClient, PowerDNSInstance  # noqa: E402
from bureau.dns.powerdns.client import RRSetChange  # noqa: E402
from bureau.dns.powerdns.instance import PostgresDatabase  # noqa: E402
from bureau.dns.publish import (  # noqa: E402
    SecondaryTarget,
    UpdateTarget,
    allow_updates,
    create_hosted_zone,
    publish,
    send_changes,
    update_key,
)
from bureau.dns.records import Record  # noqa: E402
from bureau.dns.validation import validate_zone  # noqa: E402

NAMESERVERS = ("ns1.bench.test.", "ns2.bench.test.")


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def served_a(port: int, qname: str) -> str | None:
    query = dns.message.make_query(qname, "A")
    response = dns.query.udp(query, "127.0.0.1", port=port, timeout=1.0)
    for rrset in response.answer:
        if rrset.rdtype == dns.rdatatype.A:
            return rrset[0].to_text()
    return None


def bench_publish(client: PowerDNSClient, port: int, rounds: int) -> list[float]:
    zone = "publish.bench.test."
    records = validate_zone(zone, [Record("www", "A", "192.0.2.1", 60)])
    create_hosted_zone(client, zone, nameservers=NAMESERVERS, records=records)
    qname = f"www.{zone}"
    served_a(port, qname)  # warm the packet cache, as in production
    delays = []
    for i in range(rounds):
        value = f"198.51.100.{i % 250 + 1}" if i % 2 else f"203.0.113.{i % 250 + 1}"
        new = validate_zone(zone, [Record("www", "A", value, 60)])
        started = time.perf_counter()
        publish(client, zone, new, notify=False)
        while served_a(port, qname) != value:
            if time.perf_counter() - started > 30:
                raise RuntimeError(f"{value} not served after 30 s")
            time.sleep(0.001)
        delays.append(time.perf_counter() - started)
    return delays


def bench_secondary(client: PowerDNSClient, pdns: PowerDNSInstance, workdir: str,
                    rounds: int) -> list[float]:
    """Seconds from a change on the primary (one PATCH + NOTIFY) until a secondary, which
    learnt the zone from the catalog and transfers it with the TSIG key, serves it."""
    with (
        PowerDNSInstance(Path(workdir) / "secondary", primary=False, secondary=True) as second,
        PowerDNSClient(second.api_url, second.api_key) as second_client,
    ):
        zone = "secondary.bench.test."
        records = validate_zone(zone, [Record("www", "A", "192.0.2.1", 60)])
        create_hosted_zone(client, zone, nameservers=NAMESERVERS, records=records,
                           primary_address=f"127.0.0.1:{pdns.dns_port}",
                           secondaries=[SecondaryTarget(second_client,
                                                        f"127.0.0.1:{second.dns_port}")])
        qname = f"www.{zone}"
        delays = []
        for i in range(rounds):
            value = f"198.51.100.{i % 250 + 1}" if i % 2 else f"203.0.113.{i % 250 + 1}"
            started = time.perf_counter()
            publish(client, zone, validate_zone(zone, [Record("www", "A", value, 60)]))
            while served_a(second.dns_port, qname) != value:
                if time.perf_counter() - started > 30:
                    raise RuntimeError(f"{value} not served by the secondary after 30 s")
                time.sleep(0.01)
            delays.append(time.perf_counter() - started)
        return delays


def bench_edit_in_big_zone(pdns: PowerDNSInstance, client: PowerDNSClient, api: object,
                           org: object, user: object, rounds: int,
                           records: int) -> tuple[list[float], list[float]]:
    """Seconds from a one-record edit on the API (remove one, add one) until it is served, in
    a zone of ``records`` records, and until the API answered (PowerDNS confirmed it)."""
    from bureau.dns.operations.zones import create_zone
    from bureau.registrar.operations.common import Actor

    zone = "big.bench.test"
    prove_control(client, org, zone)
    started = time.perf_counter()
    create_zone(organisation=org, actor=Actor(user), name=zone,  # type: ignore[arg-type]
                records=import_records(records))
    print(f"bureau: {records}-record zone created in {time.perf_counter() - started:.1f} s",
          flush=True)
    batch = f"/api/v1/dns/zones/{zone}/records/batch/"
    qname = f"h0.{zone}."
    current = [r["id"] for r in api.get(  # type: ignore[attr-defined]
        f"/api/v1/dns/zones/{zone}/records/", {"page_size": 1}).json()["results"]
        if r["name"] == qname and r["type"] == "A"]
    delays, answers = [], []
    for i in range(rounds):
        value = f"192.0.2.{i % 250 + 1}"
        started = time.perf_counter()
        response = api.post(batch, {"remove": current, "add": [  # type: ignore[attr-defined]
            {"name": "h0", "type": "A", "content": value, "ttl": 300}]}, format="json")
        if response.status_code != 200:
            raise RuntimeError(f"edit refused: {response.status_code} {response.content[:300]!r}")
        answers.append(time.perf_counter() - started)
        current = [r["id"] for r in response.json()["added"]]
        while served_a(pdns.dns_port, qname) != value:
            if time.perf_counter() - started > 30:
                raise RuntimeError(f"{value} not served after 30 s")
            time.sleep(0.001)
        delays.append(time.perf_counter() - started)
    return delays, answers


def prove_control(client: PowerDNSClient, org: object, zone: str) -> None:
    """Serve the TXT challenge that lets the organisation host ``zone`` (Bureau's resolver
    setting points at this PowerDNS)."""
    from bureau.dns.operations.control import challenge_name, challenge_token
    from bureau.dns.powerdns.client import RRSetChange

    owner = challenge_name(zone)
    client.create_zone(owner, nameservers=NAMESERVERS)
    client.patch_rrsets(owner, [RRSetChange(owner, "TXT", 60,
                                            (f'"{challenge_token(org, zone)}"',))])  # type: ignore[arg-type]


def bench_bureau_api(pdns: PowerDNSInstance, client: PowerDNSClient, workdir: str,
                     rounds: int, records: int
                     ) -> tuple[list[float], tuple[list[float], list[float]]]:
    """Save through Bureau's REST API (in-process Django, fresh SQLite) until served: in a
    small zone, then one record edited in a zone of ``records`` records."""
    os.environ.update({
        "DJANGO_SETTINGS_MODULE": "bureau.settings", "BUREAU_STATE_DIR": workdir,
        "BUREAU_DEMO": "1", "BUREAU_HTTPS": "0",
        "DATABASE_URL": f"sqlite:///{workdir}/bench.sqlite3", "BUREAU_LOG_LEVEL": "WARNING",
        "BUREAU_ALLOWED_HOSTS": "testserver",
        "BUREAU_PDNS_API_URL": pdns.api_url, "BUREAU_PDNS_API_KEY": pdns.api_key,
        "BUREAU_PDNS_PRIMARY_ADDRESS": f"127.0.0.1:{pdns.dns_port}",
        "BUREAU_DNS_PORT": str(pdns.dns_port), "BUREAU_DNS_NAMESERVERS": ",".join(NAMESERVERS),
        "BUREAU_DNS_RESOLVERS": f"127.0.0.1:{pdns.dns_port}",
    })
    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from rest_framework.test import APIClient

    from bureau.registrar.accounts.models import Membership, Organisation, Role

    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    print(f"bureau: database migrated in {time.perf_counter() - started:.1f} s", flush=True)
    user = User.objects.create_user("bench", "bench@example.org", "bench-password-1")
    org = Organisation.objects.create(name="Bench", slug="bench")
    Membership.objects.create(user=user, organisation=org, role=Role.OWNER)
    api = APIClient()
    api.force_authenticate(user)
    zone = "api.bench.test"
    prove_control(client, org, zone)
    created = api.post("/api/v1/dns/zones/", {"name": zone}, format="json")
    if created.status_code != 201:
        raise RuntimeError(f"zone not created: {created.status_code} {created.content[:300]!r}")
    batch = f"/api/v1/dns/zones/{zone}/records/batch/"
    qname = f"www.{zone}."
    current: list[int] = []
    delays = []
    for i in range(rounds):
        value = f"198.51.100.{i % 250 + 1}" if i % 2 else f"203.0.113.{i % 250 + 1}"
        started = time.perf_counter()
        response = api.post(batch, {"remove": current, "add": [
            {"name": "www", "type": "A", "content": value, "ttl": 60}]}, format="json")
        if response.status_code != 200:
            raise RuntimeError(f"save refused: {response.status_code} {response.content[:300]!r}")
        current = [r["id"] for r in response.json()["added"]]
        while served_a(pdns.dns_port, qname) != value:
            if time.perf_counter() - started > 30:
                raise RuntimeError(f"{value} not served after 30 s")
            time.sleep(0.001)
        delays.append(time.perf_counter() - started)
    return delays, bench_edit_in_big_zone(pdns, client, api, org, user, rounds, records)


def import_records(count: int) -> list[Record]:
    raw = []
    for i in range(count):
        kind = i % 4
        if kind == 0:
            raw.append(
                Record(f"h{i}", "A", f"10.{i // 65536 % 256}.{i // 256 % 256}.{i % 256}", 300)
            )
        elif kind == 1:
            raw.append(Record(f"h{i}", "AAAA", f"2001:db8::{i:x}", 300))
        elif kind == 2:
            raw.append(Record(f"t{i}", "TXT", f"record number {i}", 300))
        else:
            raw.append(Record(f"m{i}", "MX", f"10 mx{i % 7}.example.net.", 300))
    return raw


def bench_import(client: PowerDNSClient, count: int) -> tuple[float, float, float]:
    """Records/s into an existing signed zone (validation + one PATCH), seconds of validation,
    and records/s for a new zone created with its records (validation + POST + signing)."""
    zone = "import.bench.test."
    create_hosted_zone(client, zone, nameservers=NAMESERVERS)
    raw = import_records(count)
    started = time.perf_counter()
    valid = validate_zone(zone, raw)
    validation_s = time.perf_counter() - started
    publish(client, zone, valid, notify=False)
    patch_rate = count / (time.perf_counter() - started)
    stored = sum(len(r.contents) for r in client.get_zone(zone).rrsets if r.rtype != "SOA")
    if stored < count:
        raise RuntimeError(f"only {stored} of {count} records stored")

    fresh = "import-new.bench.test."
    started = time.perf_counter()
    valid = validate_zone(fresh, import_records(count))
    create_hosted_zone(client, fresh, nameservers=NAMESERVERS, records=valid)
    create_rate = count / (time.perf_counter() - started)
    return patch_rate, validation_s, create_rate


def bench_engine_edit(client: PowerDNSClient, port: int, zone: str,
                      rounds: int) -> tuple[list[float], list[float]]:
    """In the same signed 10,000-record zone, one record replaced until served: as an API
    PATCH (PowerDNS rectifies the whole zone) and as a signed RFC 2136 update (PowerDNS
    fixes the changed name), in turn, at two names that each hold one RRset."""
    target = UpdateTarget(f"127.0.0.1:{port}", update_key(client), ("127.0.0.0/8",))
    allow_updates(client, zone, target.sources)
    ways: dict[str, list[float]] = {"patch": [], "update": []}
    for i in range(rounds):
        for way, owner in (("patch", f"h0.{zone}"), ("update", f"h4.{zone}")):
            value = f"198.51.100.{i % 250 + 1}"
            change = [RRSetChange(owner, "A", 300, (value,))]
            started = time.perf_counter()
            assert send_changes(client, zone, change,
                                target=target if way == "update" else None) == way
            while served_a(port, owner) != value:
                if time.perf_counter() - started > 30:
                    raise RuntimeError(f"{value} not served after 30 s")
                time.sleep(0.001)
            ways[way].append(time.perf_counter() - started)
    return ways["patch"], ways["update"]


def _query_worker(
    port: int, names: list[bytes], seconds: float, out: multiprocessing.Queue
) -> None:
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.settimeout(1.0)
    sock.connect(("127.0.0.1", port))
    answered = errors = 0
    deadline = time.perf_counter() + seconds
    i = 0
    while time.perf_counter() < deadline:
        sock.send(names[i % len(names)])
        i += 1
        try:
            sock.recv(4096)
            answered += 1
        except TimeoutError:
            errors += 1
    out.put((answered, errors))


def bench_qps(client: PowerDNSClient, port: int, seconds: float, workers: int) -> float:
    zone = "qps.bench.test."
    records = validate_zone(
        zone, [Record(f"w{i}", "A", f"192.0.2.{i % 250 + 1}", 300) for i in range(100)]
    )
    create_hosted_zone(client, zone, nameservers=NAMESERVERS, records=records)
    queries = []
    for i in range(100):
        query = dns.message.make_query(f"w{i}.{zone}", "A", want_dnssec=True)
        query.id = i
        queries.append(query.to_wire())
    out: multiprocessing.Queue = multiprocessing.Queue()
    procs = [
        multiprocessing.Process(target=_query_worker, args=(port, queries, seconds, out))
        for _ in range(workers)
    ]
    started = time.perf_counter()
    for p in procs:
        p.start()
    results = [out.get() for _ in procs]
    for p in procs:
        p.join()
    elapsed = time.perf_counter() - started
    return sum(a for a, _ in results) / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a short run (under a minute)")
    parser.add_argument("--backend", choices=["sqlite3", "gpgsql"], default="sqlite3")
    parser.add_argument("--pg-dbname", default="", help="existing database for --backend gpgsql")
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--engine-only", action="store_true",
                        help="skip the measurement through Bureau's REST API (no Django)")
    args = parser.parse_args()
    rounds = 20 if args.quick else 100
    qps_seconds = 3.0 if args.quick else 15.0
    workers = max(2, (os.cpu_count() or 2))

    with tempfile.TemporaryDirectory(prefix="bureau-bench-dns-") as workdir:
        postgres = PostgresDatabase(args.pg_dbname) if args.backend == "gpgsql" else None
        with (
            PowerDNSInstance(workdir, backend=args.backend, postgres=postgres) as pdns,
            PowerDNSClient(pdns.api_url, pdns.api_key) as client,
        ):
            print(f"PowerDNS {args.backend} on 127.0.0.1:{pdns.dns_port}", flush=True)
            delays = bench_publish(client, pdns.dns_port, rounds)
            engine_median, engine_p95 = statistics.median(delays), percentile(delays, 0.95)
            print(f"publish (engine alone, one PATCH): {rounds} changes, median "
                  f"{engine_median:.4f} s, p95 {engine_p95:.4f} s")
            secondary = bench_secondary(client, pdns, workdir, 10 if args.quick else 50)
            secondary_p95 = percentile(secondary, 0.95)
            print(f"change served by a secondary (catalog, TSIG, NOTIFY): median "
                  f"{statistics.median(secondary):.3f} s, p95 {secondary_p95:.3f} s", flush=True)
            median, p95 = engine_median, engine_p95
            edit_p95: float | None = None
            edit_answer_p95: float | None = None
            if not args.engine_only:
                delays, (edits, edit_answers) = bench_bureau_api(pdns, client, workdir, rounds,
                                                                 args.records)
                median, p95 = statistics.median(delays), percentile(delays, 0.95)
                print(f"publish (Bureau's REST API save -> served): {rounds} changes, median "
                      f"{median:.4f} s, p95 {p95:.4f} s", flush=True)
                edit_p95 = percentile(edits, 0.95)
                edit_answer_p95 = percentile(edit_answers, 0.95)
                print(f"edit one record in a {args.records}-record zone (API -> served): "
                      f"median {statistics.median(edits):.4f} s, p95 {edit_p95:.4f} s; "
                      f"API -> answered: median {statistics.median(edit_answers):.4f} s, "
                      f"p95 {edit_answer_p95:.4f} s", flush=True)
            rate, validation, create_rate = bench_import(client, args.records)
            print(
                f"import: {args.records} records at {rate:.0f} records/s into an existing "
                f"signed zone (validation {validation:.2f} s of it, then one PATCH); "
                f"{create_rate:.0f} records/s into a new zone (created with its records, signed)"
            )
            patched, updated = bench_engine_edit(client, pdns.dns_port, "import.bench.test.",
                                                 rounds)
            print(f"engine, one record in the {args.records}-record zone until served: as a "
                  f"PATCH median {statistics.median(patched):.4f} s, p95 "
                  f"{percentile(patched, 0.95):.4f} s; as an RFC 2136 update median "
                  f"{statistics.median(updated):.4f} s, p95 {percentile(updated, 0.95):.4f} s",
                  flush=True)
            qps = bench_qps(client, pdns.dns_port, qps_seconds, workers)
            print(
                f"queries: {qps:.0f} per second, signed zone, DO bit, {workers} client "
                f"processes on the same {os.cpu_count()} cores, {qps_seconds:.0f} s"
            )
    print(
        json.dumps(
            {
                "publish_median_s": round(median, 5),
                "publish_p95_s": round(p95, 5),
                "publish_through": "engine" if args.engine_only else "bureau-api",
                "engine_publish_median_s": round(engine_median, 5),
                "engine_publish_p95_s": round(engine_p95, 5),
                "import_records_per_s": round(rate, 1),
                "import_new_zone_records_per_s": round(create_rate, 1),
                "qps": round(qps, 1),
                # Named for the default --records 10000; target under 0.1 s.
                "edit_p95_s_10k": round(edit_p95, 5) if edit_p95 is not None else None,
                # The same edits until the API answered (PowerDNS confirmed the change).
                "edit_answer_p95_s_10k": (round(edit_answer_p95, 5)
                                          if edit_answer_p95 is not None else None),
                # A change on the primary until the secondary serves it; target under 2 s.
                "secondary_p95_s": round(secondary_p95, 4),
                # The engine alone, same zone, same run: one record replaced until served
                # as a PATCH (whole-zone rectify) and as an RFC 2136 update.
                "engine_edit_patch_median_s_10k": round(statistics.median(patched), 5),
                "engine_edit_update_median_s_10k": round(statistics.median(updated), 5),
                "backend": args.backend,
                "records": args.records,
            }
        )
    )


if __name__ == "__main__":
    main()
