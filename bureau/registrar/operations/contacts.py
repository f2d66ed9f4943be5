"""Contacts (holder profiles): create one, change one and tell every registry that holds it,
or delete one no name uses.

The one path of the portal, the API and the CLI: a change made anywhere reaches the
registries the same way.

save_contact errors: NotAllowed; ContactInvalid (the contact belongs to another
organisation); django's ValidationError with an error per field (``message_dict``), which the
edges show on their fields. A registry that cannot be told now is listed in the result; the
next change sends the whole contact again (an update is idempotent).

delete_contact errors: NotAllowed; ContactInUse (a name uses it).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext_lazy as _

from bureau import epp
from bureau.registrar.accounts.models import Organisation
from bureau.registrar.accounts.permissions import PERMISSIONS, Permission
from bureau.registrar.contacts.models import Contact

from .common import Actor, send, verify_role
from .errors import ContactInUse, ContactInvalid
from .handles import sync_contact

logger = logging.getLogger("bureau.registrar.operations")

FIELDS = ("name", "org", "email", "phone", "fax", "street", "city", "state", "postal_code",
          "country", "disclose")
ROLES_THAT_MANAGE_CONTACTS = PERMISSIONS[Permission.MANAGE_CONTACTS]


@dataclass(frozen=True)
class SavedContact:
    contact: Contact
    registries_not_updated: list[str] = field(default_factory=list)


def save_contact(*, organisation: Organisation, actor: Actor, changes: Mapping[str, Any],
                 contact: Contact | None = None) -> SavedContact:
    """Create a contact of ``organisation`` (``contact`` None) or change ``contact``: the
    fields in ``changes`` (names from ``FIELDS``) are set, the contact is validated and
    stored, then sent to every registry that already holds it."""
    verify_role(organisation, actor, ROLES_THAT_MANAGE_CONTACTS)
    unknown = set(changes) - set(FIELDS)
    if unknown:
        raise ValueError(f"not contact fields: {sorted(unknown)}")
    if contact is None:
        contact = Contact(organisation=organisation)
    elif contact.organisation_id != organisation.pk:
        raise ContactInvalid(_("This contact belongs to another organisation."))
    for name, value in changes.items():
        setattr(contact, name, value)
    created = contact.pk is None
    contact.save()  # validates: a ValidationError names each field at fault
    failed = [] if created else sync_contact(contact)
    logger.info("contact %s %s by %s; registries not updated: %s", contact.pk,
                "created" if created else "changed", actor.user or actor.label, failed or "none")
    return SavedContact(contact, failed)


def delete_contact(*, actor: Actor, contact: Contact) -> list[str]:
    """Delete a contact no name uses, then its copies at the registries; return the registries
    that kept theirs (refused or unreachable: logged; no name refers to that copy any more)."""
    verify_role(contact.organisation, actor, ROLES_THAT_MANAGE_CONTACTS)
    handles = list(contact.handles.select_related("registry"))
    try:
        with transaction.atomic():
            contact.delete()
    except ProtectedError as exc:
        raise ContactInUse(_("“%(name)s” is a contact of one of your names: give those names "
                             "another contact first.") % {"name": contact.name}) from exc
    kept = []
    for handle in handles:  # after the commit: no lock is held while a registry answers
        if send(handle.registry, epp.ContactDelete(handle.handle)).response is None:
            kept.append(str(handle.registry))
    logger.info("contact %s (%s) deleted by %s; registries that kept a copy: %s",
                contact.name, ", ".join(h.handle for h in handles) or "no handle",
                actor.user or actor.label, kept or "none")
    return kept
