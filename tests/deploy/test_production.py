"""Bureau as docs/deploy.md installs it: the settings of deploy/bureau.env.example (DEBUG off,
PostgreSQL), the web server started by the command of deploy/systemd/bureau-web.service, and
Caddy with deploy/Caddyfile in front, over TLS. A person sees the portal, the API and the
static files; Bureau's own 404 and 500 pages (never Django's debug page); and the security
headers on every answer."""

from __future__ import annotations

import json
import re
import secrets
import shlex
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
from cryptography.fernet import Fernet
from programs import require_program

from .conftest import DEPLOY, ROOT, TESTS, bureau_env, server_url

# django_db: so that pytest-django makes the test database, which the module copies.
pytestmark = [pytest.mark.slow, pytest.mark.django_db]

DEBUG_PAGE = "DEBUG = True"  # what Django's debug pages say at their foot


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def example_settings() -> dict[str, str]:
    """The settings deploy/bureau.env.example sets (not the commented ones)."""
    lines = (DEPLOY / "bureau.env.example").read_text().splitlines()
    return dict(line.split("=", 1) for line in lines if re.match(r"[A-Z_]+=", line))


def unit_command(unit: str) -> list[str]:
    """The ExecStart of a unit, for this checkout instead of /opt/bureau."""
    text = (DEPLOY / "systemd" / unit).read_text()
    command = re.search(r"^ExecStart=(.+)$", text, re.MULTILINE)
    assert command, f"{unit} has no ExecStart"
    venv = str(Path(sys.executable).parent.parent)
    return [word.replace("/opt/bureau/.venv", venv).replace("/opt/bureau", str(ROOT))
            for word in shlex.split(command.group(1))]


def wait_for(url: str, process: subprocess.Popen[bytes], log: Path, **kwargs: Any) -> None:
    deadline = time.monotonic() + 60
    while True:
        assert process.poll() is None, log.read_text()[-3000:]
        try:
            httpx.get(url, timeout=2, **kwargs)
            return
        except httpx.TransportError:
            assert time.monotonic() < deadline, f"{url} did not answer:\n" + \
                log.read_text()[-3000:]
            time.sleep(0.2)


