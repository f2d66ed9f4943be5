"""The SQLite file survives a restart; another process can move the clock."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from sandbox_client import EppClient

from bureau.sandbox.testing import start_sandbox


def test_restart_keeps_objects_and_clock(tmp_path: Path, cert_dir: Path) -> None:
    db = tmp_path / "keep.sqlite3"
    with start_sandbox(cert_dir, db_path=db) as sb:
        c = EppClient(sb)
        c.login()
        assert c.domain_create("durable.test").code == 1000
        sb.clock.advance(days=10)
        c.close()
    with start_sandbox(cert_dir, db_path=db) as sb:
        c = EppClient(sb)
        c.login()
        info = c.domain_info("durable.test")
        assert info.code == 1000
        assert info.xpath("//rgp:rgpStatus") == []  # add grace over: the clock was kept
        c.close()


def test_clock_moved_by_another_process(tmp_path: Path, cert_dir: Path) -> None:
    with start_sandbox(cert_dir, db_path=tmp_path / "sandbox.sqlite3") as sb:
        c = EppClient(sb)
        c.login()
        assert c.domain_create("elsewhere.test").code == 1000
        year = int(c.domain_info("elsewhere.test").text("//domain:exDate")[:4])
        done = subprocess.run(
            [sys.executable, "-m", "bureau.cli", "sandbox", "--state-dir", str(tmp_path),
             "clock", "--advance", "400d"], capture_output=True, text=True, check=True,
            cwd=Path(__file__).resolve().parents[2])
        assert "offset 400.00 days" in done.stdout
        assert int(c.domain_info("elsewhere.test").text("//domain:exDate")[:4]) == year + 1
        listing = subprocess.run(
            [sys.executable, "-m", "bureau.cli", "sandbox", "--state-dir", str(tmp_path),
             "domains"], capture_output=True, text=True, check=True,
            cwd=Path(__file__).resolve().parents[2])
        assert '"name": "elsewhere.test"' in listing.stdout
        c.close()


def test_one_big_jump_equals_many_small_ones(tmp_path: Path, cert_dir: Path) -> None:
    """Events run at their own due time: how the clock gets there does not matter."""
    outcomes = []
    for steps in (1, 8):
        with start_sandbox(cert_dir, db_path=tmp_path / f"jump-{steps}.sqlite3") as sb:
            c = EppClient(sb)
            c.login()
            assert c.domain_create("steady.test").code == 1000
            assert c.domain_create("dropped.test").code == 1000
            sb.clock.advance(days=10)
            assert c.domain_delete("dropped.test").code == 1001
            for _ in range(steps):
                sb.clock.advance(days=800 / steps)
                c.domain_check("steady.test")
            info = c.domain_info("steady.test")
            outcomes.append((info.text("//domain:exDate")[:10], sb.balance("bureau"),
                             [m.text("//e:msgQ/e:msg") for m in c.drain_poll()],
                             c.domain_info("dropped.test").code))
            c.close()
    assert outcomes[0] == outcomes[1]
    assert outcomes[0][3] == 2303  # purged either way


def test_cli_status_and_listing(tmp_path: Path, cert_dir: Path,
                                capsys: pytest.CaptureFixture[str]) -> None:
    from bureau.sandbox.cli import main

    with start_sandbox(cert_dir, db_path=tmp_path / "sandbox.sqlite3") as sb:
        c = EppClient(sb)
        c.login()
        assert c.domain_create("held.test").code == 1000
        args = ["--state-dir", str(tmp_path)]
        assert main([*args, "status", "held.test", "--add", "serverHold", "--reason",
                     "abuse report"]) == 0
        assert main([*args, "status", "held.test", "--add", "clientHold"]) == 1
        assert "not a server status" in capsys.readouterr().err
        assert "serverHold" in c.domain_info("held.test").xpath("//domain:status/@s")
        assert c.poll().text("//changePoll:reason") == "abuse report"
        assert main([*args, "clock", "--show"]) == 0
        assert main([*args, "domains"]) == 0
        assert '"serverHold"' in capsys.readouterr().out
        c.close()
