"""What the tests of serving share: Bureau's command, free ports, waiting, reading the JSON
log lines a process wrote to standard error, and plain HTTP requests."""

from __future__ import annotations

import http.client
import json
import socket
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

BUREAU = Path(sys.executable).with_name("bureau")
GUNICORN = Path(sys.executable).with_name("gunicorn")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(condition: Callable[[], bool], seconds: float,
             failure: str | Callable[[], str] = "timed out") -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if condition():
                return True
        except (OSError, ValueError, AssertionError, http.client.HTTPException):
            pass
        time.sleep(0.3)
    raise AssertionError(failure() if callable(failure) else failure)


def log_records(path: Path) -> list[dict[str, Any]]:
    """Every line the process wrote to standard error, each a JSON object (one that is not
    fails the test: nothing may escape the structured format)."""
    records = []
    for line in path.read_text().splitlines():
        if line.strip():
            try:
                records.append(json.loads(line))
            except ValueError:
                raise AssertionError(f"not a JSON log line: {line!r}") from None
    return records


@dataclass
class Server:
    url: str
    stderr: Path

    def get(self, path: str, headers: dict[str, str] | None = None
            ) -> tuple[int, dict[str, str], str]:
        parts = urlsplit(self.url)
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        try:
            conn.request("GET", path, headers=headers or {})
            response = conn.getresponse()
            return (response.status, dict(response.getheaders()),
                    response.read().decode("utf-8", "replace"))
        finally:
            conn.close()
