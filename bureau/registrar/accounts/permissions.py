"""What each role may do: the one permission map the portal, the API and the operations share.

Each role is allowed exactly what its name says:

- **owner**: everything, including the organisation's security (required 2FA, audit log) and
  naming other owners.
- **admin** (administrator): everything about names, contacts, money and people, except the
  organisation's security settings and the owner role.
- **tech** (technical): name servers, DNSSEC, locks, DNS; sees everything; no money, no people.
- **billing**: orders (register, renew, transfer in, restore) and the balance; sees everything;
  no technical changes, no people.
- **read-only**: sees everything the organisation holds; changes nothing.

The operations' own checks (``ROLES_THAT_*`` in ``accounts.models``) say the same; this module
is the reference and a test keeps them in step.
"""

from __future__ import annotations

from enum import StrEnum

from .models import (
    ROLES_THAT_MANAGE_DOMAINS,
    ROLES_THAT_MANAGE_MEMBERS,
    ROLES_THAT_ORDER,
    Role,
)


class Permission(StrEnum):
    VIEW = "view"  # see names, contacts, balance, ledger, people
    ORDER = "order"  # register, renew, transfer in, restore (money leaves the balance)
    MANAGE_DOMAINS = "manage_domains"  # name servers, DNSSEC, locks, delete
    MANAGE_DNS = "manage_dns"  # hosted DNS zones and records
    REVEAL_AUTH_CODE = "reveal_auth_code"  # transfer out: show the transfer code
    MANAGE_CONTACTS = "manage_contacts"  # holder profiles and contacts
    MANAGE_MEMBERS = "manage_members"  # invite, change roles (not owner), remove people
    MANAGE_OWNERS = "manage_owners"  # make or unmake owners
    MANAGE_SECURITY = "manage_security"  # require 2FA, read the audit log
    MANAGE_TOKENS = "manage_tokens"  # API tokens acting for the organisation


ALL_ROLES = frozenset(Role)

PERMISSIONS: dict[Permission, frozenset[Role]] = {
    Permission.VIEW: ALL_ROLES,
    Permission.ORDER: ROLES_THAT_ORDER,
    Permission.MANAGE_DOMAINS: ROLES_THAT_MANAGE_DOMAINS,
    Permission.MANAGE_DNS: frozenset({Role.OWNER, Role.ADMIN, Role.TECH}),
    Permission.REVEAL_AUTH_CODE: ROLES_THAT_MANAGE_MEMBERS,
    Permission.MANAGE_CONTACTS: frozenset({Role.OWNER, Role.ADMIN}),
    Permission.MANAGE_MEMBERS: ROLES_THAT_MANAGE_MEMBERS,
    Permission.MANAGE_OWNERS: frozenset({Role.OWNER}),
    Permission.MANAGE_SECURITY: frozenset({Role.OWNER}),
    Permission.MANAGE_TOKENS: frozenset({Role.OWNER, Role.ADMIN, Role.TECH}),
}


def allows(role: str | None, permission: Permission) -> bool:
    """True when ``role`` (a ``Role`` value, or None for "not a member") has ``permission``."""
    return role is not None and role in PERMISSIONS[permission]


def permissions_of(role: str | None) -> frozenset[Permission]:
    return frozenset(p for p in Permission if allows(role, p))
