"""Keys from the environment or from files in the state folder, and the folder itself (no
Django import here: settings read them)."""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

from cryptography.fernet import Fernet

from bureau.env import SettingError, env_str


def keep_secret(path: Path, length: int) -> str:
    """Return the secret stored in ``path``, creating it on first use.

    ``length`` > 0 makes a URL-safe random string of about that many characters; 0 makes a
    Fernet key. The file is created readable by its owner only.
    """
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(length) if length else Fernet.generate_key().decode()
    # O_EXCL: when two processes start together, one writes and the other reads its value.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(value + "\n")
    return value


def parse_field_keys(value: str) -> list[str]:
    """Split a comma-separated list of Fernet keys (newest first) and check each one."""
    keys = [item.strip() for item in value.split(",") if item.strip()]
    if not keys:
        raise SettingError("BUREAU_FIELD_KEY is empty: set it to one or more Fernet keys")
    for key in keys:
        try:
            Fernet(key.encode())
        except ValueError as exc:
            raise SettingError(
                "BUREAU_FIELD_KEY holds a key that is not a Fernet key (32 url-safe base64 "
                "bytes); make one with: python -c 'from cryptography.fernet import Fernet; "
                "print(Fernet.generate_key().decode())'"
            ) from exc
    return keys


def private_folder(path: Path) -> Path:
    """Create ``path`` (and its parents) readable by its owner only, when it is missing."""
    if not path.is_dir():
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        path.chmod(0o700)  # whatever the umask
    return path


def private_file(path: Path) -> Path:
    """Create an empty ``path`` readable by its owner only, when it is missing (SQLite then
    writes its database, and its journals with the same mode, into it)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    return path


def configured_key(name: str, path: Path, length: int, generate: bool) -> str:
    """The key in the environment variable ``name``, else in the file ``path``; ``generate``
    (the demo) creates the file when it is missing, anything else refuses to start."""
    value = env_str(name).strip()
    if value:
        return value
    if generate:
        return keep_secret(path, length)
    try:
        value = path.read_text().strip()
    except FileNotFoundError:
        value = ""
    if not value:
        make = ("python3 -c 'import secrets; print(secrets.token_urlsafe(50))'" if length else
                "python3 -c 'from cryptography.fernet import Fernet; "
                "print(Fernet.generate_key().decode())'")
        raise SettingError(f"{name} is not set and {path} does not exist: set it (make one "
                           f"with {make}), or run the demo with `bureau run`")
    return value
