"""``/health/``: whether Bureau can do its work, for load balancers, monitoring and people.

``ok`` (200) only when every part answers: the database, a job worker (its heartbeat row is
fresh), and the parts the apps add with :func:`register` (each active registry: an EPP
exchange succeeded lately; PowerDNS when DNS hosting is on). Otherwise 503, naming the failing
parts. Always JSON.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.db import DatabaseError, connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .heartbeat import OK, freshness

__all__ = ["OK", "first_line", "health", "register"]


def database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError as exc:
        return f"cannot be reached: {first_line(exc)}"
    return OK


def worker() -> str:
    return freshness({"name__startswith": "worker:"}, settings.BUREAU_HEALTH_WORKER_AFTER)


# The parts the apps add (their AppConfig.ready): a name and a callable returning the part's
# state, or a dict of states for several parts ({"registry:sandbox": "ok"}).
Part = Callable[[], "str | dict[str, str]"]
_parts: dict[str, Part] = {}


def register(name: str, part: Part) -> None:
    _parts[name] = part


def first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


def checks() -> dict[str, str]:
    results = {"database": database()}
    if results["database"] == OK:
        results["worker"] = worker()
    for name, part in _parts.items():
        try:
            state = part()
        except Exception as exc:  # a check that fails is a failing part, not a 500
            state = f"cannot be checked: {first_line(exc)}"
        results.update(state if isinstance(state, dict) else {name: state})
    return results


@require_GET
@never_cache
def health(request: HttpRequest) -> JsonResponse:
    results = checks()
    failing = [name for name, state in results.items() if state != OK]
    if failing:
        return JsonResponse({"status": "failing", "failing": failing, "checks": results},
                            status=503)
    return JsonResponse({"status": OK, "checks": results})
