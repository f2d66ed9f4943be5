"""Bureau outside the demo: it refuses to start without its keys, says in one line that the
database cannot be reached, logs a failing request in JSON with its request id, and
`bureau check --deploy` fails on the demo's defaults and passes on a production set-up."""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet
from serving import BUREAU, GUNICORN, Server, free_port, log_records, wait_for

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
# The tests' own demo switches (pyproject's pytest-env) and database are not production's.
NOT_PRODUCTION = {"BUREAU_DEMO", "BUREAU_HTTPS", "BUREAU_DEBUG", "DATABASE_URL"}


def production_env(state: Path, **values: str) -> dict[str, str]:
    env = {name: value for name, value in os.environ.items() if name not in NOT_PRODUCTION}
    env.update({"BUREAU_STATE_DIR": str(state), "DJANGO_SETTINGS_MODULE": "bureau.settings",
                "BUREAU_SECRET_KEY": secrets.token_urlsafe(50),
                "BUREAU_FIELD_KEY": Fernet.generate_key().decode(),
                "BUREAU_LANGUAGE": "en"})
    env.update(values)
    return env


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """gunicorn as in production (keys given, DEBUG off, HTTPS on), with one failing page."""
    folder = tmp_path_factory.mktemp("production")
    port = free_port()
    env = production_env(folder / "state", BUREAU_SSL_REDIRECT="0",
                         DJANGO_SETTINGS_MODULE="raising_settings",
                         PYTHONPATH=os.pathsep.join([str(HERE), os.environ.get("PYTHONPATH", "")]))
    stderr = folder / "stderr.log"
    with stderr.open("wb") as err:
        process = subprocess.Popen([str(GUNICORN), "-c", "python:bureau.serve",
                                    "--bind", f"127.0.0.1:{port}", "--workers", "1"],
                                   env=env, stdout=err, stderr=err)
    server = Server(f"http://127.0.0.1:{port}", stderr)
    try:
        wait_for(lambda: server.get("/static/web/bureau.css")[0] in (200, 404), 90,
                 lambda: f"gunicorn did not start:\n{stderr.read_text()[-3000:]}")
        yield server
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(30)


def test_a_failing_request_is_logged_with_its_request_id(server: Server) -> None:
    status, headers, body = server.get("/raise/", {"X-Request-ID": "support-ticket-42"})
    assert status == 500 and headers["X-Request-ID"] == "support-ticket-42"
    assert "Something went wrong" in body  # Bureau's page, not the debug page
    assert "RuntimeError" not in body and "Traceback" not in body
    records = log_records(server.stderr)
    error = next(r for r in records if r["logger"] == "django.request" and r["level"] == "error")
    assert error["request_id"] == "support-ticket-42"
    assert "RuntimeError: the page failed on purpose" in error["exception"]

    def access() -> list[dict[str, Any]]:  # written once the response has left
        return [r for r in log_records(server.stderr) if r["logger"] == "gunicorn.access"
                and r.get("request_id") == "support-ticket-42"]

    wait_for(lambda: bool(access()), 20, "no access record with the request id")
    assert access()[0]["status"] == "500" and access()[0]["path"] == "/raise/"


def test_a_request_without_an_id_gets_one(server: Server) -> None:
    status, headers, _body = server.get("/raise/", {"X-Request-ID": "not an id, has spaces"})
    assert status == 500
    made = headers["X-Request-ID"]
    assert made != "not an id, has spaces" and len(made) == 32
    assert any(r.get("request_id") == made and r["logger"] == "django.request"
               for r in log_records(server.stderr))


def test_its_own_404_page_not_the_debug_page(server: Server) -> None:
    status, _headers, body = server.get("/no-such-page/")
    assert status == 404 and "Bureau" in body and "URLconf" not in body


@pytest.mark.parametrize("command", [
    ["bureau", "migrate"], ["bureau", "worker"],
    ["gunicorn", "-c", "python:bureau.serve"],  # as `bureau run` starts it
    ["gunicorn", "-c", str(ROOT / "deploy" / "gunicorn.conf.py"), "bureau.wsgi:application"],
])
def test_a_missing_key_refuses_to_start_in_one_line(tmp_path: Path, command: list[str]) -> None:
    env = production_env(tmp_path / "state")
    del env["BUREAU_SECRET_KEY"]
    argv = ([str(BUREAU), *command[1:]] if command[0] == "bureau" else
            [str(GUNICORN), *command[1:], "--bind", f"127.0.0.1:{free_port()}"])
    done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode != 0 and "Traceback" not in done.stderr
    # One line for people; gunicorn's own log lines (JSON) may come before it.
    lines = [line for line in done.stderr.strip().splitlines() if not line.startswith("{")]
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith(f"bureau: BUREAU_SECRET_KEY is not set and {tmp_path}/state/"
                               "secret-key does not exist: set it")
    assert not (tmp_path / "state" / "secret-key").exists()


