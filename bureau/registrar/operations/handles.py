"""Make sure a contact exists at a registry before a domain names it.

Handles are derived from the contact's id (``<prefix><id>``), so a create whose answer was
lost is settled with an info on the same handle: never two registry contacts for one.
"""

from __future__ import annotations

import contextlib
from typing import Literal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from bureau import epp
from bureau.core import clock
from bureau.registrar.contacts.models import Contact, ContactHandle
from bureau.registrar.registries.models import Registry

from .common import frame_problem, send
from .errors import ContactInvalid, OutcomePending, RegistryRefused


def handle_for(contact: Contact) -> str:
    prefix = getattr(settings, "BUREAU_HANDLE_PREFIX", "bur")
    return f"{prefix}{contact.pk:x}"[:16]


def contact_create(contact: Contact, handle: str) -> epp.ContactCreate:
    # EPP's "int" postal info is ASCII only; names in other scripts go as "loc".
    texts = [contact.name, contact.org, contact.street, contact.city, contact.state]
    kind: Literal["int", "loc"] = "int" if all(t.isascii() for t in texts) else "loc"
    address = epp.Address(
        city=contact.city, cc=contact.country, street=tuple(contact.street_lines),
        sp=contact.state or None, pc=contact.postal_code or None,
    )
    return epp.ContactCreate(
        id=handle,
        postal_info=[epp.PostalInfo(kind, contact.name, address, contact.org or None)],
        email=contact.email,
        voice=epp.Phone(contact.phone) if contact.phone else None,
        fax=epp.Phone(contact.fax) if contact.fax else None,
        disclose=None if contact.disclose else epp.Disclose(
            False, frozenset({"voice", "fax", "email"})),
    )


def ensure_handle(contact: Contact, registry: Registry) -> str:
    """The contact's handle at the registry, creating the registry contact if needed."""
    existing = contact.handle_at(registry)
    if existing:
        return existing
    handle = handle_for(contact)
    try:
        command = contact_create(contact, handle)
        problem = frame_problem(command)
    except ValueError as exc:
        problem = str(exc)
    if problem is not None:
        raise ContactInvalid(
            _("The contact “%(name)s” cannot be sent to the registry: %(reason)s. Correct the "
              "contact and try again.") % {"name": contact.name, "reason": problem})
    outcome = send(registry, command)
    if outcome.unknown is not None or (outcome.failure and outcome.failure.code == 2302):
        # Lost answer, or "exists" after an earlier lost answer: an info says whether the
        # handle is there and sponsored by Bureau.
        check = send(registry, epp.ContactInfo(handle))
        if check.response is None and outcome.unknown is not None:
            raise OutcomePending(
                _("The registry did not answer while the contact was created; try again in a "
                  "few minutes.")
            )
        data = check.response.data if check.response is not None else None
        if data is None or data.sponsor != registry.client_id:
            raise RegistryRefused(
                _("The contact id %(handle)s is taken at the registry by someone else; set "
                  "BUREAU_HANDLE_PREFIX to a prefix of your own.") % {"handle": handle},
                2302,
            )
    elif outcome.failure is not None:
        raise RegistryRefused(
            _("The registry refused the contact “%(name)s”: %(reason)s")
            % {"name": contact.name, "reason": outcome.failure.reason or outcome.message},
            outcome.failure.code,
        )
    # Another process may have stored it first; the savepoint keeps the transaction usable.
    with contextlib.suppress(IntegrityError), transaction.atomic():
        ContactHandle.objects.create(contact=contact, registry=registry, handle=handle,
                                     synced_at=clock.now())
    return handle


def sync_contact(contact: Contact) -> list[str]:
    """Send a changed contact to every registry that knows it; return the registries that
    could not be updated (the next call tries them again: an update is idempotent)."""
    created = contact_create(contact, "placeholder")  # the same mapping as a create
    failed = []
    for handle in contact.handles.select_related("registry"):
        outcome = send(handle.registry, epp.ContactUpdate(
            handle.handle, postal_info=created.postal_info, voice=created.voice,
            fax=created.fax, email=created.email, disclose=created.disclose))
        if outcome.response is None:
            failed.append(str(handle.registry))
            continue
        ContactHandle.objects.filter(pk=handle.pk).update(synced_at=clock.now())
    return failed
