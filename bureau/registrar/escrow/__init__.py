"""Registrar side of data escrow (ICANN RAA 3.6): deposits made from Bureau's database with
the pure :mod:`bureau.escrow` library, their history, delivery, lateness alerts, the
registration-years threshold and restore. See docs/escrow.md, "The registrar side"."""
