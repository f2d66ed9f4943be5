"""Escrow fixtures shared by the library and registrar-side escrow suites: the agent's key made
with gpg, as agents make it, and a real OpenSSH sshd on loopback to deliver to.

Loaded for every suite by tests/conftest.py; no Django here. The agent's key is made with gpg
because a message Sequoia encrypts to a Sequoia-made key uses a newer packet format that
GnuPG 2.2 cannot decrypt.
"""

from __future__ import annotations

import os
import pwd
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from programs import require_program


@dataclass(frozen=True)
class Party:
    secret: Path
    public: Path
    fingerprint: str


def gpg(home: Path, *args: str, input: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(["gpg", "--homedir", str(home), "--batch", "--yes", *args],
                          input=input, capture_output=True, check=False)


@pytest.fixture(scope="session")
def gnupghome(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    require_program("gpg", "gnupg")
    home = tmp_path_factory.mktemp("gnupg")
    home.chmod(0o700)
    yield home
    subprocess.run(["gpgconf", "--homedir", str(home), "--kill", "all"], check=False)


@pytest.fixture(scope="session")
def agent(gnupghome: Path, tmp_path_factory: pytest.TempPathFactory) -> Party:
    """The escrow agent's key, made with gpg 2.2 as an agent makes it (Ed25519 + Cv25519, v4)."""
    d = tmp_path_factory.mktemp("agent")
    uid = "Escrow Agent <rde@agent.example>"
    r = gpg(gnupghome, "--passphrase", "", "--quick-gen-key", uid, "ed25519", "sign", "never")
    assert r.returncode == 0, r.stderr
    out = gpg(gnupghome, "--with-colons", "--list-keys", uid).stdout.decode()
    fpr = next(line.split(":")[9] for line in out.splitlines() if line.startswith("fpr"))
    r = gpg(gnupghome, "--passphrase", "", "--quick-add-key", fpr, "cv25519", "encr", "never")
    assert r.returncode == 0, r.stderr
    pub, sec = d / "agent.pub", d / "agent.sec"
    pub.write_bytes(gpg(gnupghome, "--armor", "--export", fpr).stdout)
    sec.write_bytes(gpg(gnupghome, "--armor", "--pinentry-mode", "loopback", "--passphrase", "",
                        "--export-secret-keys", fpr).stdout)
    return Party(sec, pub, fpr.lower())


@dataclass(frozen=True)
class Sshd:
    port: int
    user: str
    client_key: Path
    root: Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def sshd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sshd]:
    """Debian's OpenSSH sshd on 127.0.0.1, key-only login, its own config; one per test module,
    so each module starts from an empty upload folder."""
    sshd_bin = require_program("sshd", "openssh-server")
    if os.geteuid() == 0:
        os.makedirs("/run/sshd", mode=0o755, exist_ok=True)  # privilege separation dir
    d = tmp_path_factory.mktemp("sshd")
    d.chmod(0o755)
    for name in ("host", "client"):
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(d / name)],
                       check=True)
    (d / "authorized_keys").write_text((d / "client.pub").read_text())
    (d / "authorized_keys").chmod(0o600)
    port = free_port()
    (d / "sshd_config").write_text(
        f"Port {port}\nListenAddress 127.0.0.1\nHostKey {d / 'host'}\nPidFile {d / 'pid'}\n"
        f"AuthorizedKeysFile {d / 'authorized_keys'}\nPasswordAuthentication no\n"
        "KbdInteractiveAuthentication no\nPubkeyAuthentication yes\nUsePAM no\n"
        "PermitRootLogin prohibit-password\nStrictModes no\nSubsystem sftp internal-sftp\n")
    proc = subprocess.Popen([sshd_bin, "-D", "-e", "-f", str(d / "sshd_config")],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 10
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                err = proc.stderr.read().decode() if proc.stderr else ""
                pytest.fail(f"sshd did not start: {err}")
            time.sleep(0.05)
    (d / "incoming").mkdir()
    yield Sshd(port, pwd.getpwuid(os.getuid()).pw_name, d / "client", d / "incoming")
    proc.terminate()
    proc.wait(timeout=10)
