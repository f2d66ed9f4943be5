"""What deploy/ holds is valid for the programs that read it: Caddy reads the Caddyfile,
systemd the units, and every setting of the example environment file is one Bureau reads."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from programs import require_program

from .conftest import DEPLOY, ROOT


def test_caddy_accepts_the_caddyfile() -> None:
    caddy = require_program("caddy", "caddy")
    done = subprocess.run([caddy, "validate", "--adapter", "caddyfile", "--config",
                           str(DEPLOY / "Caddyfile")], capture_output=True, text=True,
                          check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Valid configuration" in done.stdout + done.stderr


def test_systemd_accepts_the_units(tmp_path: Path) -> None:
    """`systemd-analyze verify` on the units, with the programs they start found where an
    installation following docs/deploy.md puts them (here: this checkout's .venv)."""
    analyze = require_program("systemd-analyze", "systemd")
    venv = Path(sys.executable).parent.parent
    units = []
    for unit in sorted((DEPLOY / "systemd").iterdir()):
        text = unit.read_text().replace("/opt/bureau/.venv", str(venv)).replace(
            "/opt/bureau/scripts", str(ROOT / "scripts"))
        (tmp_path / unit.name).write_text(text)
        units.append(str(tmp_path / unit.name))
    assert {Path(u).name for u in units} == {
        "bureau-web.service", "bureau-worker@.service", "bureau-dns-updates.service",
        "bureau.target",
        "bureau-backup.service", "bureau-backup.timer"}
    done = subprocess.run([analyze, "verify", *units], capture_output=True, text=True,
                          check=False)
    # verify exits 0 on unknown keys, but names them: any output is a problem.
    assert done.returncode == 0 and not done.stdout + done.stderr, done.stdout + done.stderr


def test_every_setting_of_the_example_environment_file_is_read_by_bureau() -> None:
    names = re.findall(r"^#?([A-Z][A-Z0-9_]+)=", (DEPLOY / "bureau.env.example").read_text(),
                       re.MULTILINE)
    assert "BUREAU_SECRET_KEY" in names and "DATABASE_URL" in names
    source = "\n".join(p.read_text() for p in (ROOT / "bureau").rglob("*.py"))
    source += (ROOT / "scripts" / "backup").read_text()
    read_elsewhere = {"GUNICORN_CMD_ARGS"}  # gunicorn's own
    unknown = [n for n in names if n not in read_elsewhere
               and f'"{n}"' not in source and f"${{{n}" not in source]
    assert not unknown, f"bureau.env.example names settings Bureau does not read: {unknown}"
