"""Registrar Data Escrow (ICANN RAA 3.6): write, verify, deliver and read back deposits.

A pure library (no Django): the registrar feeds an iterator of :class:`DomainRow` and a view of
the names already deposited; everything streams with bounded memory.
"""

from bureau.escrow.history import NameIndex, NameLookup, NameRecorder
from bureau.escrow.pipeline import DepositConfig, DepositResult, write_deposit
from bureau.escrow.profiles import (
    EDITION_2007,
    EDITION_2007_HANDLES,
    EDITION_2024,
    PROFILES,
    Profile,
)
from bureau.escrow.rows import Contact, DomainRow

__all__ = [
    "EDITION_2007",
    "EDITION_2007_HANDLES",
    "EDITION_2024",
    "PROFILES",
    "Contact",
    "DepositConfig",
    "DepositResult",
    "DomainRow",
    "NameIndex",
    "NameLookup",
    "NameRecorder",
    "Profile",
    "write_deposit",
]
