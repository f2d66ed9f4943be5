"""`bureau contact ...`: the operator's command line over the contact operation (thin: it
parses, calls ``save_contact`` or ``delete_contact``, prints the result or the field errors)."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from bureau.registrar.contacts.models import Contact
from bureau.registrar.operations import contacts as contact_ops
from bureau.registrar.operations.common import Actor
from bureau.registrar.operations.errors import OperationError

from ...base import console_actor

TEXT_FIELDS = [f for f in contact_ops.FIELDS if f != "disclose"]


class Command(BaseCommand):
    help = ("List contacts, change one (the change is sent to the registries that hold it) "
            "or delete one no name uses.")

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--as", dest="username", default=None,
                            help="act as this user (default: the operator, for any member)")
        sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        listing = sub.add_parser("list", help="contacts of an organisation")
        listing.add_argument("--org", required=True, help="organisation short name (slug)")
        update = sub.add_parser("update", help="change a contact")
        update.add_argument("id", type=int, help="contact id (see `bureau contact list`)")
        for name in TEXT_FIELDS:
            update.add_argument(f"--{name.replace('_', '-')}", dest=name, default=None,
                                help="street: lines separated by \\n" if name == "street"
                                else None)
        update.add_argument("--disclose", choices=["yes", "no"], default=None,
                            help="publish in the registries' directories")
        delete = sub.add_parser("delete", help="delete a contact no name uses")
        delete.add_argument("id", type=int, help="contact id (see `bureau contact list`)")

    def handle(self, *args: Any, action: str, username: str | None, **options: Any) -> None:
        actor = console_actor(username)
        try:
            getattr(self, "do_" + action)(actor, **options)
        except OperationError as exc:
            raise CommandError(str(exc)) from exc
        except ValidationError as exc:
            errors = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
            raise CommandError("; ".join(f"--{field.replace('_', '-')}: {' '.join(messages)}"
                                         if field else " ".join(messages)
                                         for field, messages in errors.items())) from exc

    def do_list(self, actor: Actor, org: str, **options: Any) -> None:
        for contact in Contact.objects.filter(organisation__slug=org):
            self.stdout.write(f"{contact.pk:6} {contact.name:30} {contact.email:30} "
                              f"{contact.city}, {contact.country}")

    def do_delete(self, actor: Actor, id: int, **options: Any) -> None:
        contact = Contact.objects.select_related("organisation").filter(pk=id).first()
        if contact is None:
            raise CommandError(f"{id}: no such contact")
        kept = contact_ops.delete_contact(actor=actor, contact=contact)
        self.stdout.write(f"contact {id} deleted")
        if kept:
            self.stdout.write("  still held by: " + ", ".join(kept))

    def do_update(self, actor: Actor, id: int, **options: Any) -> None:
        contact = Contact.objects.select_related("organisation").filter(pk=id).first()
        if contact is None:
            raise CommandError(f"{id}: no such contact")
        changes: dict[str, Any] = {name: options[name].replace("\\n", "\n")
                                   for name in TEXT_FIELDS if options.get(name) is not None}
        if options.get("disclose") is not None:
            changes["disclose"] = options["disclose"] == "yes"
        if not changes:
            raise CommandError("nothing to change: give --name, --city, ...")
        saved = contact_ops.save_contact(organisation=contact.organisation, actor=actor,
                                         changes=changes, contact=contact)
        self.stdout.write(f"contact {saved.contact.pk} saved")
        if saved.registries_not_updated:
            self.stdout.write("  not sent yet to: " + ", ".join(saved.registries_not_updated)
                              + " (run the same command again later)")
