"""Bureau's settings come from the environment, read with these typed helpers only.

Every ``BUREAU_*`` variable is described in docs/configuration.md. A value that cannot be read
raises :class:`SettingError`, whose message names the variable and what to put there; the
``bureau`` command and the web server print it as one line and stop. Django is imported only
by :func:`setting`: the web server's configuration (bureau/serve.py) reads the same helpers.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

TRUE = {"1", "true", "yes", "on"}
FALSE = {"0", "false", "no", "off", ""}


class SettingError(Exception):
    """A setting is missing or cannot be read; the message says what to fix."""


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    value = value.strip().lower()
    if value not in TRUE | FALSE:
        raise SettingError(f"{name}={value!r}: say 1 (on) or 0 (off)")
    return value in TRUE


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or not value.strip():
        return default
    try:
        return int(value)
    except ValueError:
        raise SettingError(f"{name}={value!r}: a whole number is expected") from None


def env_float(name: str, default: float) -> float:
    value = os.environ.get(name)
    if value is None or not value.strip():
        return default
    try:
        return float(value)
    except ValueError:
        raise SettingError(f"{name}={value!r}: a number is expected") from None


def env_list(name: str, default: list[str]) -> list[str]:
    """A comma-separated list; blanks around items are dropped."""
    value = os.environ.get(name)
    if value is None:
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]


def env_path(name: str, default: Path) -> Path:
    """An absolute path: a relative one would depend on the folder a process starts in."""
    value = os.environ.get(name)
    if value is None or not value.strip():
        return default
    path = Path(value).expanduser()
    if not path.is_absolute():
        raise SettingError(f"{name}={value!r}: give an absolute path")
    return path


def state_dir() -> Path:
    """The folder of everything Bureau keeps on disk: ``BUREAU_STATE_DIR``, else the `var`
    folder beside the `bureau` package (never the folder a process happens to start in)."""
    return env_path("BUREAU_STATE_DIR", Path(__file__).resolve().parent.parent / "var")


# `bureau run` writes here the settings it gives its processes (where its PowerDNS and portal
# listen, that its clock is the sandbox's), so that a `bureau` command typed in another shell
# works on the same demo.
RUN_SETTINGS = "run-settings.json"


def adopt_run_settings(state: Path) -> None:
    """Take the settings the last `bureau run` on this state folder gave its processes, under
    the environment's own (a variable set here wins)."""
    path = state / RUN_SETTINGS
    try:
        values = json.loads(path.read_text())
    except FileNotFoundError:
        return
    except (OSError, ValueError) as exc:
        raise SettingError(f"{path} cannot be read ({exc}): delete it, `bureau run` writes it "
                           "again") from None
    for name, value in values.items():
        os.environ.setdefault(name, str(value))


def setting(name: str, default: str = "") -> str:
    """A setting that may also be given in Django's settings (tests override them there):
    Django's value when set, else the environment's, else the default."""
    from django.conf import settings

    value = getattr(settings, name, None)
    return env_str(name, default) if value is None else str(value)
