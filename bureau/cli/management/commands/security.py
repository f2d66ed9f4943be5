"""`bureau security ...`: an organisation's security policy (thin: calls
``bureau.audit.operations.members.set_require_2fa``, as the portal and the API do)."""

from __future__ import annotations

from typing import Any

from bureau.audit.operations import members
from bureau.registrar.operations.common import Actor

from ...base import OperationsCommand


class Command(OperationsCommand):
    help = "Show or change whether an organisation requires two-factor authentication."

    def add_actions(self, sub: Any) -> None:
        show = sub.add_parser("show", help="the organisation's policy")
        show.add_argument("--org", required=True, help="organisation short name (slug)")
        require = sub.add_parser("require-2fa", help="require a second factor of its people, "
                                                     "or stop requiring it")
        require.add_argument("state", choices=["on", "off"])
        require.add_argument("--org", required=True, help="organisation short name (slug)")

    def do_show(self, actor: Actor, org: str, **options: Any) -> None:
        policy = members.policy_of(self.organisation(org))
        self.stdout.write(f"{org}: two-factor authentication "
                          f"{'required' if policy.require_2fa else 'not required'}")

    def do_require_2fa(self, actor: Actor, state: str, org: str, **options: Any) -> None:
        policy = members.set_require_2fa(organisation=self.organisation(org), actor=actor,
                                         required=state == "on")
        self.stdout.write(f"{org}: two-factor authentication "
                          f"{'required' if policy.require_2fa else 'not required'}")
