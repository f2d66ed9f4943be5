"""`bureau people ...`: the people of an organisation and their roles (thin: each subcommand
calls one function of ``bureau.audit.operations.members``, as the portal and the API do)."""

from __future__ import annotations

from typing import Any

from bureau.audit.operations import members
from bureau.registrar.accounts.models import Role
from bureau.registrar.operations.common import Actor

from ...base import OperationsCommand


class Command(OperationsCommand):
    help = "List the people of an organisation, change their role, remove them."

    def add_actions(self, sub: Any) -> None:
        listing = sub.add_parser("list", help="people of an organisation and their roles")
        listing.add_argument("--org", required=True, help="organisation short name (slug)")
        role = sub.add_parser("role", help="change a person's role")
        role.add_argument("email", help="the person's email")
        role.add_argument("role", help="one of: " + ", ".join(Role.values))
        role.add_argument("--org", required=True, help="organisation short name (slug)")
        remove = sub.add_parser("remove", help="remove a person from the organisation")
        remove.add_argument("email", help="the person's email")
        remove.add_argument("--org", required=True, help="organisation short name (slug)")

    def do_list(self, actor: Actor, org: str, **options: Any) -> None:
        organisation = self.organisation(org)
        for membership in organisation.memberships.select_related("user").order_by(
                "user__email"):
            self.stdout.write(f"{membership.user.email:36} {membership.role:10} "
                              f"since {membership.joined_at:%Y-%m-%d}")

    def do_role(self, actor: Actor, email: str, role: str, org: str, **options: Any) -> None:
        membership = self.membership(self.organisation(org), email)
        members.change_role(membership=membership, actor=actor, role=role.strip().lower())
        self.stdout.write(f"{membership.user.email} is now {membership.role} in {org}")

    def do_remove(self, actor: Actor, email: str, org: str, **options: Any) -> None:
        membership = self.membership(self.organisation(org), email)
        members.remove(membership=membership, actor=actor)
        self.stdout.write(f"{membership.user.email} removed from {org}")
