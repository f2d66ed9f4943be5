"""Delivery to a real OpenSSH sshd on loopback (key-only login), with a resumed upload."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from pathlib import Path

import paramiko
import pytest
from escrow_fixtures import Sshd, free_port

from bureau.escrow.deliver import DeliveryError, SftpTarget, deliver, is_late, upload_file
from bureau.escrow.pipeline import DepositResult


def _target(s: Sshd) -> SftpTarget:
    return SftpTarget("127.0.0.1", s.port, s.user, s.client_key, str(s.root))


def test_upload_resumes_after_interruption_and_checks_hash(
    sshd: Sshd, deposit: DepositResult
) -> None:
    target = _target(sshd)
    big = max(deposit.paths, key=lambda p: p.stat().st_size)
    half = big.stat().st_size // 2
    client = paramiko.SSHClient()
    client.set_missing_host_key_policy(paramiko.AutoAddPolicy())
    client.connect("127.0.0.1", port=sshd.port, username=sshd.user,
                   key_filename=str(sshd.client_key), allow_agent=False, look_for_keys=False)
    with client.open_sftp() as sftp, pytest.raises(DeliveryError, match="stopped"):
        upload_file(sftp, big, f"{sshd.root}/{big.name}", limit=half)
    client.close()
    assert (sshd.root / big.name).stat().st_size == half

    deliver(deposit.paths, target, sleep=lambda s: None)
    for p in deposit.paths:
        assert (sshd.root / p.name).read_bytes() == p.read_bytes()


@pytest.mark.parametrize("stale", ["same-size", "larger", "smaller-not-prefix"])
def test_a_stale_remote_file_of_the_same_name_is_replaced(
    sshd: Sshd, deposit: DepositResult, stale: str
) -> None:
    """A same-named file on the server that is not a prefix of ours (left by another
    deposit) is replaced, not resumed from: every retry used to fail with "SHA-256 differs"."""
    remote_dir = sshd.root / f"stale-{stale}"
    remote_dir.mkdir()
    for p in deposit.paths:
        data = p.read_bytes()
        junk = bytes(b ^ 0x5A for b in data)  # same size, different content
        if stale == "larger":
            junk += b"more"
        elif stale == "smaller-not-prefix":
            junk = junk[: len(junk) // 2]
        (remote_dir / p.name).write_bytes(junk)
    target = SftpTarget("127.0.0.1", sshd.port, sshd.user, sshd.client_key, str(remote_dir))
    deliver(deposit.paths, target, retries=0, sleep=lambda s: None)
    for p in deposit.paths:
        assert (remote_dir / p.name).read_bytes() == p.read_bytes()


def test_a_remote_prefix_of_ours_is_resumed_not_resent(
    sshd: Sshd, deposit: DepositResult
) -> None:
    remote_dir = sshd.root / "prefix"
    remote_dir.mkdir()
    big = max(deposit.paths, key=lambda p: p.stat().st_size)
    half = big.stat().st_size // 2
    (remote_dir / big.name).write_bytes(big.read_bytes()[:half])
    before = os.stat(remote_dir / big.name).st_ino
    target = SftpTarget("127.0.0.1", sshd.port, sshd.user, sshd.client_key, str(remote_dir))
    deliver([big], target, retries=0, sleep=lambda s: None)
    assert (remote_dir / big.name).read_bytes() == big.read_bytes()
    assert os.stat(remote_dir / big.name).st_ino == before  # appended to, not replaced


def test_delivery_retries_then_reports(sshd: Sshd, deposit: DepositResult) -> None:
    waits: list[float] = []
    bad = SftpTarget("127.0.0.1", free_port(), sshd.user, sshd.client_key, str(sshd.root))
    with pytest.raises(DeliveryError, match="after 3 attempts"):
        deliver(deposit.paths, bad, retries=2, backoff=1.0, sleep=waits.append)
    assert waits == [1.0, 2.0]


def test_key_only_login(sshd: Sshd, tmp_path: Path) -> None:
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(tmp_path / "k")],
                   check=True)
    target = SftpTarget("127.0.0.1", sshd.port, sshd.user, tmp_path / "k", str(sshd.root))
    with pytest.raises(DeliveryError):
        deliver([], target, retries=0)  # an unknown key is refused
    deliver([], _target(sshd), retries=0)


def test_lateness() -> None:
    now = dt.datetime(2026, 11, 25, 12, tzinfo=dt.UTC)
    assert not is_late("full", now - dt.timedelta(days=5, hours=23), now)
    assert is_late("full", now - dt.timedelta(days=6, minutes=1), now)
    assert not is_late("inc", now - dt.timedelta(hours=22), now)
    assert is_late("inc", now - dt.timedelta(hours=23, minutes=1), now)
    assert is_late("inc", None, now)
