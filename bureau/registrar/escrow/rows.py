"""Bureau's sponsored names as escrow rows, streamed from the database.

Domains come in chunks from a server-side cursor as plain tuples; their contacts are read
once per chunk through a bounded cache; name servers are a column of the domain. Memory stays
flat whatever the number of names.

Privacy/proxy: Bureau offers no privacy or proxy service. The contact data held for each role
is the customer's own data, so it *is* the underlying data the specification asks for (4.1.7);
``DomainRow.underlying`` stays empty. Registries may hide it from public directories
(``Contact.disclose``), which changes nothing here.
"""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict
from collections.abc import Iterator
from itertools import islice
from typing import Any

from django.db.models import Q, QuerySet

from bureau.escrow.rows import Contact, DomainRow
from bureau.registrar.contacts.models import Contact as ContactModel
from bureau.registrar.domains.models import HELD_STATES, BundledName, Domain, DomainState

from . import conf

CHUNK = 2_000
# Still sponsored but past the point of normal use: flagged, left out when the settings say so.
REDEMPTION_STATES = frozenset({DomainState.REDEMPTION, DomainState.PENDING_DELETE})
# A name without a holder: one shared object, so the writer's per-contact cache (keyed by
# object identity) encodes it once, not once per row.
NO_CONTACT = Contact(name="")


def handle_of(contact: ContactModel) -> str:
    """The handle a contact gets in a handle-mode deposit: Bureau's own id. Registry handles
    are unique per registry only, so two contacts could share one across registries."""
    return f"B{contact.pk}"


def to_contact(c: ContactModel | None) -> Contact | None:
    if c is None:
        return None
    return Contact(
        name=str(c.name), org=str(c.org), street=tuple(c.street_lines), city=str(c.city),
        state=str(c.state), postcode=str(c.postal_code), country=str(c.country),
        email=str(c.email), voice=str(c.phone), fax=str(c.fax), handle=handle_of(c),
    )


CONTACT_FIELDS = ("pk", "name", "org", "street", "city", "state", "postal_code", "country",
                  "email", "phone", "fax")
DOMAIN_FIELDS = ("name", "expires_at", "nameservers", "state", "registrant_id",
                 "admin_contact_id", "tech_contact_id", "billing_contact_id")


class ContactCache:
    """Escrow contacts by id, least recently used first out: contacts are shared by many
    names, so each is read once per stretch of names instead of once per role and name, and
    memory stays bounded (``size`` contacts, about 1 KB each)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.contacts: OrderedDict[int, Contact] = OrderedDict()

    def load(self, ids: set[int]) -> None:
        """Make sure ``ids`` are cached (one query for those missing)."""
        missing = []
        for i in ids:
            if i in self.contacts:
                self.contacts.move_to_end(i)  # needed now: not to be evicted below
            else:
                missing.append(i)
        if not missing:
            return
        for pk, name, org, street, city, state, postcode, country, email, phone, fax in (
            ContactModel.objects.filter(pk__in=missing).values_list(*CONTACT_FIELDS)
        ):
            self.contacts[pk] = Contact(
                name=name, org=org, street=tuple(street.splitlines()), city=city, state=state,
                postcode=postcode, country=country, email=email, voice=phone, fax=fax,
                handle=f"B{pk}")
        while len(self.contacts) > self.size:
            self.contacts.popitem(last=False)

    def get(self, pk: int | None) -> Contact | None:
        return None if pk is None else self.contacts[pk]


def sponsored_domains() -> QuerySet[Domain]:
    """Every name Bureau sponsors at a registry in the gTLDs escrow covers."""
    return Domain.objects.filter(state__in=HELD_STATES, tld__name__in=conf.gtlds())


def sponsored_bundled_names() -> QuerySet[BundledName]:
    """Every bundled name (RFC 9095 BDN) of a sponsored registration, in the gTLDs escrow
    covers (a BDN's own TLD: entraide.ong of entraide.ngo): Bureau sponsors each, so each is
    a row of its own, with its registration's data."""
    in_gtlds = Q()
    for tld in conf.gtlds():
        in_gtlds |= Q(name__endswith=f".{tld}")
    return BundledName.objects.filter(in_gtlds, domain__state__in=HELD_STATES)


def expiry_date(expires_at: dt.datetime | None) -> dt.date:
    if expires_at is None:
        return dt.date.min
    return expires_at.astimezone(dt.UTC).date()


def make_row(name: str, expires_at: dt.datetime | None, nameservers: list[str] | None,
             state: str, registrant: Contact | None, admin: Contact | None,
             tech: Contact | None, billing: Contact | None) -> DomainRow:
    """A domain as an escrow row. A role without a contact (registries that do not ask for
    one) is filled with the registrant: the holder's organisation is who Bureau deals with
    and bills, and the specification wants every role's name and address escrowed."""
    registrant = registrant or NO_CONTACT
    return DomainRow(
        domain=name,
        expiry=expiry_date(expires_at),
        registrant=registrant,
        admin=admin or registrant,
        tech=tech or registrant,
        billing=billing or registrant,
        nameservers=tuple(str(n).lower() for n in (nameservers or [])),
        in_redemption=state in REDEMPTION_STATES,
    )


def to_row(d: Domain) -> DomainRow:
    return make_row(str(d.name), d.expires_at, d.nameservers, str(d.state),
                    to_contact(d.registrant), to_contact(d.admin_contact),
                    to_contact(d.tech_contact), to_contact(d.billing_contact))


def registry_rows(chunk_size: int = CHUNK, cache_size: int = 100_000) -> Iterator[DomainRow]:
    """Yield one row per sponsored name, ordered by id, never the whole registry at once:
    domains come in chunks from a server-side cursor (plain tuples, no model instances) and
    each chunk's contacts are resolved through a bounded cache (one query per chunk for
    those not cached)."""
    cache = ContactCache(max(cache_size, 4 * chunk_size))
    registrations = sponsored_domains().order_by("pk").values_list(*DOMAIN_FIELDS)
    # The same columns for each bundled name, read from its registration.
    bundled = sponsored_bundled_names().order_by("pk").values_list(
        "name", *(f"domain__{field}" for field in DOMAIN_FIELDS[1:]))
    for qs in (registrations, bundled):
        yield from _rows(qs.iterator(chunk_size=chunk_size), chunk_size, cache)


def _rows(it: Iterator[tuple[Any, ...]], chunk_size: int,
          cache: ContactCache) -> Iterator[DomainRow]:
    while chunk := list(islice(it, chunk_size)):
        cache.load({c for row in chunk for c in row[4:8] if c is not None})
        get = cache.get
        for name, expires_at, nameservers, state, reg, adm, tech, bill in chunk:
            yield make_row(name, expires_at, nameservers, state, get(reg), get(adm),
                           get(tech), get(bill))


def count_rows() -> int:
    return sponsored_domains().count() + sponsored_bundled_names().count()
