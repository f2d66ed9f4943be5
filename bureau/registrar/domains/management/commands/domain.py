"""`bureau domain ...`: the operator's command line over the operations (thin: it parses,
calls one operation, prints the result or the error's message)."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError

from bureau import epp
from bureau.registrar.billing import ledger
from bureau.registrar.billing.ledger import LedgerError
from bureau.registrar.contacts.models import Contact
from bureau.registrar.domains.models import Domain, DomainEvent, DomainState
from bureau.registrar.operations.common import Actor
from bureau.registrar.operations.errors import OperationError


class Command(BaseCommand):
    help = "Check, register, renew, delete, restore, transfer and inspect domain names."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--as", dest="username", default=None,
                            help="act as this user (default: the operator, for any member)")
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("list", help="domains Bureau holds")
        for name in ("check", "info", "history"):
            sub.add_parser(name).add_argument("names", nargs="+")
        reg = sub.add_parser("register")
        reg.add_argument("name")
        reg.add_argument("--org", required=True, help="organisation short name")
        reg.add_argument("--holder", type=int, help="contact id (default: the first one)")
        reg.add_argument("--years", type=int, default=1)
        reg.add_argument("--ns", nargs="*", default=[])
        for name in ("renew",):
            p = sub.add_parser(name)
            p.add_argument("name")
            p.add_argument("--years", type=int, default=1)
        for name in ("delete", "restore", "approve-out", "reject-out", "authinfo"):
            sub.add_parser(name).add_argument("name")
        tin = sub.add_parser("transfer-in")
        tin.add_argument("name")
        tin.add_argument("--org", required=True)
        tin.add_argument("--code", required=True, help="the transfer code from the holder")
        ns = sub.add_parser("nameservers")
        ns.add_argument("name")
        ns.add_argument("hosts", nargs="+")
        sub.add_parser("poll", help="process the registries' poll queues now")
        sub.add_parser("reconcile", help="settle unknown orders and compare with registries")

    def handle(self, *args: Any, action: str, username: str | None, **options: Any) -> None:
        actor = Actor(User.objects.get(username=username)) if username else Actor.system(
            "operator")
        try:
            getattr(self, "do_" + action.replace("-", "_"))(actor, **options)
        except (OperationError, LedgerError) as exc:
            raise CommandError(str(exc)) from exc
        except epp.EPPError as exc:
            raise CommandError(f"registry unreachable or confused: {exc}") from exc

    def _domain(self, name: str) -> Domain:
        from bureau.registrar.operations.common import parse_name

        domain = Domain.objects.exclude(state__in=[DomainState.DELETED,
                                                   DomainState.TRANSFERRED_OUT]).filter(
            name=parse_name(name)).first()
        if domain is None:
            raise CommandError(f"{name}: Bureau does not hold this name")
        return domain

    def _show(self, domain: Domain) -> None:
        expires = domain.expires_at.date().isoformat() if domain.expires_at else "?"
        self.stdout.write(f"{domain.u_label:30} {domain.state:22} expires {expires}  "
                          f"{','.join(domain.statuses)}")

    def do_list(self, actor: Actor, **options: Any) -> None:
        for domain in Domain.objects.exclude(state=DomainState.DELETED):
            self._show(domain)

    def do_check(self, actor: Actor, names: list[str], **options: Any) -> None:
        from bureau.registrar.operations.check import check

        for q in check(names):
            state = "available" if q.available else f"taken ({q.reason or '-'})"
            premium = " premium" if q.premium else ""
            self.stdout.write(f"{q.u_label:30} {state:30} {q.price / 100:.2f} {q.currency}"
                              f"{premium}")

    def do_info(self, actor: Actor, names: list[str], **options: Any) -> None:
        from bureau.registrar.registries.connection import execute

        for name in names:
            domain = self._domain(name)
            self._show(domain)
            data = execute(domain.registry, epp.DomainInfo(domain.name)).data
            self.stdout.write(f"  at the registry: sponsor {data.sponsor}, expires "
                              f"{data.expires}, statuses {sorted(data.status_values)}")

    def do_history(self, actor: Actor, names: list[str], **options: Any) -> None:
        for name in names:
            for event in DomainEvent.objects.filter(domain_name=name):
                who = event.actor or event.actor_label
                self.stdout.write(f"{event.at:%Y-%m-%d %H:%M:%S} {event.operation:18} "
                                  f"{event.outcome:8} {who} {event.cl_trid} {event.sv_trid}")

    def do_register(self, actor: Actor, name: str, org: str, holder: int | None, years: int,
                    ns: list[str], **options: Any) -> None:
        from bureau.registrar.accounts.models import Organisation
        from bureau.registrar.operations.register import register

        organisation = Organisation.objects.get(slug=org)
        contacts = Contact.objects.filter(organisation=organisation)
        contact = contacts.get(pk=holder) if holder else contacts.first()
        if contact is None:
            raise CommandError(f"{org} has no contact to hold the name: add one first")
        result = register(organisation=organisation, actor=actor, name=name,
                          registrant=contact, period=years, nameservers=ns)
        self._show(result.domain)
        if result.bundled:
            self.stdout.write("  bundled names: " + ", ".join(result.bundled))
        left = ledger.balance(organisation, result.order.currency)
        self.stdout.write(f"  charged {result.order.amount / 100:.2f} {result.order.currency};"
                          f" balance {left / 100:.2f}")

    def do_renew(self, actor: Actor, name: str, years: int, **options: Any) -> None:
        from bureau.registrar.operations.renew import renew

        self._show(renew(domain=self._domain(name), actor=actor, period=years).domain)

    def do_delete(self, actor: Actor, name: str, **options: Any) -> None:
        from bureau.registrar.operations.delete import delete

        self._show(delete(domain=self._domain(name), actor=actor).domain)

    def do_restore(self, actor: Actor, name: str, **options: Any) -> None:
        from bureau.registrar.operations.restore import restore

        self._show(restore(domain=self._domain(name), actor=actor).domain)

    def do_transfer_in(self, actor: Actor, name: str, org: str, code: str,
                       **options: Any) -> None:
        from bureau.registrar.accounts.models import Organisation
        from bureau.registrar.operations.transfer import transfer_in

        organisation = Organisation.objects.get(slug=org)
        self._show(transfer_in(organisation=organisation, actor=actor, name=name,
                               auth_info=code).domain)

    def do_approve_out(self, actor: Actor, name: str, **options: Any) -> None:
        from bureau.registrar.operations.transfer import approve_transfer_out

        self._show(approve_transfer_out(domain=self._domain(name), actor=actor).domain)

    def do_reject_out(self, actor: Actor, name: str, **options: Any) -> None:
        from bureau.registrar.operations.transfer import reject_transfer_out

        self._show(reject_transfer_out(domain=self._domain(name), actor=actor).domain)

    def do_authinfo(self, actor: Actor, name: str, **options: Any) -> None:
        from bureau.registrar.operations.transfer import reveal_auth_info

        self.stdout.write(reveal_auth_info(domain=self._domain(name), actor=actor))

    def do_nameservers(self, actor: Actor, name: str, hosts: list[str], **options: Any) -> None:
        from bureau.registrar.operations.update import update

        self._show(update(domain=self._domain(name), actor=actor, nameservers=hosts).domain)

    def do_poll(self, actor: Actor, **options: Any) -> None:
        from bureau.registrar.tasks import process_poll_queues

        self.stdout.write(f"{process_poll_queues.call()} new message(s) applied")

    def do_reconcile(self, actor: Actor, **options: Any) -> None:
        from bureau.registrar.tasks import reconcile

        self.stdout.write(str(reconcile.call()))