def test_an_unreachable_database_is_one_line(tmp_path: Path) -> None:
    env = production_env(tmp_path / "state",
                         DATABASE_URL=f"postgres://bureau@127.0.0.1:{free_port()}/bureau")
    done = subprocess.run([str(BUREAU), "migrate"], env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 1
    assert done.stderr.startswith("bureau: the database cannot be reached (")
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr


def check_deploy(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(BUREAU), "check", "--deploy"], env=env, capture_output=True,
                          text=True, timeout=120)


def test_check_deploy_fails_on_the_demo_defaults(tmp_path: Path) -> None:
    env = {name: value for name, value in os.environ.items() if name not in NOT_PRODUCTION}
    env.update({"BUREAU_DEMO": "1", "BUREAU_STATE_DIR": str(tmp_path / "state")})
    done = check_deploy(env)
    assert done.returncode != 0
    for problem in ("bureau.E002", "bureau.E006", "bureau.E007", "bureau.E008", "bureau.E009",
                    "bureau.E010", "bureau.E011", "bureau.E012", "bureau.E014",
                    "bureau.E015"):
        assert problem in done.stderr, problem
    assert "ns1.bureau.coop" in done.stderr
    env.update({"BUREAU_DEBUG": "1"})
    done = check_deploy(env)
    assert "bureau.E001" in done.stderr and "bureau.E013" in done.stderr


def test_check_deploy_passes_on_a_production_set_up(tmp_path: Path) -> None:
    env = production_env(
        tmp_path / "state",
        DATABASE_URL="postgres://bureau@db.example.coop:5432/bureau",
        BUREAU_ALLOWED_HOSTS="registrar.example.coop",
        BUREAU_PORTAL_URL="https://registrar.example.coop",
        BUREAU_BEHIND_PROXY="1",
        BUREAU_EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        BUREAU_EMAIL_HOST="smtp.example.coop", BUREAU_EMAIL_PORT="587",
        BUREAU_EMAIL_STARTTLS="1",
        BUREAU_FROM_EMAIL="Registrar <registrar@example.coop>",
        BUREAU_PDNS_API_URL="http://dns1.example.coop:8081", BUREAU_PDNS_API_KEY="k" * 24,
        BUREAU_DNS_NAMESERVERS="ns1.example.coop,ns2.example.net",
        BUREAU_DNS_PARKING_ADDRESSES="192.0.2.80,2001:db8::80",
        BUREAU_COOP_NAME="Example SCIC", BUREAU_COOP_RCS="RCS Lyon 812 345 678",
        BUREAU_COOP_SIREN="812 345 678", BUREAU_COOP_VAT_NUMBER="FR12812345678",
        BUREAU_COOP_ADDRESS="2 rue de l'Exemple, 69002 Lyon, France",
        BUREAU_COOP_EMAIL="factures@example.coop", BUREAU_ESCROW_IANA_ID="9999",
        BUREAU_ESCROW_GTLDS="org,coop",
        BUREAU_PAYMENTS_IBAN="FR7612548029989876543210917", BUREAU_PAYMENTS_BIC="CMCIFR2A")
    done = check_deploy(env)
    assert done.returncode == 0, done.stderr
    assert "bureau.E" not in done.stderr + done.stdout
    # And one unsafe setting is enough to fail.
    done = check_deploy({**env, "BUREAU_HTTPS": "0"})
    assert done.returncode != 0 and "bureau.E013" in done.stderr
    # Parked names go to Bureau's own name servers, which serve their parking zone.
    done = check_deploy({**env, "BUREAU_NOTICES_PARKING_NAMESERVERS": "ns1.parking.example"})
    assert done.returncode != 0 and "bureau.E012" in done.stderr
    assert "ns1.parking.example" in done.stderr
    done = check_deploy({**env, "BUREAU_DNS_PARKING_ADDRESSES": ""})
    assert done.returncode != 0 and "bureau.E016" in done.stderr


def test_without_its_database_the_server_starts_and_health_names_it(tmp_path: Path) -> None:
    port = free_port()
    env = production_env(tmp_path / "state", BUREAU_SSL_REDIRECT="0",
                         DATABASE_URL=f"postgres://bureau@127.0.0.1:{free_port()}/bureau")
    stderr = tmp_path / "stderr.log"
    with stderr.open("wb") as err:
        process = subprocess.Popen([str(GUNICORN), "-c", "python:bureau.serve",
                                    "--bind", f"127.0.0.1:{port}", "--workers", "1"],
                                   env=env, stdout=err, stderr=err)
    server = Server(f"http://127.0.0.1:{port}", stderr)
    try:
        wait_for(lambda: server.get("/health/")[0] == 503, 90,
                 lambda: f"no 503 from /health/:\n{stderr.read_text()[-3000:]}")
        status, headers, body = server.get("/health/")
        report = json.loads(body)
        assert status == 503
        assert headers["Content-Type"] == "application/json"
        assert report["status"] == "failing" and "database" in report["failing"]
        assert report["checks"]["database"].startswith("cannot be reached")
        said = [r["message"] for r in log_records(stderr) if r["logger"] == "bureau"]
        assert any(m.startswith("the database cannot be reached") for m in said), said
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(30)
