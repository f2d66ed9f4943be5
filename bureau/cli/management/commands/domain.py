"""`bureau domain ...`: the operator's command line over the operations (thin: it parses,
calls one operation, prints the result or the error's message)."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from bureau import epp
from bureau.notices import goodbye
from bureau.notices.models import GoodbyeMode
from bureau.notices.renewal import renew_for_holder, restore_for_holder
from bureau.registrar import tasks
from bureau.registrar.accounts.models import Organisation
from bureau.registrar.billing import ledger
from bureau.registrar.billing.ledger import LedgerError
from bureau.registrar.contacts.models import Contact
from bureau.registrar.domains.models import Domain, DomainEvent, DomainState
from bureau.registrar.domains.names import to_u_label
from bureau.registrar.operations import check, register, registrant, transfer, update
from bureau.registrar.operations.common import Actor, parse_name
from bureau.registrar.operations.errors import OperationError
from bureau.registrar.registries.connection import execute

from ...base import console_actor


class Command(BaseCommand):
    help = "Check, register, renew, delete, restore, transfer and inspect domain names."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--as", dest="username", default=None,
                            help="act as this user (default: the operator, for any member)")
        sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        sub.add_parser("list", help="domains Bureau holds")
        for name, text in (("check", "availability and price (asks the registry)"),
                           ("info", "Bureau's record and the registry's (sponsor, expiry, "
                                    "statuses)"),
                           ("history", "every event of a name (who, when, EPP ids)")):
            sub.add_parser(name, help=text).add_argument("names", nargs="+", metavar="NAME")
        reg = sub.add_parser("register", help="register a name for an organisation "
                                              "(charged to its balance)")
        reg.add_argument("name")
        reg.add_argument("--org", required=True,
                         help="organisation short name (slug; `make run` creates 'demo')")
        reg.add_argument("--holder", type=int, help="contact id (default: the first one)")
        reg.add_argument("--years", type=int, default=1, help="period (default 1)")
        reg.add_argument("--ns", nargs="*", default=[], metavar="HOST",
                         help="your own name servers (at least two)")
        reg.add_argument("--dns", choices=["bureau", "own", "later"], default=None,
                         help="bureau (default without --ns): Bureau's name servers, zone "
                              "created and signed; own: --ns checked (two at least, each "
                              "resolving); later: none. --ns alone: set as given")
        renew = sub.add_parser("renew", help="renew a name (charged to its organisation)")
        renew.add_argument("name")
        renew.add_argument("--years", type=int, default=1, help="period (default 1)")
        for name, text in (("delete", "delete a name (in redemption: restorable for 30 days)"),
                           ("restore", "restore a name in redemption (RGP request + report)"),
                           ("approve-out", "approve a transfer to another registrar"),
                           ("reject-out", "reject a transfer to another registrar"),
                           ("authinfo", "show the transfer code (recorded in the history)")):
            sub.add_parser(name, help=text).add_argument("name")
        tin = sub.add_parser("transfer-in", help="transfer a name in from another registrar")
        tin.add_argument("name")
        tin.add_argument("--org", required=True, help="organisation short name (slug)")
        tin.add_argument("--code", required=True, help="the transfer code from the holder")
        tin.add_argument("--holder", type=int,
                         help="contact id of the holder, used if the current registrar "
                              "withholds the holder's details")
        hold = sub.add_parser("holder", help="change the holder of a name, or name the holder "
                                             "a transfer in left unknown")
        hold.add_argument("name")
        hold.add_argument("--holder", type=int, required=True, help="contact id of the holder")
        hold.add_argument("--old-holder-agrees", action="store_true",
                          help="the current holder agrees to give the name away (not asked "
                               "when the name has no holder yet)")
        hold.add_argument("--new-holder-agrees", action="store_true",
                          help="the new holder agrees to take the name and that their "
                               "details are sent to the registry")
        hold.add_argument("--no-transfer-lock", action="store_true",
                          help="do not lock transfers to another registrar after the change")
        ns = sub.add_parser("nameservers", help="replace the name servers of a name")
        ns.add_argument("name")
        ns.add_argument("hosts", nargs="+", metavar="HOST")
        sub.add_parser("poll", help="process the registries' poll queues now")
        sub.add_parser("reconcile", help="settle unknown orders and names under review, and "
                                           "compare with registries")

    def handle(self, *args: Any, action: str, username: str | None, **options: Any) -> None:
        actor = console_actor(username)
        try:
            getattr(self, "do_" + action.replace("-", "_"))(actor, **options)
        except (OperationError, LedgerError) as exc:
            raise CommandError(str(exc)) from exc
        except epp.CommandFailed as exc:
            raise CommandError(f"the registry refused: {exc}") from exc
        except epp.EPPError as exc:
            raise CommandError(f"registry unreachable or confused: {exc}") from exc

    def _organisation(self, slug: str) -> Organisation:
        organisation = Organisation.objects.filter(slug=slug).first()
        if organisation is None:
            known = ", ".join(Organisation.objects.values_list("slug", flat=True)) or "none yet"
            raise CommandError(f"--org {slug}: no such organisation (known: {known})")
        return organisation

    def _charged(self, order: Any) -> None:
        if order is None:
            return
        left = ledger.balance(order.organisation, order.currency)
        self.stdout.write(f"  charged {order.amount / 100:.2f} {order.currency}; "
                          f"balance of {order.organisation.slug} {left / 100:.2f}")

    def _domain(self, name: str) -> Domain:
        domain = Domain.objects.live().named(parse_name(name)).first()  # RDN or bundled name
        if domain is None:
            raise CommandError(f"{name}: Bureau does not hold this name")
        return domain

    def _show(self, domain: Domain) -> None:
        expires = domain.expires_at.date().isoformat() if domain.expires_at else "?"
        statuses = ",".join(f"{s.value} ({s.reason})" if s.reason else s.value
                            for s in domain.statuses_shown)
        self.stdout.write(f"{domain.u_label:30} {domain.state:22} expires {expires}  "
                          f"{statuses}")
        if len(domain.names) > 1:
            self.stdout.write(f"  bundled names: {', '.join(domain.u_labels[1:])}")

    def do_list(self, actor: Actor, **options: Any) -> None:
        domains = Domain.objects.exclude(state__in=[DomainState.DELETED,
                                                    DomainState.TRANSFERRED_OUT])
        for domain in domains:
            self._show(domain)
        if not domains:
            self.stdout.write("no domains yet: bureau domain register NAME --org SLUG")

    def do_check(self, actor: Actor, names: list[str], **options: Any) -> None:
        for q in check.check(names):
            state = "available" if q.available else f"taken ({q.reason or '-'})"
            premium = " premium" if q.premium else ""
            self.stdout.write(f"{q.u_label:30} {state:30} {q.price / 100:.2f} {q.currency}"
                              f"{premium}")
            if q.bundled:  # one registration, one price, for all of its names
                self.stdout.write(f"  with its bundled names: "
                                  f"{', '.join(to_u_label(n) for n in q.bundled)}")

    def do_info(self, actor: Actor, names: list[str], **options: Any) -> None:
        for name in names:
            domain = self._domain(name)
            self._show(domain)
            data = execute(domain.registry, epp.DomainInfo(domain.name)).data
            self.stdout.write(f"  at the registry: sponsor {data.sponsor}, expires "
                              f"{data.expires}, statuses {sorted(data.status_values)}")

    def do_history(self, actor: Actor, names: list[str], **options: Any) -> None:
        for name in names:
            events = DomainEvent.objects.filter(domain_name=parse_name(name))
            if not events:
                self.stdout.write(f"{name}: no history")
            for event in events:
                who = event.actor or event.actor_label
                detail = " ".join(f"{key}={value}" for key, value in event.detail.items()
                                  if value not in (None, "", []))
                self.stdout.write(f"{event.at:%Y-%m-%d %H:%M:%S} {event.operation:18} "
                                  f"{event.outcome:8} {who} {event.cl_trid} {event.sv_trid}"
                                  f"{'  ' + detail if detail else ''}")

    def _holder(self, organisation: Organisation, holder: int | None) -> Contact | None:
        """The contact --holder names (None without it); a wrong id lists the right ones."""
        contacts = Contact.objects.filter(organisation=organisation)
        contact = contacts.filter(pk=holder).first() if holder else contacts.first()
        if contact is None and holder:
            known = ", ".join(f"{c.pk} ({c.name})" for c in contacts) or "none"
            raise CommandError(f"--holder {holder}: not a contact of {organisation.slug} (its "
                               f"contacts: {known})")
        return contact

    def do_register(self, actor: Actor, name: str, org: str, holder: int | None, years: int,
                    ns: list[str], dns: str | None, **options: Any) -> None:
        organisation = self._organisation(org)
        contact = self._holder(organisation, holder)
        if contact is None:
            raise CommandError(f"{org} has no contact to hold the name: add one first")
        result = register.register(organisation=organisation, actor=actor, name=name,
                          registrant=contact, period=years, nameservers=ns,
                          dns=dns or (None if ns else "bureau"))
        self._show(result.domain)
        if result.bundled:
            self.stdout.write("  bundled names: " + ", ".join(result.bundled))
        if result.under_review:
            self.stdout.write("  " + register.under_review_message(result.domain))
        self._charged(result.order)

    def do_renew(self, actor: Actor, name: str, years: int, **options: Any) -> None:
        # The holder's renew, as the portal and the API: right before and after expiry.
        result = renew_for_holder(self._domain(name), actor, period=years)
        self._show(result.domain)
        self._charged(result.order)

    def do_delete(self, actor: Actor, name: str, **options: Any) -> None:
        # The guided goodbye, as the portal and the API: the operator who types the name on
        # the command line has gone through the checklist with the member.
        domain = self._domain(name)
        goodbye.give_up(domain=domain, actor=actor, mode=GoodbyeMode.DELETE,
                        ticked={item.key for item in goodbye.checklist()}, typed_name=name)
        domain.refresh_from_db()
        self._show(domain)
        if domain.state == DomainState.REDEMPTION:
            self.stdout.write(f"  in redemption: `bureau domain restore {domain.u_label}` "
                              "brings it back (charged)")

    def do_restore(self, actor: Actor, name: str, **options: Any) -> None:
        # The holder's restore, as the portal and the API: the name works again at once.
        result = restore_for_holder(self._domain(name), actor)
        self._show(result.domain)
        self._charged(result.order)

    def do_transfer_in(self, actor: Actor, name: str, org: str, code: str,
                       holder: int | None, **options: Any) -> None:
        organisation = self._organisation(org)
        contact = self._holder(organisation, holder) if holder else None
        self._show(transfer.transfer_in(organisation=organisation, actor=actor, name=name,
                                        auth_info=code, holder=contact).domain)

    def do_approve_out(self, actor: Actor, name: str, **options: Any) -> None:
        self._show(transfer.approve_transfer_out(domain=self._domain(name), actor=actor).domain)

    def do_reject_out(self, actor: Actor, name: str, **options: Any) -> None:
        self._show(transfer.reject_transfer_out(domain=self._domain(name), actor=actor).domain)

    def do_holder(self, actor: Actor, name: str, holder: int, old_holder_agrees: bool,
                  new_holder_agrees: bool, no_transfer_lock: bool, **options: Any) -> None:
        domain = self._domain(name)
        contact = self._holder(domain.organisation, holder)
        assert contact is not None
        self._show(registrant.change_registrant(
            domain=domain, actor=actor, new_registrant=contact,
            old_holder_consent=old_holder_agrees, new_holder_consent=new_holder_agrees,
            opt_out_of_transfer_lock=no_transfer_lock).domain)

    def do_authinfo(self, actor: Actor, name: str, **options: Any) -> None:
        self.stdout.write(transfer.reveal_auth_info(domain=self._domain(name), actor=actor))

    def do_nameservers(self, actor: Actor, name: str, hosts: list[str], **options: Any) -> None:
        self._show(update.update(domain=self._domain(name), actor=actor,
                                 nameservers=hosts).domain)

    def do_poll(self, actor: Actor, **options: Any) -> None:
        self.stdout.write(f"{tasks.process_poll_queues.call()} new message(s) applied")

    def do_reconcile(self, actor: Actor, **options: Any) -> None:
        self.stdout.write(str(tasks.reconcile.call()))
