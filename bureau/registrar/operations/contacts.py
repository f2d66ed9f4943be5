"""Contacts (holder profiles): create one, or change one and tell every registry that holds it.

The one path of the portal, the API and the CLI: a change made anywhere reaches the
registries the same way.

save_contact errors: NotAllowed; ContactInvalid (the contact belongs to another
organisation); django's ValidationError with an error per field (``message_dict``), which the
edges show on their fields. A registry that cannot be told now is listed in the result; the
next change sends the whole contact again (an update is idempotent).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy as _

from bureau.registrar.accounts.models import Organisation
from bureau.registrar.accounts.permissions import PERMISSIONS, Permission
from bureau.registrar.contacts.models import Contact

from .common import Actor, verify_role
from .errors import ContactInvalid
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
