"""The registries' RDAP base URLs, read from an RFC 9224 bootstrap file (``dns.json``)."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from . import conf


@lru_cache(maxsize=8)
def _services(path: str, mtime: float) -> dict[str, str]:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    base_urls: dict[str, str] = {}
    for tlds, urls in data.get("services", []):
        # RFC 9224 section 3: prefer an https URL when several are given.
        url = sorted(urls, key=lambda u: not u.startswith("https:"))[0]
        for tld in tlds:
            base_urls[tld.lower()] = url if url.endswith("/") else url + "/"
    return base_urls


def registry_base_url(tld: str) -> str | None:
    """The RDAP base URL of the registry of ``tld`` (A-label), or None when unknown."""
    path = conf.get("BUREAU_RDAP_BOOTSTRAP_FILE")
    if not path:
        return None
    try:
        mtime = Path(path).stat().st_mtime
    except OSError:
        return None
    return _services(path, mtime).get(tld.lower())
