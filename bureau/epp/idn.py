"""Domain names in and out: U-labels from people, A-labels on the wire (IDNA2008).

User input is mapped with UTS #46 first (case folding, full-width characters...), then each
label is checked against IDNA2008 by the `idna` package. Errors name the label and the reason.
"""

from __future__ import annotations

import functools
import re

import idna

_LDH = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
_DOTS = str.maketrans({"\u3002": ".", "\uff0e": ".", "\uff61": "."})


class IDNError(ValueError):
    """A domain name or one of its labels is not valid; the message says which and why."""

    def __init__(self, name: str, label: str | None, reason: str) -> None:
        self.name = name
        self.label = label
        self.reason = reason
        where = f"label {label!r} of {name!r}" if label is not None else repr(name)
        super().__init__(f"invalid domain name: {where}: {reason}")


def _labels(name: str) -> list[str]:
    if not isinstance(name, str):
        raise TypeError(f"domain name must be a str, not {type(name).__name__}")
    cleaned = name.strip().translate(_DOTS)
    if cleaned.endswith("."):
        cleaned = cleaned[:-1]
    if not cleaned:
        raise IDNError(name, None, "the name is empty")
    return cleaned.split(".")


def _ascii_label(name: str, label: str) -> str:
    lower = label.lower()
    if lower.startswith("xn--"):
        try:
            ulabel = idna.decode(lower)
            # Re-encoding proves the A-label is the canonical form of a valid U-label.
            if idna.encode(ulabel).decode("ascii") != lower:
                raise idna.IDNAError("not the canonical A-label of its U-label")
        except (idna.IDNAError, UnicodeError) as exc:
            raise IDNError(name, label, f"not a valid A-label ({exc})") from exc
        return lower
    if len(lower) > 63:
        raise IDNError(name, label, f"{len(lower)} characters, at most 63 are allowed")
    if lower[2:4] == "--":
        raise IDNError(name, label, "hyphens in 3rd and 4th position are reserved (xn--...)")
    if not _LDH.match(lower):
        raise IDNError(name, label, "use letters, digits and hyphens only, not at the start or end")
    return lower


def _unicode_label(name: str, label: str) -> str:
    try:
        mapped = idna.uts46_remap(label, std3_rules=True, transitional=False)
        return idna.alabel(mapped).decode("ascii")
    except (idna.IDNAError, UnicodeError) as exc:
        raise IDNError(name, label, str(exc) or type(exc).__name__) from exc


@functools.lru_cache(maxsize=4096)
def to_alabel(name: str) -> str:
    """The ASCII (A-label) form of a domain or host name, lower case, without trailing dot."""
    out = []
    for label in _labels(name):
        if label == "":
            raise IDNError(name, label, "empty label (two dots in a row, or a leading dot)")
        out.append(_ascii_label(name, label) if label.isascii() else _unicode_label(name, label))
    result = ".".join(out)
    if len(result) > 253:
        raise IDNError(name, None, f"{len(result)} characters in A-label form, at most 253")
    return result


def to_ulabel(name: str) -> str:
    """The Unicode (U-label) form of a name, for display; ASCII labels are lower-cased."""
    out = []
    for label in _labels(to_alabel(name)):
        if label.startswith("xn--"):
            try:
                out.append(idna.decode(label))
            except (idna.IDNAError, UnicodeError) as exc:  # pragma: no cover - checked above
                raise IDNError(name, label, str(exc)) from exc
        else:
            out.append(label)
    return ".".join(out)


def is_idn(name: str) -> bool:
    """True when some label of the name is internationalised."""
    return any(label.startswith("xn--") for label in to_alabel(name).split("."))
