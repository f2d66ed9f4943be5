"""Jobs queued before they moved to ``operations.jobs`` name them by this path: kept so
that the worker still finds them."""

from __future__ import annotations

from .operations.jobs import plan_debits, settle_payments, settle_statement

__all__ = ["plan_debits", "settle_payments", "settle_statement"]
