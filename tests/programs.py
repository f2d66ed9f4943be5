"""Programs the tests drive (chromium, sshd, gpg, pdns_server...): found on PATH or by a
setting, and a missing one fails the run with the Debian package to install.

A skipped test would hide a broken set-up: `scripts/system-deps` installs every one of them."""

from __future__ import annotations

import os
import shutil

import pytest


def require_program(name: str, package: str, *, setting: str | None = None) -> str:
    """The path of `name` (or of the setting's value), or a failure naming the package."""
    path = os.environ.get(setting) if setting else None
    path = path or shutil.which(name) or shutil.which(name, path="/usr/sbin:/sbin:/usr/bin")
    if not path or not os.access(path, os.X_OK):
        pytest.fail(f"{name} is missing: install Debian's {package} (scripts/system-deps does)"
                    + (f" or set {setting}" if setting else ""), pytrace=False)
    return path
