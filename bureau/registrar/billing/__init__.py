"""Orders and the prepaid balance ledger (double entry, append-only)."""
