"""Payments: money coming in by bank transfer (statements imported and matched to the
ledger), the staff queue of what could not be matched, and what was waiting for the money.
File formats live in ``bureau.banking`` (no Django); every change goes through
``operations``. See docs/payments.md."""
