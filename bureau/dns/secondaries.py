"""Checks that every secondary serves the zone's current serial."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

from bureau.dns.query import QueryFailed, soa_serial


@dataclass(frozen=True)
class Server:
    address: str
    port: int = 53
    name: str = ""

    def __str__(self) -> str:
        return self.name or f"{self.address}:{self.port}"


@dataclass(frozen=True)
class SecondaryStatus:
    server: Server
    serial: int | None  # None: the server does not serve the zone (or did not answer)
    current: bool
    error: str | None = None


def secondary_status(
    zone: str, expected_serial: int, servers: Sequence[Server], *, timeout: float = 2.0
) -> list[SecondaryStatus]:
    """The serial each server answers for `zone`, and whether it is the expected one."""
    out = []
    for server in servers:
        try:
            serial = soa_serial(server.address, zone, port=server.port, timeout=timeout)
        except QueryFailed as exc:
            out.append(SecondaryStatus(server, None, False, str(exc)))
            continue
        out.append(SecondaryStatus(server, serial, serial == expected_serial))
    return out


def wait_until_current(
    zone: str,
    expected_serial: int,
    servers: Sequence[Server],
    *,
    timeout: float = 10.0,
    interval: float = 0.05,
) -> list[SecondaryStatus]:
    """Poll until every server serves `expected_serial` or `timeout` passes; the last status."""
    deadline = time.monotonic() + timeout
    while True:
        status = secondary_status(zone, expected_serial, servers, timeout=min(2.0, timeout))
        if all(s.current for s in status) or time.monotonic() >= deadline:
            return status
        time.sleep(interval)
