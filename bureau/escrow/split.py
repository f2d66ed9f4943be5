"""Where a file ends: before the record that would cross the profile's limits."""

from __future__ import annotations

from bureau.escrow.profiles import SplitRule


class Splitter:
    def __init__(self, rule: SplitRule) -> None:
        self.rule = rule
        self.lines = 0
        self.bytes = 0
        self.records = 0

    def needs_new_file(self, lines: int, size: int) -> bool:
        """True if a record of ``lines`` lines and ``size`` bytes must open a new file.

        A file never starts empty: a record bigger than the limit gets a file of its own.
        """
        if self.records == 0:
            return False
        r = self.rule
        return (
            (r.max_lines is not None and self.lines + lines > r.max_lines)
            or (r.max_bytes is not None and self.bytes + size > r.max_bytes)
            or (r.max_records is not None and self.records + 1 > r.max_records)
        )

    def add(self, lines: int, size: int, records: int = 1) -> None:
        self.lines += lines
        self.bytes += size
        self.records += records

    def reset(self) -> None:
        self.lines = self.bytes = self.records = 0
