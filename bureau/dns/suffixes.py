"""Public suffixes (the Public Suffix List, publicsuffix.org): names under which anyone may
register (com, co.uk, github.io). Nobody may host the zone of one on Bureau's servers: it
would answer for every name registered under it.

The list comes with the ``publicsuffixlist`` package; ``refresh`` downloads a newer one into a
file (the ``dns-public-suffixes`` job) which ``load`` prefers. A download that does not parse,
or that lost the rules everyone depends on, is refused and the file in place kept."""

from __future__ import annotations

import os
from pathlib import Path

import httpx
from publicsuffixlist import PublicSuffixList

DEFAULT_URL = "https://publicsuffix.org/list/public_suffix_list.dat"

# A list without these is truncated or not the list at all.
SANITY = ("com", "org", "co.uk", "github.io")


class RefreshFailed(Exception):
    """The list could not be downloaded, or what came is not a usable list."""


def load(path: Path | None = None) -> PublicSuffixList:
    """The list in ``path`` when it exists, else the one the package ships."""
    if path is not None and path.exists():
        with path.open("rb") as source:
            return PublicSuffixList(source)
    return PublicSuffixList()


def is_public_suffix(psl: PublicSuffixList, name: str) -> bool:
    """``name`` (A-label, final dot or not) is a public suffix. A name in a TLD the list does
    not know counts as one too (a new TLD is public until the list says otherwise)."""
    bare = name.rstrip(".").lower()
    return bool(bare) and psl.is_public(bare, accept_unknown=True)


def refresh(path: Path, url: str = DEFAULT_URL, *, timeout: float = 30.0) -> int:
    """Download the list to ``path`` (replaced only by a list that parses and holds the usual
    rules); returns how many rules it has."""
    try:
        response = httpx.get(url, timeout=timeout, follow_redirects=True)
        response.raise_for_status()
    except httpx.HTTPError as exc:
        raise RefreshFailed(f"{url}: {exc}") from exc
    text = response.text
    rules = [line for line in text.splitlines() if line and not line.startswith("//")]
    psl = PublicSuffixList(text.splitlines())
    missing = [s for s in SANITY if not psl.is_public(s, accept_unknown=False)]
    if missing:
        raise RefreshFailed(f"{url} is not the public suffix list (no rule for "
                            f"{', '.join(missing)}); the current list is kept")
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, path)
    return len(rules)
