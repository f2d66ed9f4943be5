"""Closing one's account (GDPR article 17), the one way for every door.

Names come first: an organisation that the person alone owns may not be left without anyone
able to renew, transfer or delete its names, nor with money on its balance. Closing is then
refused, naming each name and what to do (transfer it out with its transfer code, give it up
through the goodbye, or make someone else an owner), and the balance to have refunded.

Closing erases what identifies the person (email addresses, names, password, second factors)
and their place in organisations; the account row stays, emptied and inactive, because the
history of names and the security log point at it. What the law or the registries require is
kept, and the page says so (invoices and the balance's movements, the registration data of
the names, the security log); a cooperative member's share stays in the register of members,
which the statutes govern."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from bureau.core.credentials import Credential, require_recent_authentication
from bureau.registrar.accounts.models import Membership, Organisation, Role
from bureau.registrar.billing.models import AccountKind, LedgerAccount
from bureau.registrar.domains.models import HELD_STATES, Domain, DomainState
from bureau.registrar.operations.errors import ConsentMissing, OperationError

from .log import record
from .models import EventKind

# Names Bureau holds or is getting: someone must still be able to act on them.
LIVE_STATES = HELD_STATES | {DomainState.PENDING_CREATE, DomainState.PENDING_TRANSFER_IN}


class AccountNotClosable(OperationError):
    def __init__(self, blockers: list[Blocker]) -> None:
        super().__init__(_("Your account cannot be closed yet: the organisations you alone own "
                           "still hold names or money. See below what to do first."))
        self.blockers = blockers


@dataclass
class Blocker:
    """An organisation the person alone owns, and what keeps it from being left."""

    organisation: Organisation
    domains: list[Domain] = field(default_factory=list)
    balances: dict[str, int] = field(default_factory=dict)


def blockers(user: Any) -> list[Blocker]:
    found = []
    for membership in Membership.objects.filter(user=user, role=Role.OWNER).select_related(
            "organisation"):
        organisation = membership.organisation
        if organisation.memberships.filter(role=Role.OWNER).exclude(user=user).exists():
            continue
        blocker = Blocker(organisation, list(organisation.domains.filter(
            state__in=LIVE_STATES).order_by("name")))
        blocker.balances = {account.currency: int(account.balance) for account in
                            LedgerAccount.objects.filter(kind=AccountKind.MEMBER,
                                                         organisation=organisation,
                                                         balance__gt=0)}
        if blocker.domains or blocker.balances:
            found.append(blocker)
    return found


def close_account(user: Any, credential: Credential | None, *, typed_email: str) -> None:
    """Close ``user``'s account: refused (``AccountNotClosable``) while organisations they
    alone own hold names or money; asks a recent authentication and the account's address
    typed again (``ConsentMissing``)."""
    require_recent_authentication(credential)
    if typed_email.strip().lower() != (user.email or "").lower():
        raise ConsentMissing(_("Type your account's email address (%(email)s) to confirm.")
                             % {"email": user.email}, field="typed_email")
    found = blockers(user)
    if found:
        raise AccountNotClosable(found)
    with transaction.atomic():
        record(EventKind.ACCOUNT_CLOSED, user=user, detail={
            "organisations_left": sorted(Membership.objects.filter(user=user).values_list(
                "organisation__name", flat=True))})
        Membership.objects.filter(user=user).delete()
        EmailAddress.objects.filter(user=user).delete()
        Authenticator.objects.filter(user=user).delete()
        user.username = f"closed-{user.pk}"
        user.email = user.first_name = user.last_name = ""
        user.set_unusable_password()
        user.is_active = False  # its sessions and API tokens stop working at once
        user.save()
