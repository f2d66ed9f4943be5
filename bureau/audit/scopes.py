"""Token scopes: what a personal API token may do, on top of its person's role.

A scope names a resource and an access (``domains:read``); ``domains:*`` grants every scope
of ``domains`` and ``*`` grants them all. Each scope maps to the role permission it needs
(``bureau.registrar.accounts.permissions``): a token never does more than its person may.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from bureau.registrar.accounts.permissions import Permission

# scope -> (description, translated when shown; the role permission an action under this
# scope needs)
SCOPES: dict[str, tuple[StrOrPromise, Permission]] = {
    "domains:read": (_("See names, their history, and search availability"),
                     Permission.VIEW),
    "domains:write": (_("Change name servers, contacts, locks, DNSSEC; delete names"),
                      Permission.MANAGE_DOMAINS),
    "domains:order": (_("Register, renew, transfer in and restore names (spends money)"),
                      Permission.ORDER),
    "domains:transfer": (_("Reveal transfer codes, approve or reject transfers out"),
                         Permission.REVEAL_AUTH_CODE),
    "contacts:read": (_("See contacts"), Permission.VIEW),
    "contacts:write": (_("Create, change and delete contacts"),
                       Permission.MANAGE_CONTACTS),
    "billing:read": (_("See the balance, the ledger and orders"), Permission.VIEW),
    # Staff only (the operation checks it): import the cooperative's bank statements.
    "payments:import": (_("Import the cooperative's bank statements (staff)"),
                        Permission.VIEW),
    "org:read": (_("See the organisation, its people and invitations"), Permission.VIEW),
    "org:admin": (_("Invite people, change roles, remove people"),
                  Permission.MANAGE_MEMBERS),
    "tokens:admin": (_("List, create and revoke API tokens"), Permission.MANAGE_TOKENS),
    # The cooperative acts for the person, not an organisation: the operations check that
    # they are a member (propose, back) or on the board (schedule, open, close).
    "coop:read": (_("See the cooperative's proposals and ballots"), Permission.VIEW),
    "coop:propose": (_("Propose and back proposals (members)"), Permission.VIEW),
    "coop:board": (_("Schedule, open and close ballots (the board)"), Permission.VIEW),
}


# A certificate token's one scope, never granted by a wildcard: it writes the TXT records of
# one `_acme-challenge` name (``tokens.create_challenge_token``) and nothing else.
CHALLENGE = "dns:challenge"
CHALLENGE_DESCRIPTION = _("Write the _acme-challenge TXT records of one name (certificates)")


class UnknownScope(ValueError):
    pass


def expand(requested: Iterable[str]) -> list[str]:
    """Concrete scopes for ``requested`` (wildcards expanded), sorted; unknown ones refused."""
    granted: set[str] = set()
    for scope in requested:
        scope = scope.strip()
        if scope == "*":
            granted.update(SCOPES)
        elif scope.endswith(":*") and any(s.startswith(scope[:-1]) for s in SCOPES):
            granted.update(s for s in SCOPES if s.startswith(scope[:-1]))
        elif scope in SCOPES:
            granted.add(scope)
        else:
            raise UnknownScope(scope)
    return sorted(granted)


def describe(scope: str) -> str:
    """What ``scope`` allows, in the active language."""
    return str(CHALLENGE_DESCRIPTION if scope == CHALLENGE else SCOPES[scope][0])


def permission_for(scope: str) -> Permission:
    return Permission.MANAGE_DNS if scope == CHALLENGE else SCOPES[scope][1]
