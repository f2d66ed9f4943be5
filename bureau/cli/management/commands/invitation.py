"""`bureau invitation ...`: invite people to an organisation (the link is emailed), list and
withdraw invitations (thin: each subcommand calls one function of
``bureau.audit.operations.members``, as the portal and the API do)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError

from bureau.audit.models import Invitation
from bureau.audit.operations import members
from bureau.registrar.accounts.models import Role
from bureau.registrar.operations.common import Actor

from ...base import OperationsCommand


class Command(OperationsCommand):
    help = "Invite someone to an organisation, list the invitations, withdraw one."

    def add_actions(self, sub: Any) -> None:
        invite = sub.add_parser("invite", help="email an invitation with a role")
        invite.add_argument("email")
        invite.add_argument("--org", required=True, help="organisation short name (slug)")
        invite.add_argument("--role", required=True, help="one of: " + ", ".join(Role.values))
        invite.add_argument("--language", default=None,
                            help="language of the email (en, fr; default: the site's)")
        listing = sub.add_parser("list", help="invitations still open")
        listing.add_argument("--org", required=True, help="organisation short name (slug)")
        listing.add_argument("--all", action="store_true",
                             help="accepted, withdrawn and expired ones too")
        withdraw = sub.add_parser("withdraw", help="withdraw an invitation: its link stops "
                                                   "working")
        withdraw.add_argument("id", type=int, help="invitation id (see `bureau invitation "
                                                   "list`)")

    def do_invite(self, actor: Actor, email: str, org: str, role: str, language: str | None,
                  **options: Any) -> None:
        invitation = members.invite(organisation=self.organisation(org), actor=actor,
                                    email=email, role=role.strip().lower(), language=language)
        self.stdout.write(f"invitation {invitation.pk} emailed to {invitation.email} "
                          f"({invitation.role} in {org}), open until "
                          f"{invitation.expires_at:%Y-%m-%d}")

    def do_list(self, actor: Actor, org: str, all: bool, **options: Any) -> None:
        for invitation in self.organisation(org).invitations.order_by("-created_at", "-id"):
            if not (all or invitation.is_open):
                continue
            state = "open" if invitation.is_open else (
                "accepted" if invitation.accepted_at else
                "withdrawn" if invitation.revoked_at else "expired")
            self.stdout.write(f"{invitation.pk:6} {invitation.email:36} {invitation.role:10} "
                              f"{state:9} sent {invitation.created_at:%Y-%m-%d}")

    def do_withdraw(self, actor: Actor, id: int, **options: Any) -> None:
        invitation = Invitation.objects.filter(pk=id).first()
        if invitation is None:
            raise CommandError(f"{id}: no such invitation")
        members.withdraw_invitation(invitation=invitation, actor=actor)
        self.stdout.write(f"invitation {id} to {invitation.email} withdrawn")
