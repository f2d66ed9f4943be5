"""Progress of long work on the command line (deposits, restores, statement imports): one
line on standard error, rewritten in place, with the count so far and the rate."""

from __future__ import annotations

import sys
import time


class Progress:
    """Called with the count done so far (``total``: the count expected, when known). Used
    as a context manager, it closes the line, if one was shown, when the work ends or fails,
    before anything else is printed."""

    def __init__(self, total: int | None, what: str, *, label: str = "") -> None:
        self.total, self.what = total, what
        self.prefix = f"{label}: " if label else ""
        self.start = time.monotonic()
        self.shown = False

    def __call__(self, done: int) -> None:
        rate = done / max(time.monotonic() - self.start, 1e-6)
        of = f"/{self.total:,}" if self.total else ""
        sys.stderr.write(f"\r{self.prefix}{done:,}{of} {self.what}  {rate:,.0f}/s ")
        sys.stderr.flush()
        self.shown = True

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.shown:
            sys.stderr.write("\n")
            self.shown = False
