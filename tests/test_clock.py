"""Bureau has one clock: rules ask bureau.core.clock.now(), so that tests move time through them."""

from __future__ import annotations

import re
from pathlib import Path

BUREAU = Path(__file__).resolve().parents[1] / "bureau"
# The clock itself, and the job queue's own bookkeeping (the scheduler of periodic jobs, the
# recovery of jobs dead workers left running, the workers' heartbeats), which runs on the
# system's time like the queue.
ALLOWED = {"core/clock.py", "core/periodic.py", "core/recovery.py", "core/heartbeat.py"}
SYSTEM_TIME = re.compile(r"\btimezone\.now\(\)|\bdatetime\.(now|utcnow)\(|\bdate\.today\(")


def test_no_rule_reads_the_system_time_directly() -> None:
    found = []
    for path in BUREAU.rglob("*.py"):
        relative = path.relative_to(BUREAU).as_posix()
        if relative in ALLOWED or "/migrations/" in relative:
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if SYSTEM_TIME.search(line):
                found.append(f"bureau/{relative}:{number}: {line.strip()}")
    # The libraries (epp, sandbox, escrow) have no Django and keep their own time.
    found = [f for f in found if not f.startswith(("bureau/epp/", "bureau/sandbox/",
                                                   "bureau/escrow/", "bureau/banking/"))]
    assert not found, "use bureau.core.clock.now():\n" + "\n".join(found)
