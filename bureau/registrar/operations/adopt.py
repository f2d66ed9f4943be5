"""What Bureau learns about a name it has just taken in by transfer: the registry's info,
now that Bureau sponsors it, gives the bundle (a transfer asked for by a variant names the
row after the RDN), the holder and the contacts. A registry that cannot answer now leaves
the row as it is; the reconciliation compares it again later."""

from __future__ import annotations

import logging

from django.core.exceptions import ValidationError
from django.db import transaction

from bureau import epp
from bureau.registrar.contacts.models import Contact, ContactHandle
from bureau.registrar.domains.models import Domain, Operation, Outcome
from bureau.registrar.registries.models import Registry

from .bundles import record_bundle
from .common import Actor, record, send
from .domainops import apply_info

logger = logging.getLogger("bureau.registrar.transfer")


def adopt(domain: Domain, actor: Actor) -> list[str]:
    """Fill a transferred-in domain from the registry's info; return what was filled."""
    registry = domain.registry
    outcome = send(registry, epp.DomainInfo(domain.name))
    if outcome.response is None or not isinstance(outcome.response.data, epp.DomainInfoData):
        logger.warning("no info for %s after its transfer in; the reconciliation will fill it",
                       domain.name)
        return []
    data = outcome.response.data
    filled = []
    roles = {"registrant": data.registrant,
             **{f"{c.type}_contact": c.id for c in data.contacts}}
    contacts = {field: _contact(domain, registry, handle) for field, handle in roles.items()
                if handle and field in ("registrant", "admin_contact", "tech_contact",
                                        "billing_contact")}
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
               message="filled from the registry's info after the transfer in",
               detail={"filled": filled, "names": domain.names})
    return filled


def _contact(domain: Domain, registry: Registry, handle: str) -> Contact | None:
    """The organisation's contact for a registry handle: the one Bureau already maps to it,
    or a copy of what the registry shows (kept with the handle when no one else maps it)."""
    known = ContactHandle.objects.filter(registry=registry, handle=handle).select_related(
        "contact").first()
    if known is not None and known.contact.organisation_id == domain.organisation_id:
        return known.contact
    outcome = send(registry, epp.ContactInfo(handle))
    data = outcome.response.data if outcome.response is not None else None
    if not isinstance(data, epp.ContactInfoData):
        return None
    postal = data.postal("loc") or data.postal("int")
    if postal is None or postal.addr is None:
        return None
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
        return None
    contact.save()
    if known is None:
        ContactHandle.objects.create(contact=contact, registry=registry, handle=handle,
                                     roid=data.roid)
    return contact