@dataclass
class Site:
    url: str
    http_url: str
    ca: ssl.SSLContext
    data: dict[str, Any]
    web_log: Path

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.url, verify=self.ca, timeout=30)

    @contextmanager
    def logged_in(self, email: str, password: str) -> Iterator[httpx.Client]:
        """A browser's session: the login form, its CSRF token, the session cookie."""
        with self.client() as client:
            page = client.get("/accounts/login/")
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
            assert token, page.text[:2000]
            done = client.post("/accounts/login/", data={
                "csrfmiddlewaretoken": token.group(1), "login": email, "password": password},
                headers={"Referer": f"{self.url}/accounts/login/"})
            assert done.status_code == 302, done.text[:2000]
            yield client


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, django_db_setup: Any,
         django_db_blocker: Any) -> Iterator[Site]:
    work = tmp_path_factory.mktemp("production")
    # The database: a copy of the migrated test database, for this module alone.
    with django_db_blocker.unblock():
        from django.db import connections

        template = connections["default"].settings_dict["NAME"]
        connections.close_all()
    name = f"deploy_production_{secrets.token_hex(4)}"
    with psycopg.connect(f"{server_url()}/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')

    web_port, https_port, http_port = free_port(), free_port(), free_port()
    state = work / "state"
    # What the operator writes in /etc/bureau/bureau.env, following the example.
    site_values = {
        "DATABASE_URL": f"{server_url()}/{name}",
        "BUREAU_STATE_DIR": str(state),
        "BUREAU_SECRET_KEY": secrets.token_urlsafe(50),
        "BUREAU_FIELD_KEY": Fernet.generate_key().decode(),
        "BUREAU_ALLOWED_HOSTS": "localhost",
        "BUREAU_PORTAL_URL": f"https://localhost:{https_port}",
        "BUREAU_ADDR": f"127.0.0.1:{web_port}",
        "BUREAU_WEB_WORKERS": "2",
        "BUREAU_PDNS_API_KEY": "not-used-here",
        "BUREAU_DNS_SECONDARIES": "[]",
        "BUREAU_COOP_NAME": "Registre Coopératif SCIC", "BUREAU_COOP_RCS": "RCS Lyon 812 345 678",
        "BUREAU_COOP_SIREN": "812 345 678", "BUREAU_COOP_VAT_NUMBER": "FR12812345678",
        "BUREAU_COOP_ADDRESS": "2 rue de l'Exemple, 69002 Lyon, France",
        "BUREAU_PAYMENTS_IBAN": "FR7630004000031234567890143", "BUREAU_PAYMENTS_BIC": "BNPAFRPP",
    }
    example = example_settings()
    unchanged = [k for k, v in example.items() if "CHANGE-ME" in v and k not in site_values]
    assert not unchanged, f"the test leaves CHANGE-ME in {unchanged}"
    env = bureau_env({**example, **site_values})

    def bureau(*args: str) -> str:
        done = subprocess.run([sys.executable, "-m", "bureau.cli", *args], env=env,
                              capture_output=True, text=True, timeout=300, check=False)
        assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
        return done.stdout

    bureau("migrate", "--noinput")
    # The copy was migrated with the test settings, which keep rate limits in memory: make
    # the table of the shared cache, as `bureau migrate` does with production settings.
    bureau("createcachetable")
    bureau("collectstatic", "--noinput")
    # The example, once its CHANGE-ME are filled in, is a complete production set-up (with its
    # public host name: this test's, localhost, is refused by the check, rightly).
    public = {name: example[name] for name in ("BUREAU_ALLOWED_HOSTS", "BUREAU_PORTAL_URL")}
    checked = subprocess.run([sys.executable, "-m", "bureau.cli", "check", "--deploy"],
                             env={**env, **public}, capture_output=True, text=True,
                             timeout=300, check=False)
    assert checked.returncode == 0 and "bureau.E" not in checked.stderr, checked.stderr
    made = subprocess.run([sys.executable, str(TESTS / "deploy" / "production_data.py")],
                          env=env, capture_output=True, text=True, timeout=120, check=False)
    assert made.returncode == 0, made.stderr[-3000:]
    data = json.loads(made.stdout.splitlines()[-1])

    web_log = work / "web.log"
    caddy_log = work / "caddy.log"
    processes: list[subprocess.Popen[bytes]] = []
    try:
        with web_log.open("wb") as log:
            processes.append(subprocess.Popen(unit_command("bureau-web.service"), env=env,
                                              cwd=state, stdout=log, stderr=log))
        wait_for(f"http://127.0.0.1:{web_port}/health", processes[0], web_log)

        caddy = require_program("caddy", "caddy")
        caddy_env = {"HOME": str(work), "XDG_DATA_HOME": str(work / "data"),
                     "XDG_CONFIG_HOME": str(work / "config"), "PATH": "/usr/bin:/bin",
                     "REGISTRAR_HOST": "localhost", "REGISTRAR_UPSTREAMS": f"127.0.0.1:{web_port}",
                     "CADDY_ADMIN": "off", "CADDY_HTTP_PORT": str(http_port),
                     "CADDY_HTTPS_PORT": str(https_port)}
        adapted = subprocess.run([caddy, "adapt", "--adapter", "caddyfile", "--config",
                                  str(DEPLOY / "Caddyfile")], env=caddy_env,
                                 capture_output=True, text=True, check=True)
        config = json.loads(adapted.stdout)
        # For the test only: loopback, and Caddy's own CA kept out of the system's trust.
        for server in config["apps"]["http"]["servers"].values():
            server["listen"] = [f"127.0.0.1:{https_port}"]
        config["apps"]["pki"] = {"certificate_authorities": {"local": {"install_trust": False}}}
        (work / "caddy.json").write_text(json.dumps(config))
        with caddy_log.open("wb") as log:
            processes.append(subprocess.Popen(
                [caddy, "run", "--config", str(work / "caddy.json")], env=caddy_env,
                stdout=log, stderr=log))
        root = work / "data" / "caddy" / "pki" / "authorities" / "local" / "root.crt"
        deadline = time.monotonic() + 30
        while not root.exists():
            assert processes[1].poll() is None, caddy_log.read_text()[-3000:]
            assert time.monotonic() < deadline, caddy_log.read_text()[-3000:]
            time.sleep(0.1)
        ca = ssl.create_default_context(cafile=str(root))
        wait_for(f"https://localhost:{https_port}/health", processes[1], caddy_log, verify=ca)
        yield Site(f"https://localhost:{https_port}", f"http://127.0.0.1:{http_port}", ca,
                   data, web_log)
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(30)
        with psycopg.connect(f"{server_url()}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def assert_security_headers(response: httpx.Response) -> None:
    headers = response.headers
    assert headers["strict-transport-security"].startswith("max-age=31536000")
    assert "default-src 'self'" in headers["content-security-policy"]
    assert headers["x-frame-options"] == "DENY"
    assert headers["referrer-policy"] == "same-origin"
    assert headers["x-content-type-options"] == "nosniff"
    assert re.fullmatch(r"[0-9a-f-]{36}", headers["x-request-id"])  # set by the proxy


def test_the_login_page_comes_over_https_with_the_security_headers(site: Site) -> None:
    with site.client() as client:
        page = client.get("/accounts/login/")
    assert page.status_code == 200
    assert 'type="password"' in page.text and DEBUG_PAGE not in page.text
    assert_security_headers(page)
    # Plain HTTP is sent to HTTPS by the proxy.
    plain = httpx.get(f"{site.http_url}/accounts/login/", headers={"Host": "localhost"})
    assert plain.status_code in (301, 308)
    assert plain.headers["location"].startswith("https://localhost")


def test_a_member_logs_in_and_sees_her_names(site: Site) -> None:
    with site.logged_in(site.data["email"], site.data["password"]) as client:
        page = client.get("/domains/")
    assert page.status_code == 200
    assert "atelier-0.test" in page.text and "atelier-4.test" in page.text
    assert_security_headers(page)


def test_the_api_lists_the_names_of_a_token(site: Site) -> None:
    with site.client() as client:
        listed = client.get("/api/v1/domains/",
                            headers={"Authorization": f"Bearer {site.data['token']}"})
        refused = client.get("/api/v1/domains/", headers={"Authorization": "Bearer wrong"})
    assert listed.status_code == 200, listed.text[:2000]
    names = [d["name"] for d in listed.json()["results"]]
    assert sorted(names) == [f"atelier-{n}.test" for n in range(5)]
    assert refused.status_code == 401
    assert refused.headers["content-type"].startswith("application/problem+json")


def test_static_files_are_served(site: Site) -> None:
    with site.client() as client:
        page = client.get("/accounts/login/")
        css = re.search(r'href="(/static/[^"]+\.css)"', page.text)
        assert css, page.text[:2000]
        sheet = client.get(css.group(1))
    assert sheet.status_code == 200
    assert sheet.headers["content-type"].startswith("text/css")
    assert "body" in sheet.text


def test_a_missing_page_is_bureaus_own_404(site: Site) -> None:
    with site.client() as client:
        page = client.get("/no-such-page/")
        api = client.get("/api/v1/no-such-resource/")
    assert page.status_code == 404
    assert "· Bureau</title>" in page.text and DEBUG_PAGE not in page.text
    assert_security_headers(page)
    assert api.status_code == 404
    assert api.headers["content-type"].startswith("application/problem+json")


def test_a_failure_is_bureaus_own_500_and_is_logged(site: Site) -> None:
    """The name's transfer code was encrypted with a key this Bureau lacks: its page fails."""
    with site.logged_in(site.data["lost_email"], site.data["password"]) as client:
        page = client.get(f"/domains/{site.data['lost_key_domain']}/")
    assert page.status_code == 500
    assert "· Bureau</title>" in page.text and DEBUG_PAGE not in page.text
    assert "Traceback" not in page.text and "BUREAU_FIELD_KEY" not in page.text
    assert_security_headers(page)
    # The operator finds the error and its cause in the web server's log, under the request id
    # the proxy gave the request (and the person, in the answer's headers).
    request_id = page.headers["x-request-id"]
    deadline = time.monotonic() + 10
    while True:
        records = [json.loads(line) for line in site.web_log.read_text().splitlines()
                   if line.startswith("{")]
        errors = [r for r in records if r.get("request_id") == request_id
                  and r.get("level") == "error" and "BUREAU_FIELD_KEY" in r.get("exception", "")]
        if errors:
            break
        assert time.monotonic() < deadline, site.web_log.read_text()[-3000:]
        time.sleep(0.2)
