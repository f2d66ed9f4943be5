"""Development keys kept in files, so that they survive restarts (no Django import here)."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from cryptography.fernet import Fernet


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
        raise ValueError("BUREAU_FIELD_KEY is empty: set it to one or more Fernet keys")
    for key in keys:
        try:
            Fernet(key.encode())
        except ValueError as exc:
            raise ValueError(
                "BUREAU_FIELD_KEY holds a key that is not a Fernet key (32 url-safe base64 "
                "bytes); make one with: python -c 'from cryptography.fernet import Fernet; "
                "print(Fernet.generate_key().decode())'"
            ) from exc
    return keys
