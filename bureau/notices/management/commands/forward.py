"""``bureau forward 400d``: the demo's year in a minute (see bureau/notices/forward.py)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from bureau.notices.forward import forward
from bureau.sandbox.clock import parse_duration


def summary(jobs: dict[str, Any]) -> str:
    notices = jobs.get("notices")
    parts = []
    if isinstance(notices, dict):
        parts = [f"{key} {value if isinstance(value, int) else ', '.join(value)}"
                 for key, value in notices.items() if value]
    parts += [f"{name}: {result}" for name, result in jobs.items()
              if isinstance(result, str) and result.startswith("failed")]
    return "; ".join(parts) or "nothing due"


class Command(BaseCommand):
    help = ("Demo: move the sandbox registry's clock and Bureau's together (e.g. 400d), "
            "running the jobs at every reminder, expiry and deletion moment on the way.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("duration", help="how far: 400d, 12h, 30m, 90s")

    def handle(self, *args: Any, duration: str, **options: Any) -> None:
        try:
            seconds = parse_duration(duration)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        try:
            for stop in forward(settings.STATE_DIR / "sandbox", seconds):
                self.stdout.write(f"{stop.at:%Y-%m-%d %H:%M} {summary(stop.jobs)}")
        except FileNotFoundError as exc:
            raise CommandError(str(exc)) from exc
