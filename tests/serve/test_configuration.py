"""The configuration reference is whole, and the settings are read in one style."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bureau.env import SettingError, env_bool, env_int, env_list, env_path

ROOT = Path(__file__).resolve().parents[2]
NAME = re.compile(r"\bBUREAU_[A-Z0-9_]*[A-Z0-9]\b")


def test_every_bureau_setting_is_in_the_reference() -> None:
    reference = (ROOT / "docs" / "configuration.md").read_text()
    used = {name for path in (ROOT / "bureau").rglob("*.py")
            for name in NAME.findall(path.read_text())}
    missing = sorted(name for name in used if f"`{name}`" not in reference)
    assert not missing, f"docs/configuration.md does not describe {missing}"


def test_no_module_reads_the_environment_by_itself() -> None:
    """Settings come through bureau/env.py's helpers (a subprocess's environment and the
    escrow child's passphrase channel are not settings)."""
    allowed = {"bureau/env.py", "bureau/escrow/encryptor.py",
               "bureau/escrow/cli.py"}
    readers = sorted(
        str(path.relative_to(ROOT)) for path in (ROOT / "bureau").rglob("*.py")
        if re.search(r"os\.environ\.get|os\.getenv|os\.environ\[", path.read_text())
        and str(path.relative_to(ROOT)) not in allowed)
    assert not readers, f"read the environment through bureau.env: {readers}"


def test_a_value_that_cannot_be_read_names_the_variable(monkeypatch: pytest.MonkeyPatch
                                                        ) -> None:
    monkeypatch.setenv("BUREAU_X_FLAG", "maybe")
    monkeypatch.setenv("BUREAU_X_COUNT", "ten")
    monkeypatch.setenv("BUREAU_X_DIR", "var/state")
    monkeypatch.setenv("BUREAU_X_LIST", " a, ,b ")
    with pytest.raises(SettingError, match=r"BUREAU_X_FLAG='maybe': say 1 \(on\) or 0"):
        env_bool("BUREAU_X_FLAG", False)
    with pytest.raises(SettingError, match="BUREAU_X_COUNT='ten': a whole number"):
        env_int("BUREAU_X_COUNT", 1)
    with pytest.raises(SettingError, match="BUREAU_X_DIR='var/state': give an absolute path"):
        env_path("BUREAU_X_DIR", Path("/"))
    assert env_list("BUREAU_X_LIST", []) == ["a", "b"]
