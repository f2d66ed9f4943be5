"""deploy/powerdns/primary.conf and secondary.conf, as shipped, run a primary on PostgreSQL
and a secondary on SQLite that serves what Bureau publishes, signed. Only what differs from
one site to another (addresses, ports, keys, database credentials) is given on the command
line, as the operator writes it in the file; every other line is the shipped one."""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import dns.query
import dns.tsigkeyring
import dns.xfr
import dns.zone
import httpx
import psycopg
import pytest
from programs import require_program

from bureau.dns.dnssec import validated_answer
from bureau.dns.powerdns import PowerDNSClient
from bureau.dns.powerdns.instance import find_schema, free_port
from bureau.dns.publish import (
    TRANSFER_KEY,
    SecondaryTarget,
    create_hosted_zone,
    publish,
    transfer_key,
)
from bureau.dns.records import Record
from bureau.dns.secondaries import Server, wait_until_current
from bureau.dns.validation import validate_zone

from .conftest import DEPLOY

pytestmark = pytest.mark.slow


@contextmanager
def pdns_server(shipped: Path, workdir: Path, **site: str) -> Iterator[str]:
    """pdns_server reading `shipped` as its pdns.conf, with the site's values on the command
    line; yields the API URL once it answers."""
    binary = require_program("pdns_server", "pdns-server")
    workdir.mkdir()
    shutil.copy(shipped, workdir / "pdns.conf")
    options = {"local-address": "127.0.0.1", "local-port": str(free_port()),
               "webserver-address": "127.0.0.1", "webserver-port": str(free_port()),
               "webserver-allow-from": "127.0.0.1", "socket-dir": str(workdir), **site}
    # Options of Debian's pdns.service, which starts pdns_server the same way.
    command = [binary, f"--config-dir={workdir}", "--guardian=no", "--daemon=no",
               "--write-pid=no", "--disable-syslog", *(f"--{k}={v}" for k, v in options.items())]
    log = (workdir / "pdns.log").open("wb")
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    api = f"http://127.0.0.1:{options['webserver-port']}"
    try:
        deadline = time.monotonic() + 20
        while True:
            assert process.poll() is None, (workdir / "pdns.log").read_text()[-3000:]
            try:
                if httpx.get(f"{api}/api/v1/servers/localhost",
                             headers={"X-API-Key": options["api-key"]}).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, (workdir / "pdns.log").read_text()[-3000:]
            time.sleep(0.1)
        yield api
    finally:
        process.terminate()
        process.wait(10)
        log.close()


def test_shipped_primary_and_secondary_serve_a_signed_zone(
    tmp_path: Path, new_database: Callable[[str], str]
) -> None:
    url = new_database("deploy_pdns")
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(find_schema("schema.pgsql.sql").read_text())
    pg = psycopg.conninfo.conninfo_to_dict(url)
    primary_port, secondary_port = free_port(), free_port()
    sqlite = tmp_path / "secondary.sqlite3"
    subprocess.run([require_program("sqlite3", "sqlite3"), str(sqlite)], check=True,
                   input=find_schema("schema.sqlite3.sql").read_bytes())

    with pdns_server(DEPLOY / "powerdns" / "primary.conf", tmp_path / "primary",
                     **{"local-port": str(primary_port), "api-key": "primary-key",
                        "gpgsql-host": str(pg.get("host", "127.0.0.1")),
                        "gpgsql-port": str(pg.get("port", 5432)),
                        "gpgsql-dbname": str(pg["dbname"]), "gpgsql-user": str(pg["user"]),
                        "gpgsql-password": str(pg.get("password", "")),
                        "also-notify": f"127.0.0.1:{secondary_port}"}) as primary_api, \
         pdns_server(DEPLOY / "powerdns" / "secondary.conf", tmp_path / "secondary",
                     **{"local-port": str(secondary_port), "api-key": "secondary-key",
                        "gsqlite3-database": str(sqlite),
                        "allow-notify-from": "127.0.0.1"}) as secondary_api:
        primary = PowerDNSClient(primary_api, "primary-key")
        secondary = PowerDNSClient(secondary_api, "secondary-key")
        zone = "cooperative-deploy.test."
        hosted = create_hosted_zone(
            primary, zone, nameservers=["ns1.example.test.", "ns2.example.test."],
            records=validate_zone(zone, [Record("www", "A", "192.0.2.1", 60)]),
            primary_address=f"127.0.0.1:{primary_port}",
            secondaries=[SecondaryTarget(secondary, f"127.0.0.1:{secondary_port}")])
        assert hosted.ds  # signed, keys kept in PostgreSQL

        serial = publish(primary, zone, validate_zone(zone, [Record("www", "A", "192.0.2.2",
                                                                    60)]))
        servers = [Server("127.0.0.1", primary_port, "primary"),
                   Server("127.0.0.1", secondary_port, "secondary")]
        status = wait_until_current(zone, serial, servers, timeout=15)
        assert all(s.current for s in status), status
        # The secondary serves the change, and its signatures validate from the zone's DS.
        rrset = validated_answer("127.0.0.1", zone, f"www.{zone}", "A", hosted.ds,
                                 port=secondary_port)
        assert [r.to_text() for r in rrset] == ["192.0.2.2"]
        # The primary gives the zone only to transfers signed with Bureau's key (from any
        # address); the secondary gives it to nobody.
        keyring = dns.tsigkeyring.from_text({TRANSFER_KEY: transfer_key(primary)})
        assert transfer(primary_port, zone, keyring).get_rdataset("www", "A")
        with pytest.raises(dns.xfr.TransferError):
            transfer(primary_port, zone)
        with pytest.raises(dns.xfr.TransferError):
            transfer(secondary_port, zone, keyring)


def transfer(port: int, zone: str, keyring: dict[Any, Any] | None = None) -> dns.zone.Zone:
    signed: dict[str, Any] = {"keyring": keyring, "keyname": TRANSFER_KEY} if keyring else {}
    return dns.zone.from_xfr(dns.query.xfr("127.0.0.1", zone, port=port, timeout=5, **signed))
