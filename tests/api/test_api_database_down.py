"""A database that cannot be reached: Bureau (gunicorn, as deployed) pointed at a PostgreSQL
port where nothing listens answers 503 (problem details from the API, a page from the
portal) with Retry-After, never a 500."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def bureau_without_database(tmp_path: Path) -> Iterator[str]:
    closed, port = free_port(), free_port()
    env = {**os.environ, "DATABASE_URL": f"postgres://postgres@127.0.0.1:{closed}/bureau",
           "BUREAU_DEBUG": "0", "BUREAU_SSL_REDIRECT": "0", "BUREAU_STATE_DIR": str(tmp_path),
           "BUREAU_SECRET_KEY": "x" * 50}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "bureau.wsgi", "--bind", f"127.0.0.1:{port}",
         "--workers", "1", "--log-level", "warning"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                httpx.get(url + "/static/", timeout=1)
                break
            except httpx.TransportError:
                if server.poll() is not None:
                    pytest.fail(server.stdout.read().decode() if server.stdout else "")
                time.sleep(0.1)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_the_api_and_the_portal_answer_503_without_their_database(
        bureau_without_database: str) -> None:
    url = bureau_without_database
    api = httpx.get(f"{url}/api/v1/domains/", headers={"Authorization": "Bearer bur_x"})
    assert api.status_code == 503, api.text
    assert api.headers["content-type"] == "application/problem+json"
    assert api.headers["retry-after"] == "60"
    body = api.json()
    assert body["status"] == 503 and "database" in body["detail"]

    written = httpx.post(f"{url}/api/v1/contacts/", json={"name": "x"},
                         headers={"Authorization": "Bearer bur_x"})
    assert written.status_code == 503, written.text

    for language, words in (("en", "cannot reach its database"),
                            ("fr", "joindre sa base de données")):
        portal = httpx.get(f"{url}/contacts/", cookies={"sessionid": "a" * 32},
                           headers={"Accept-Language": language})
        assert portal.status_code == 503, portal.text
        assert "text/html" in portal.headers["content-type"]
        assert words in portal.text and portal.headers["retry-after"] == "60"
