"""The SQLite file survives a restart; another process can move the clock."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

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
