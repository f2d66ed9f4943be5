"""The repository is the whole project: nothing in it names a place outside it, and no secret
is committed."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# A sibling folder, a machine's home or work folder: what a fresh clone elsewhere would not have.
OUTSIDE = re.compile("|".join([
    r"\.\./" + "shared",
    r"(?<![\w.-])/" + r"work/",
    r"(?<![\w.-])/" + r"home/\w",
    r"(?<![\w.-])/" + r"root/\w",
    r"(?<![\w.-])/" + r"Users/\w",
]))
SECRET_FILES = {"secret-key", "field-key"}


def tracked_files() -> list[Path]:
    out = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True)
    return [ROOT / name for name in out.stdout.decode().split("\0") if name]


def test_no_tracked_file_names_a_path_outside_the_repository() -> None:
    found = []
    for path in tracked_files():
        if not path.is_file():
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        for number, line in enumerate(text.splitlines(), 1):
            if OUTSIDE.search(line):
                found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not found, "paths outside the repository:\n" + "\n".join(found)


def test_no_key_or_secret_is_committed() -> None:
    found = [str(p.relative_to(ROOT)) for p in tracked_files()
             if p.name in SECRET_FILES or p.suffix == ".key" or
             (p.is_file() and b"PRIVATE " + b"KEY-----" in p.read_bytes())]
    assert not found, f"secrets in git: {found}"
