"""`bureau run` as a newcomer starts it (`make run`): nothing configured, started from another
folder, on free ports. It serves through gunicorn with DEBUG off, logs in over plain http,
reports its health, and keeps its worker and web server running when they die."""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import signal
import sqlite3
import subprocess
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import dns.message
import dns.query
import dns.rcode
import pytest
from aiosmtpd.controller import Controller
from mail_fixtures import Inbox
from programs import require_program
from serving import BUREAU, Server, free_port, log_records, wait_for

pytestmark = pytest.mark.slow


@dataclass
class Demo(Server):
    state: Path
    process: subprocess.Popen[bytes]
    stdout: Path
    inbox: Inbox
    env: dict[str, str]

    def worker_pid(self) -> int:
        """The pid of the worker whose heartbeat is the newest."""
        with sqlite3.connect(self.state / "bureau.sqlite3") as db:
            row = db.execute("SELECT name FROM core_heartbeat WHERE name LIKE 'worker:%' "
                             "ORDER BY at DESC LIMIT 1").fetchone()
        assert row, "no worker heartbeat"
        return int(row[0].split(":")[2])  # worker:<host>:<pid>:<worker id>

    def health(self) -> tuple[int, dict[str, Any]]:
        status, _headers, body = self.get("/health/")
        return status, json.loads(body)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    require_program("pdns_server", "pdns-server and pdns-backend-sqlite3")
    folder = tmp_path_factory.mktemp("demo")
    elsewhere = tmp_path_factory.mktemp("elsewhere")  # the folder it starts in: not used
    port = free_port()
    inbox = Inbox(port=free_port())  # the demo's emails go to a real SMTP server
    smtp = Controller(inbox, hostname=inbox.host, port=inbox.port)
    smtp.start()
    env = {name: value for name, value in os.environ.items()
           if name not in {"BUREAU_DEMO", "BUREAU_HTTPS", "BUREAU_DEBUG", "DATABASE_URL",
                           "BUREAU_PORTAL_URL"}}
    env.update({"BUREAU_STATE_DIR": str(folder / "state"), "BUREAU_ADDR": f"127.0.0.1:{port}",
                "BUREAU_SANDBOX_PORT": "0", "BUREAU_LANGUAGE": "en",
                "BUREAU_HEARTBEAT_EVERY": "1", "BUREAU_HEALTH_WORKER_AFTER": "4",
                "BUREAU_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                "BUREAU_EMAIL_HOST": inbox.host, "BUREAU_EMAIL_PORT": str(inbox.port)})
    stdout, stderr = folder / "stdout.log", folder / "stderr.log"
    with stdout.open("wb") as out, stderr.open("wb") as err:
        process = subprocess.Popen([str(BUREAU), "run"], env=env, cwd=elsewhere,
                                   stdout=out, stderr=err)
    server = Demo(f"http://127.0.0.1:{port}", stderr, folder / "state", process, stdout,
                  inbox, env)
    try:
        wait_for(lambda: process.poll() is None and server.health()[0] == 200, 240,
                 lambda: f"the demo is not healthy; stderr:\n{stderr.read_text()[-3000:]}")
        yield server
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(60)
        except subprocess.TimeoutExpired:
            process.kill()
        smtp.stop()
    assert not list(elsewhere.iterdir()), "bureau run wrote into the folder it started in"


def test_the_state_folder_is_private(demo: Demo) -> None:
    assert (demo.state.stat().st_mode & 0o777) == 0o700
    for name in ("secret-key", "field-key", "bureau.sqlite3"):
        assert ((demo.state / name).stat().st_mode & 0o777) == 0o600, name


def test_the_summary_says_how_the_demo_is_set(demo: Demo) -> None:
    summary = demo.stdout.read_text()
    assert "BUREAU_DEMO=1" in summary and "BUREAU_HTTPS=0" in summary
    assert "BUREAU_DEBUG=1 make run" in summary
    assert f"state folder          {demo.state}" in summary


def test_the_sandbox_publishes_its_tld_zones_signed(demo: Demo) -> None:
    anchors = demo.state / "sandbox-tld-anchors.conf"
    wait_for(anchors.exists, 60, lambda: "no TLD anchors written")
    text = anchors.read_text()
    assert "test. static-ds" in text  # the sandbox's TLDs, each with its key's DS
    assert "sandbox TLD zones" in demo.stdout.read_text()


def test_links_in_the_demos_emails_lead_to_its_portal(demo: Demo) -> None:
    """The portal moved by BUREAU_ADDR: a command run in another shell (no BUREAU_ADDR there)
    changes the holder's address; the verification email, read from the SMTP server, links
    to the moved portal, and following the link confirms the address."""
    with sqlite3.connect(demo.state / "bureau.sqlite3") as db:
        holder, verified = db.execute(
            "SELECT id, verified_at FROM contacts_contact WHERE email = ?",
            ("membre@bureau.test",)).fetchone()
    # The member confirmed membre@bureau.test for their account: not asked a second time.
    assert verified is not None
    assert not [m for m in demo.inbox.received if "membre@bureau.test" in m.rcpt
                and m.key.startswith("verify-email:")]

    elsewhere = {k: v for k, v in demo.env.items() if k != "BUREAU_ADDR"}
    subprocess.run([str(BUREAU), "contact", "update", str(holder),
                    "--email", "tresorerie@bureau.test"], env=elsewhere, check=True,
                   capture_output=True, timeout=120)
    wait_for(lambda: any("tresorerie@bureau.test" in m.rcpt for m in demo.inbox.received),
             60, lambda: "no verification email for the new address")
    [mail] = [m for m in demo.inbox.received if "tresorerie@bureau.test" in m.rcpt]
    links = re.findall(r"http://[^\s\"<]+/notices/verify/[^\s\"<]+/", mail.text + mail.html)
    assert links and all(link.startswith(demo.url + "/") for link in links), links

    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(links[0], timeout=30).read().decode()
    assert "tresorerie@bureau.test" in page  # the address it confirms, named
    csrf = next(c.value for c in jar if c.name == "csrftoken")
    done = opener.open(urllib.request.Request(
        links[0], data=urllib.parse.urlencode({"csrfmiddlewaretoken": csrf}).encode(),
        headers={"Referer": links[0]}), timeout=30)
    assert done.status == 200
    with sqlite3.connect(demo.state / "bureau.sqlite3") as db:
        [(verified,)] = db.execute("SELECT verified_at FROM contacts_contact WHERE id = ?",
                                   (holder,)).fetchall()
    assert verified is not None


def test_served_by_gunicorn_with_static_files_and_its_own_404(demo: Demo) -> None:
    assert any(r["logger"] == "gunicorn.error" and r["message"].startswith("Listening at")
               for r in log_records(demo.stderr))
    status, headers, body = demo.get("/accounts/login/")
    assert status == 200 and "<form" in body
    assert re.fullmatch(r"[0-9a-f]{32}", headers["X-Request-ID"])
    status, headers, css = demo.get("/static/web/bureau.css")
    assert status == 200 and headers["Content-Type"].startswith("text/css") and "{" in css
    status, _headers, body = demo.get("/no-such-page/")
    assert status == 404
    assert "Bureau" in body and "URLconf" not in body and "DEBUG = True" not in body


def test_a_member_logs_in_over_plain_http(demo: Demo) -> None:
    """The demo's cookies are not Secure: a client that, like a browser, keeps Secure cookies
    off plain http still gets logged in."""
    password = json.loads((demo.state / "demo-logins.json").read_text())["membre"]
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.open(demo.url + "/accounts/login/", timeout=30).read()
    csrf = next(c.value for c in jar if c.name == "csrftoken")
    form = urllib.parse.urlencode({"csrfmiddlewaretoken": csrf, "login": "membre@bureau.test",
                                   "password": password}).encode()
    request = urllib.request.Request(demo.url + "/accounts/login/", data=form,
                                     headers={"Referer": demo.url + "/accounts/login/"})
    page = opener.open(request, timeout=30)
    assert page.status == 200 and "/accounts/login/" not in page.url
    assert "Log out" in page.read().decode()
    assert not any(cookie.secure for cookie in jar)


def test_health_names_a_stuck_worker(demo: Demo) -> None:
    status, report = demo.health()
    assert status == 200 and report["status"] == "ok"
    assert {"database", "worker", "powerdns"} <= set(report["checks"])
    assert any(name.startswith("registry:") for name in report["checks"])
    pid = demo.worker_pid()
    os.kill(pid, signal.SIGSTOP)  # alive for the supervisor, silent for the heartbeat
    try:
        wait_for(lambda: demo.health()[0] == 503, 30, "health stayed ok with a stuck worker")
        status, report = demo.health()
        assert report["failing"] == ["worker"]
        assert "last heartbeat" in report["checks"]["worker"]
    finally:
        os.kill(pid, signal.SIGCONT)
    wait_for(lambda: demo.health()[0] == 200, 30, "health did not come back")


def test_a_killed_worker_is_started_again(demo: Demo) -> None:
    pid = demo.worker_pid()
    os.kill(pid, signal.SIGKILL)
    wait_for(lambda: demo.worker_pid() != pid, 60, "no new worker")
    wait_for(lambda: demo.health()[0] == 200, 30, "health did not come back")
    stopped = [r for r in log_records(demo.stderr) if r["logger"] == "bureau.run"]
    assert any(f"exit code -{signal.SIGKILL}" in r["message"] and "worker" in r["message"]
               for r in stopped), stopped


def test_a_killed_web_server_is_started_again(demo: Demo) -> None:
    listening = [r for r in log_records(demo.stderr)
                 if r["logger"] == "gunicorn.error" and r["message"].startswith("Listening")]
    master = int(listening[-1]["message"].rsplit("(", 1)[1].rstrip(")"))
    os.kill(master, signal.SIGKILL)
    wait_for(lambda: any("the web server stopped" in r["message"]
                         for r in log_records(demo.stderr)), 30, "not reported")
    wait_for(lambda: demo.health()[0] == 200, 120, "the web server did not come back")
    assert demo.process.poll() is None


def test_commands_in_another_shell_work_on_the_running_demo(demo: Demo) -> None:
    """The README's "Try it": `bureau` typed in another shell, with none of the settings the
    demo gave its own processes. The name it registers resolves at once on the demo's
    PowerDNS, and its dates follow the sandbox's clock as the demo's do. Last in the module:
    it moves that clock."""
    shared = demo.state / "run-settings.json"
    assert (shared.stat().st_mode & 0o777) == 0o600  # it holds PowerDNS's API key
    dns_port = int(json.loads(shared.read_text())["BUREAU_DNS_PORT"])
    elsewhere = {k: v for k, v in demo.env.items() if k != "BUREAU_ADDR"}

    def bureau(*args: str) -> str:
        done = subprocess.run([str(BUREAU), *args], env=elsewhere, capture_output=True,
                              text=True, timeout=120, cwd=demo.state.parent)
        assert done.returncode == 0, done.stderr
        assert "PowerDNS" not in done.stderr, done.stderr  # no "did not confirm" warning
        return done.stdout

    bureau("domain", "register", "autre-shell.test", "--org", "demo")
    answer = dns.query.udp(dns.message.make_query("autre-shell.test", "SOA"), "127.0.0.1",
                           port=dns_port, timeout=5)
    assert answer.rcode() == dns.rcode.NOERROR and answer.answer, answer

    bureau("sandbox", "clock", "--advance", "3d")
    registry_now = bureau("sandbox", "clock", "--show").split()[0]
    bureau_now = bureau("shell", "-c", "from bureau.core import clock; "
                        "print(clock.now().isoformat())").split()[-1]
    assert bureau_now[:10] == registry_now[:10] == (
        datetime.now(UTC) + timedelta(days=3)).date().isoformat()
