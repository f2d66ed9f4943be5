"""`bureau token ...`: personal API tokens from the console (thin: each subcommand calls one
function of ``bureau.audit.operations.tokens``, as the portal's token page and the API do)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management.base import CommandError

from bureau.audit.models import ApiToken
from bureau.audit.operations import tokens
from bureau.audit.scopes import SCOPES
from bureau.core import clock
from bureau.registrar.operations.common import Actor

from ...base import OperationsCommand


class Command(OperationsCommand):
    help = "List, create and revoke personal API tokens."

    def add_actions(self, sub: Any) -> None:
        listing = sub.add_parser("list", help="tokens of the person (--as), or of an "
                                              "organisation (--org)")
        listing.add_argument("--org", default=None, help="organisation short name (slug)")
        listing.add_argument("--all", action="store_true", help="revoked and expired too")
        create = sub.add_parser("create", help="a token for the person (--as) acting for an "
                                               "organisation; shown once")
        create.add_argument("--org", required=True, help="organisation short name (slug)")
        create.add_argument("--name", required=True, help="what the token is for")
        create.add_argument("--scopes", nargs="+", required=True, metavar="SCOPE",
                            help="among: " + ", ".join(SCOPES) + "; domains:* or * for several")
        create.add_argument("--days", type=int, default=None,
                            help="lifetime in days (default 90, at most 366)")
        revoke = sub.add_parser("revoke", help="revoke a token at once")
        revoke.add_argument("id", type=int, help="token id (see `bureau token list`)")

    def do_list(self, actor: Actor, org: str | None, all: bool, **options: Any) -> None:
        found = ApiToken.objects.select_related("user", "organisation")
        if org:
            found = found.filter(organisation=self.organisation(org))
        if actor.user is not None:
            found = found.filter(user=actor.user)
        elif not org:
            raise CommandError("say whose tokens: --as PERSON or --org SLUG")
        for token in found:
            if not (all or token.is_active):
                continue
            state = "active" if token.is_active else (
                "revoked" if token.revoked_at else "expired")
            self.stdout.write(f"{token.pk:6} {token.prefix}… {token.name:24} "
                              f"{token.organisation.slug:16} {token.user.email:28} {state:8} "
                              f"until {token.expires_at:%Y-%m-%d} {' '.join(token.scopes)}")

    def do_create(self, actor: Actor, org: str, name: str, scopes: list[str],
                  days: int | None, **options: Any) -> None:
        if days is not None and not 0 < days <= 366:
            raise CommandError("--days: between 1 and 366")
        new = tokens.create_token(
            actor=actor, organisation=self.organisation(org), name=name, scopes=scopes,
            expires_at=clock.now() + timedelta(days=days) if days else None)
        self.stdout.write(f"token {new.token.pk} ({new.token.prefix}…) for "
                          f"{new.token.user.email} in {org}, until "
                          f"{new.token.expires_at:%Y-%m-%d}: {' '.join(new.token.scopes)}")
        self.stdout.write(f"  {new.secret}")
        self.stdout.write("  shown this once: Bureau keeps only its hash")

    def do_revoke(self, actor: Actor, id: int, **options: Any) -> None:
        token = ApiToken.objects.select_related("organisation").filter(pk=id).first()
        if token is None:
            raise CommandError(f"{id}: no such token")
        tokens.revoke_token(token=token, actor=actor)
        self.stdout.write(f"token {id} ({token.prefix}…) revoked")
