"""What the `bureau` commands over the operations share: `--as PERSON` (else Bureau's
operator), one subcommand per operation, refusals said in one line (exit status 1)."""

from __future__ import annotations

from argparse import SUPPRESS, ArgumentParser
from typing import Any

from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from bureau.registrar.accounts.models import Membership, Organisation, language_of_person
from bureau.registrar.accounts.policy import lacks_required_2fa
from bureau.registrar.operations.common import Actor
from bureau.registrar.operations.errors import OperationError


def console_actor(name: str | None) -> Actor:
    """Who acts from the console: the person named by ``--as`` (a user name or an email), else
    Bureau's operator. The console is trusted as a whole (it holds the server's keys): it asks
    no password again. But a person whose organisation requires a second factor they have not
    set up is refused here, as the portal and the API refuse them at their doors."""
    if not name:
        return Actor.console(None)
    found = User.objects.filter(username=name).first() \
        or User.objects.filter(email__iexact=name).first()
    if found is None:
        raise CommandError(f"--as {name}: no such user (give a user name or an email)")
    if lacks_required_2fa(found):
        raise CommandError(f"--as {name}: an organisation of this person requires two-factor "
                           "authentication: they must set up a second factor first (in the "
                           "portal, Account > Two-factor authentication)")
    return Actor.console(found)


class OperationsCommand(BaseCommand):
    """Subclasses add their subcommands in ``add_actions`` and define ``do_<action>(actor,
    **options)``; each calls one operation with the console's actor."""

    def add_arguments(self, parser: ArgumentParser) -> None:
        who = "act as this person (user name or email; default: Bureau's operator, for every " \
              "organisation)"
        parser.add_argument("--as", dest="username", default=None, metavar="PERSON", help=who)
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        self.add_actions(actions)
        # Also after the action (`bureau token create --as membre ...`), where people put it
        # as often as before; SUPPRESS keeps a value given before the action.
        for action in actions.choices.values():
            action.add_argument("--as", dest="username", default=SUPPRESS, metavar="PERSON",
                                help=who)

    def add_actions(self, sub: Any) -> None:
        raise NotImplementedError

    def handle(self, *args: Any, action: str, username: str | None, **options: Any) -> None:
        actor = console_actor(username)
        # Refusals in the language the person chose, else the console's (BUREAU_LANGUAGE).
        with translation.override(language_of_person(actor.user, translation.get_language())):
            try:
                getattr(self, "do_" + action.replace("-", "_"))(actor, **options)
            except OperationError as exc:
                raise CommandError(exc.message) from exc

    @staticmethod
    def organisation(slug: str) -> Organisation:
        found = Organisation.objects.filter(slug=slug).first()
        if found is None:
            known = ", ".join(Organisation.objects.values_list("slug", flat=True)) or "none yet"
            raise CommandError(f"--org {slug}: no such organisation (known: {known})")
        return found

    @staticmethod
    def membership(organisation: Organisation, email: str) -> Membership:
        found = organisation.memberships.select_related("user", "organisation") \
            .filter(user__email__iexact=email.strip()).first()
        if found is None:
            raise CommandError(f"{email}: not a member of {organisation.slug} "
                               f"(see `bureau people list --org {organisation.slug}`)")
        return found
