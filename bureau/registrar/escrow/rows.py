"""Bureau's sponsored names as escrow rows, streamed from the database.

Contacts are joined in the same query (``select_related``); name servers are a column of the
domain. Rows come out in chunks from a server-side cursor, so memory stays flat.

Privacy/proxy: Bureau offers no privacy or proxy service. The contact data held for each role
is the customer's own data, so it *is* the underlying data the specification asks for (4.1.7);
``DomainRow.underlying`` stays empty. Registries may hide it from public directories
(``Contact.disclose``), which changes nothing here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from django.db.models import QuerySet

from bureau.escrow.rows import Contact, DomainRow
from bureau.registrar.contacts.models import Contact as ContactModel
from bureau.registrar.domains.models import HELD_STATES, Domain, DomainState

from . import conf

CHUNK = 2_000
# Still sponsored but past the point of normal use: flagged, left out when the settings say so.
REDEMPTION_STATES = frozenset({DomainState.REDEMPTION, DomainState.PENDING_DELETE})


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


def sponsored_domains() -> QuerySet[Domain]:
    """Every name Bureau sponsors at a registry, in TLDs that escrow covers."""
    qs = Domain.objects.filter(state__in=HELD_STATES)
    excluded = conf.excluded_tlds()
    if excluded:
        qs = qs.exclude(tld__name__in=excluded)
    return qs


def expiry_date(expires_at: dt.datetime | None) -> dt.date:
    if expires_at is None:
        return dt.date.min
    return expires_at.astimezone(dt.UTC).date()


def to_row(d: Domain) -> DomainRow:
    """A domain as an escrow row. A role without a contact (registries that do not ask for
    one) is filled with the registrant: the holder's organisation is who Bureau deals with
    and bills, and the specification wants every role's name and address escrowed."""
    registrant = to_contact(d.registrant) or Contact(name="")
    return DomainRow(
        domain=str(d.name),
        expiry=expiry_date(d.expires_at),
        registrant=registrant,
        admin=to_contact(d.admin_contact) or registrant,
        tech=to_contact(d.tech_contact) or registrant,
        billing=to_contact(d.billing_contact) or registrant,
        nameservers=tuple(str(n).lower() for n in (d.nameservers or [])),
        in_redemption=d.state in REDEMPTION_STATES,
    )


def registry_rows(chunk_size: int = CHUNK) -> Iterator[DomainRow]:
    """Yield one row per sponsored name, ordered by id, never the whole registry at once."""
    qs = (sponsored_domains()
          .select_related("registrant", "admin_contact", "tech_contact", "billing_contact")
          .defer("auth_info", "statuses")  # not deposited; auth_info would be decrypted
          .order_by("pk"))
    for d in qs.iterator(chunk_size=chunk_size):
        yield to_row(d)


def count_rows() -> int:
    return sponsored_domains().count()
