"""Delivery to the escrow agent over SFTP (paramiko) and the lateness check.

Uploads resume (append from the remote size, when the remote file is a prefix of ours by
SHA-256; otherwise it is replaced), are checked by size and by SHA-256 read back
from the server, and are retried with exponential backoff.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import paramiko

log = logging.getLogger(__name__)
_BLOCK = 1 << 20


class DeliveryError(Exception):
    pass


@dataclass(frozen=True, slots=True)
class SftpTarget:
    host: str
    port: int
    username: str
    key_file: Path
    remote_dir: str = "."
    known_hosts: Path | None = None  # None: accept the host key on first use (tests only)
    key_passphrase: str | None = None


def _connect(t: SftpTarget) -> tuple[paramiko.SSHClient, paramiko.SFTPClient]:
    client = paramiko.SSHClient()
    if t.known_hosts is not None:
        client.load_host_keys(str(t.known_hosts))
        client.set_missing_host_key_policy(paramiko.RejectPolicy())
    else:
        client.set_missing_host_key_policy(paramiko.AutoAddPolicy())
    pkey = paramiko.PKey.from_path(t.key_file, t.key_passphrase)
    client.connect(t.host, port=t.port, username=t.username, pkey=pkey, allow_agent=False,
                   look_for_keys=False, timeout=30)
    return client, client.open_sftp()


def _remote_size(sftp: paramiko.SFTPClient, path: str) -> int:
    try:
        return sftp.stat(path).st_size or 0
    except FileNotFoundError:
        return 0


def _local_sha256(local: Path, length: int) -> bytes:
    h = hashlib.sha256()
    with open(local, "rb") as f:
        left = length
        while left and (block := f.read(min(_BLOCK, left))):
            h.update(block)
            left -= len(block)
    return h.digest()


def _remote_sha256(sftp: paramiko.SFTPClient, remote: str, length: int) -> bytes:
    h = hashlib.sha256()
    with sftp.open(remote, "rb") as f:
        f.prefetch(length)
        left = length
        while left and (block := f.read(min(_BLOCK, left))):
            h.update(block)
            left -= len(block)
    return h.digest()


def _resume_offset(sftp: paramiko.SFTPClient, local: Path, remote: str) -> int:
    """Where to resume: the remote size if the remote file is a prefix of ``local`` (checked
    by SHA-256 of that prefix, read back from the server), else 0 after removing it (a
    same-named file left by another deposit, or a corrupt partial upload)."""
    offset = _remote_size(sftp, remote)
    if offset == 0:
        return 0
    if offset > local.stat().st_size or (
        _remote_sha256(sftp, remote, offset) != _local_sha256(local, offset)
    ):
        log.warning("escrow delivery: %s on the server is not a prefix of %s; uploading it "
                    "again from the start", remote, local.name)
        sftp.remove(remote)
        return 0
    return offset


def upload_file(sftp: paramiko.SFTPClient, local: Path, remote: str,
                limit: int | None = None) -> None:
    """Append ``local`` to ``remote`` from the remote's current size (resume) when the remote
    file is a prefix of ``local``; otherwise replace it.

    ``limit`` stops after that many bytes in total (used to simulate an interruption).
    """
    offset = _resume_offset(sftp, local, remote)
    with open(local, "rb") as src, sftp.open(remote, "ab" if offset else "wb") as dst:
        dst.set_pipelined(True)
        src.seek(offset)
        sent = offset
        while block := src.read(_BLOCK):
            if limit is not None and sent + len(block) > limit:
                dst.write(block[: limit - sent])
                raise DeliveryError(f"upload of {local.name} stopped at {limit} bytes")
            dst.write(block)
            sent += len(block)


def verify_remote(sftp: paramiko.SFTPClient, local: Path, remote: str) -> None:
    size = local.stat().st_size
    rsize = _remote_size(sftp, remote)
    if rsize != size:
        raise DeliveryError(f"{remote}: {rsize} bytes on the server, {size} here")
    h_local, h_remote = hashlib.sha256(), hashlib.sha256()
    with open(local, "rb") as f:
        while block := f.read(_BLOCK):
            h_local.update(block)
    with sftp.open(remote, "rb") as f:
        f.prefetch(size)
        while block := f.read(_BLOCK):
            h_remote.update(block)
    if h_local.digest() != h_remote.digest():
        raise DeliveryError(f"{remote}: SHA-256 differs from the local file after upload")


def deliver(files: list[Path], target: SftpTarget, retries: int = 5, backoff: float = 2.0,
            sleep: Callable[[float], None] = time.sleep) -> None:
    """Upload the deposit files (hash file last) and check each one on the server."""
    ordered = sorted(files, key=lambda p: p.name.endswith("_hash.txt"))
    done: set[Path] = set()
    for attempt in range(retries + 1):
        try:
            client, sftp = _connect(target)
            try:
                for f in ordered:
                    if f in done:
                        continue
                    remote = f"{target.remote_dir.rstrip('/')}/{f.name}"
                    upload_file(sftp, f, remote)
                    try:
                        verify_remote(sftp, f, remote)
                    except DeliveryError:
                        # never resume from a file known to be wrong: the next try starts
                        # from zero
                        with contextlib.suppress(OSError):
                            sftp.remove(remote)
                        raise
                    done.add(f)
                return
            finally:
                sftp.close()
                client.close()
        except (OSError, paramiko.SSHException, DeliveryError) as e:
            if attempt == retries:
                raise DeliveryError(f"delivery to {target.host}:{target.port} failed after "
                                    f"{retries + 1} attempts: {e}") from e
            wait = backoff * (2**attempt)
            log.warning("escrow delivery attempt %d failed (%s); retrying in %.0fs",
                        attempt + 1, e, wait)
            sleep(wait)


MAX_AGE = {"full": dt.timedelta(days=6), "inc": dt.timedelta(hours=23)}


def is_late(kind: str, last_deposit: dt.datetime | None, now: dt.datetime | None = None) -> bool:
    """True if the latest deposit of ``kind`` is older than the spec allows (4.1.8): 6 days
    for a weekly full deposit, 23 hours for a daily incremental. Never deposited: late."""
    if last_deposit is None:
        return True
    now = now or dt.datetime.now(dt.UTC)
    return now - last_deposit > MAX_AGE[kind]
