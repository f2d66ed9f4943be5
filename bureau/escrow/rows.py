"""The rows a deposit holds: one domain with its contacts, as the registrar hands them over."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

ROLES = ("registrant", "admin", "tech", "billing")


@dataclass(frozen=True, slots=True)
class Contact:
    """A contact as escrowed. ``street`` holds one item per address line."""

    name: str
    org: str = ""
    street: tuple[str, ...] = ()
    city: str = ""
    state: str = ""
    postcode: str = ""
    country: str = ""
    email: str = ""
    voice: str = ""
    fax: str = ""
    handle: str = ""


@dataclass(slots=True)  # not frozen: frozen __init__ costs ~2x on a million rows
class DomainRow:
    """One sponsored domain. ``domain`` is the A-label; ``underlying`` maps a role to the real
    customer behind a privacy/proxy service (escrowed too, RAA 3.6 / spec 4.1.7)."""

    domain: str
    expiry: dt.date
    registrant: Contact
    admin: Contact | None = None
    tech: Contact | None = None
    billing: Contact | None = None
    nameservers: tuple[str, ...] = ()
    underlying: dict[str, Contact] = field(default_factory=dict)
    in_redemption: bool = False

    def contact(self, role: str) -> Contact | None:
        c: Contact | None = getattr(self, role)
        return c
