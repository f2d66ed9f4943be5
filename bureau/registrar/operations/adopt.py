"""What Bureau learns about a name it has just taken in by transfer: the registry's info,
now that Bureau sponsors it, gives the bundle (a transfer asked for by a variant names the
row after the RDN), the holder and the contacts. A registry that cannot answer now leaves
the row as it is; the reconciliation compares it again later.

The contacts the info names still belong to the losing registrar: Bureau can neither change
them nor name them on another domain. So each is copied into a contact of the organisation,
created at the registry as Bureau's, and the domain is updated to name Bureau's copies. A
losing registrar may withhold the data (disclose flags, or a registry that shows other
registrars' contacts to no one): the holder the member named with the transfer request
(``transfer_in(holder=...)``) then stands in for every role it hides; with no holder named,
the row is left without it and the history says so (the member names it later)."""

from __future__ import annotations

import logging

from django.core.exceptions import ValidationError
from django.db import transaction

from bureau import epp
from bureau.epp.domain import ContactType
from bureau.registrar.contacts.models import Contact, ContactHandle
from bureau.registrar.domains.models import Domain, Operation, Outcome
from bureau.registrar.registries.models import Registry

from .bundles import record_bundle
from .common import Actor, record, send
from .domainops import apply_info
from .errors import OperationError
from .handles import ensure_handle

logger = logging.getLogger("bureau.registrar.transfer")


ROLES: dict[str, ContactType | None] = {"registrant": None, "admin_contact": "admin",
                                        "tech_contact": "tech", "billing_contact": "billing"}


def adopt(domain: Domain, actor: Actor) -> list[str]:
    """Fill a transferred-in domain from the registry's info; return what was filled."""
    registry = domain.registry
    outcome = send(registry, epp.DomainInfo(domain.name))
    if outcome.response is None or not isinstance(outcome.response.data, epp.DomainInfoData):
        logger.warning("no info for %s after its transfer in; the reconciliation will fill it",
                       domain.name)
        return []
    data = outcome.response.data
    named = domain.registrant  # the holder the member named with the request, if any
    filled = []
    handles = {"registrant": data.registrant or "",
               **{f"{c.type}_contact": c.id for c in data.contacts if f"{c.type}_contact"
                  in ROLES}}
    contacts: dict[str, Contact | None] = {}
    ours: set[str] = set()  # roles whose handle Bureau already sponsors
    seen: dict[str, tuple[Contact | None, bool]] = {}  # one copy per handle, for every role
    for field, handle in handles.items():
        if handle and handle not in seen:
            seen[handle] = _contact(domain, registry, handle)
        contact, sponsored = seen[handle] if handle else (None, False)
        if sponsored:
            ours.add(field)
        contacts[field] = contact or named
    withheld = sorted(f for f, c in contacts.items() if c is None)
    with transaction.atomic():
        apply_info(domain, data)
        for field, contact in contacts.items():
            if contact is not None and getattr(domain, f"{field}_id") != contact.pk:
                setattr(domain, field, contact)
                filled.append(field)
        domain.save()
        filled += record_bundle(domain, outcome.response.extension(epp.BundleData))
        record(domain=domain, name=domain.name, actor=actor, operation=Operation.RECONCILE,
               outcome=Outcome.SUCCESS, epp_outcome=outcome,
               message="filled from the registry's info after the transfer in" + (
                   f"; withheld by the losing registrar, to be named: {', '.join(withheld)}"
                   if withheld else ""),
               detail={"filled": filled, "names": domain.names, "withheld": withheld})
    foreign = {field: contact for field, contact in contacts.items()
               if contact is not None and field not in ours}
    if foreign:
        _name_bureaus_contacts(domain, actor, handles, foreign)
    return filled


def _name_bureaus_contacts(domain: Domain, actor: Actor, handles: dict[str, str],
                           contacts: dict[str, Contact]) -> None:
    """Update the domain at the registry to name Bureau's handles of ``contacts`` instead of
    the losing registrar's. The same people as before: no change of holder. A refusal or a
    lost answer is recorded; the row already names the right contacts, and the next update
    of the domain sends them again."""
    registry = domain.registry
    try:
        mine = {field: ensure_handle(contact, registry) for field, contact in contacts.items()}
    except OperationError as exc:
        logger.warning("contacts of %s not created at the registry: %s", domain.name,
                       exc.message)
        return
    add, rem = [], []
    for field, handle in mine.items():
        kind = ROLES[field]
        if kind is not None and handle != handles.get(field):
            add.append(epp.DomainContact(kind, handle))
            if handles.get(field):
                rem.append(epp.DomainContact(kind, handles[field]))
    registrant = mine.get("registrant")
    command = epp.DomainUpdate(
        domain.name, add_contacts=add, rem_contacts=rem,
        registrant=registrant if registrant and registrant != handles["registrant"] else None)
    if not (add or command.registrant):
        return
    outcome = send(registry, command)
    record(domain=domain, name=domain.name, actor=actor, operation=Operation.UPDATE,
           outcome=Outcome.SUCCESS if outcome.failure is None and outcome.response is not None
           else Outcome.FAILED,
           epp_outcome=outcome, message="the domain names Bureau's copies of its contacts "
                                        "instead of the losing registrar's",
           detail={"contacts": sorted(mine)})


def _contact(domain: Domain, registry: Registry, handle: str) -> tuple[Contact | None, bool]:
    """The organisation's contact for a registry handle, and whether Bureau sponsors the
    handle: the contact Bureau already maps to it, or a copy of what the registry shows (None
    when the data is withheld). A copy is never mapped to another registrar's handle."""
    known = ContactHandle.objects.filter(registry=registry, handle=handle).select_related(
        "contact").first()
    if known is not None and known.contact.organisation_id == domain.organisation_id:
        return known.contact, True
    outcome = send(registry, epp.ContactInfo(handle))
    data = outcome.response.data if outcome.response is not None else None
    if not isinstance(data, epp.ContactInfoData):
        return None, False
    sponsored = data.sponsor == registry.client_id
    postal = data.postal("loc") or data.postal("int")
    if postal is None or postal.addr is None:
        return None, False
    contact = Contact(
        organisation=domain.organisation, name=postal.name or handle, org=postal.org or "",
        email=data.email, phone=data.voice.number if data.voice else "",
        fax=data.fax.number if data.fax else "", street="\n".join(postal.addr.street),
        city=postal.addr.city, state=postal.addr.sp or "", postal_code=postal.addr.pc or "",
        country=postal.addr.cc.upper())
    try:
        contact.full_clean()
    except ValidationError as exc:  # withheld or invalid data: better none than a wrong one
        logger.info("contact %s of %s not copied: %s", handle, domain.name, exc.messages)
        return None, False
    contact.save()
    if sponsored and known is None:
        ContactHandle.objects.create(contact=contact, registry=registry, handle=handle,
                                     roid=data.roid)
    return contact, sponsored
