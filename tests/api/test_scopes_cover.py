"""Every action of every API viewset names the scope a token needs, for each of its methods:
an action without one would let a read-only token write (as the RRset API once did)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from bureau.api.dns_urls import router as dns_router
from bureau.api.permissions import HasScope, scope_needed
from bureau.api.urls import router as api_router

STANDARD = {"list": "GET", "create": "POST", "retrieve": "GET", "update": "PUT",
            "partial_update": "PATCH", "destroy": "DELETE"}


def _actions(viewset: Any) -> list[tuple[str, str]]:
    out = [(name, method) for name, method in STANDARD.items() if hasattr(viewset, name)]
    for extra in viewset.get_extra_actions():
        out.extend((handler, method.upper()) for method, handler in extra.mapping.items())
    allowed = {m.upper() for m in viewset.http_method_names}
    return [(action, method) for action, method in out if method in allowed]


def test_every_action_names_its_scope() -> None:
    missing = []
    for router in (api_router, dns_router):
        for prefix, viewset, _basename in router.registry:
            if HasScope not in viewset.permission_classes:
                continue
            for action, method in _actions(viewset):
                view = SimpleNamespace(action=action, scopes=viewset.scopes)
                if scope_needed(view, SimpleNamespace(method=method)) is None:
                    missing.append(f"{prefix} {action} {method}")
    assert not missing, f"actions without a scope: {missing}"
