"""AGPL §13: whoever uses Bureau over the network may get the source of the version running.
``/source/`` serves it, built from the running files themselves (the package, its licence and
project file), so it is always the code actually in use; ``BUREAU_SOURCE_URL`` may point at a
public repository instead."""

from __future__ import annotations

import io
import tarfile
from functools import cache
from importlib import metadata
from pathlib import Path

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

import bureau

PACKAGE = Path(bureau.__file__).resolve().parent
SKIPPED = {"__pycache__", "node_modules"}


def version() -> str:
    try:
        return metadata.version("bureau")
    except metadata.PackageNotFoundError:
        return "unknown"


def source_url() -> str:
    return str(getattr(settings, "BUREAU_SOURCE_URL", "") or reverse("web:source"))


@cache
def archive() -> bytes:
    """The running package as a .tar.gz (built once per process)."""
    prefix = f"bureau-{version()}"
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for extra in ("LICENSE", "pyproject.toml", "README.md"):
            path = PACKAGE.parent / extra
            if path.is_file():
                tar.add(path, arcname=f"{prefix}/{extra}")
        for path in sorted(PACKAGE.rglob("*")):
            if path.is_file() and not SKIPPED & set(path.relative_to(PACKAGE).parts) \
                    and path.suffix not in (".pyc", ".sqlite3"):
                tar.add(path, arcname=f"{prefix}/bureau/{path.relative_to(PACKAGE)}")
    return buffer.getvalue()


def source(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(archive(), content_type="application/gzip")
    response["Content-Disposition"] = f'attachment; filename="bureau-{version()}.tar.gz"'
    return response
