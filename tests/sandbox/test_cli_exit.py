"""`bureau sandbox ...` exits with the sandbox command's status, so scripts see failures."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def test_a_failing_sandbox_command_exits_non_zero(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-state"
    result = subprocess.run(
        [sys.executable, "-m", "bureau.cli", "sandbox", "--state-dir", str(missing), "domains"],
        capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 2
    assert "does not exist" in result.stderr
