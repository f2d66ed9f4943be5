"""What an RDAP domain answer needs, read in one query.

A lookup is the hot path of a public service: one SQL statement finds the live registration
one of whose names (RDN or bundled name, RFC 9095) is the queried one, through the
one-live-name index or the bundled names' index, and joins its TLD, its three published
contacts with their registry handles, its DS records and its bundled names, with the date of
its last transfer in. Written in SQL rather than built by the ORM: compiling the equivalent
queryset cost more than the rest of the answer.

The same statement counts the query for the rate limit (bureau/rdap/ratelimit.py): on
PostgreSQL the counter's upsert is a CTE of it, so a lookup is one round trip, and it is a
prepared statement (server-side binding) planned once per connection, not at every lookup
as Django's client-side binding would have it. SQLite (the demo) has no data-modifying CTE:
there the count is its own statement before the lookup.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from typing import Any

import psycopg
from django.db import connection
from django.utils.dateparse import parse_datetime

from bureau.registrar.contacts.models import Contact, ContactHandle
from bureau.registrar.domains.models import (
    HELD_STATES,
    BundledName,
    Domain,
    DomainEvent,
    DomainState,
    DSRecord,
    Operation,
    Outcome,
    StatusShown,
)
from bureau.registrar.registries.models import Tld

from . import ratelimit

# The contact columns an answer shows; the roles in the order of the domain's columns.
CONTACT_COLUMNS = ("name", "org", "email", "phone", "fax", "street", "city", "state",
                   "postal_code", "country", "disclose")
ROLES = (("registrant", "registrant_id"), ("administrative", "admin_contact_id"),
         ("technical", "tech_contact_id"))
GONE = (DomainState.DELETED, DomainState.TRANSFERRED_OUT)


@dataclass(frozen=True)
class Party:
    """A contact as RDAP shows it; ``handle`` only when the holder consented."""

    name: str
    org: str
    email: str
    phone: str
    fax: str
    street: str
    city: str
    state: str
    postal_code: str
    country: str
    disclose: bool
    handle: str | None = None

    @classmethod
    def of(cls, contact: Contact, handle: str | None) -> Party:
        return cls(**{column: getattr(contact, column) for column in CONTACT_COLUMNS},
                   handle=handle if contact.disclose else None)

    @property
    def street_lines(self) -> list[str]:
        return self.street.splitlines() if self.street else []


@dataclass
class Registration:
    name: str
    roid: str
    state: str
    statuses: list[str]
    nameservers: list[str]
    registered_at: datetime | None
    expires_at: datetime | None
    updated_at: datetime | None
    transferred_at: datetime | None
    tld: str
    parties: dict[str, Party] = field(default_factory=dict)
    ds: list[tuple[int, int, int, str]] = field(default_factory=list)
    bundled: list[str] = field(default_factory=list)
    status_reasons: dict[str, list[str]] = field(default_factory=dict)  # Domain's

    @property
    def statuses_shown(self) -> list[StatusShown]:
        reasons = self.status_reasons
        return [StatusShown(s, *(reasons.get(s) or ("", ""))) for s in self.statuses]

    @property
    def held(self) -> bool:
        return self.state in HELD_STATES


def _moment(value: Any) -> datetime | None:
    """A column's date as an aware UTC datetime (SQLite hands back text or naive values)."""
    if value is None:
        return None
    moment = value if isinstance(value, datetime) else parse_datetime(str(value))
    assert moment is not None, value
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str | bytes) else value


@cache
def _statement(vendor: str) -> str:
    domain, tld, contact = Domain._meta.db_table, Tld._meta.db_table, Contact._meta.db_table
    handle, ds, bundled = (ContactHandle._meta.db_table, DSRecord._meta.db_table,
                           BundledName._meta.db_table)
    events = DomainEvent._meta.db_table
    gone = ", ".join(f"'{state}'" for state in GONE)
    roles = ", ".join(f"d.{fk}" for _role, fk in ROLES)
    # One row (the count) even when no name matches: every join is a LEFT JOIN from it.
    if vendor == "postgresql":
        head, hits, source = f"WITH hit AS ({ratelimit.HIT})", "hit.hits", "hit"
    else:
        head, hits, source = "", "%s", "(SELECT 1) one"
    # The registration is picked by scalar subqueries (InitPlans in PostgreSQL), one index
    # each, the bundled names only asked when no RDN has the name; the state condition is
    # the one-live-name index's own. Few joins keep planning short: the contacts come in one
    # join (one row each), like the DS records and the bundled names.
    return f"""{head}
        SELECT {hits}, {roles}, d.name, d.roid, d.state, d.statuses, d.status_reasons,
               d.nameservers, d.registered_at, d.expires_at, d.updated_at, t.name,
               (SELECT MAX(e.at) FROM {events} e WHERE e.domain_id = d.id
                AND e.operation = '{Operation.TRANSFER_IN}'
                AND e.outcome = '{Outcome.SUCCESS}'),
               p.id, {", ".join(f"p.{column}" for column in CONTACT_COLUMNS)}, h.handle,
               ds.key_tag, ds.algorithm, ds.digest_type, ds.digest, b.name
        FROM {source}
        LEFT JOIN {domain} d ON d.id = COALESCE(
            (SELECT id FROM {domain} WHERE name = %s AND NOT (state IN ({gone}))),
            (SELECT x.domain_id FROM {bundled} x JOIN {domain} y ON y.id = x.domain_id
             WHERE x.name = %s AND NOT (y.state IN ({gone})) LIMIT 1))
        LEFT JOIN {tld} t ON t.id = d.tld_id
        LEFT JOIN {contact} p ON p.id IN ({roles})
        LEFT JOIN {handle} h ON h.contact_id = p.id AND h.registry_id = t.registry_id
                             AND p.disclose
        LEFT JOIN {ds} ds ON ds.domain_id = d.id
        LEFT JOIN {bundled} b ON b.domain_id = d.id"""


def _rows(client: str, until: int, a_label: str) -> list[tuple[Any, ...]]:
    vendor = connection.vendor
    if vendor != "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(ratelimit.HIT, [client, until])
            (hits,) = cursor.fetchone()
            cursor.execute(_statement(vendor), [hits, a_label, a_label])
            return cursor.fetchall()
    connection.ensure_connection()
    # Django's own cursors bind parameters client-side: the statement would be planned anew
    # at each lookup, which cost more than running it.
    with connection.wrap_database_errors, psycopg.Cursor(connection.connection) as cursor:
        cursor.execute(_statement(vendor), [client, until, a_label, a_label], prepare=True)
        return cursor.fetchall()


def find(a_label: str, client: str) -> tuple[int | None, Registration | None]:
    """Count one query from ``client`` (the rate limit) and find the live registration named
    ``a_label`` (RDN or bundled name): the seconds ``client`` must wait when over the limit
    (None otherwise) and the registration (None when there is none)."""
    now = time.time()
    until = ratelimit.window_end(now)
    rows = _rows(client, until, a_label)
    wait = ratelimit.wait(rows[0][0], until, now)
    if rows[0][1 + len(ROLES)] is None:  # no domain's name: no registration
        return wait, None
    return wait, _registration([row[1:] for row in rows])


def _registration(rows: list[tuple[Any, ...]]) -> Registration:
    first = rows[0]
    roles = len(ROLES)
    (name, roid, state, statuses, reasons, nameservers, registered, expires, updated, tld,
     transferred) = first[roles:roles + 11]
    found = Registration(
        name=name, roid=roid, state=state, statuses=_json(statuses) or [],
        status_reasons=_json(reasons) or {},
        nameservers=_json(nameservers) or [], registered_at=_moment(registered),
        expires_at=_moment(expires), updated_at=_moment(updated), tld=tld,
        transferred_at=_moment(transferred))
    # The joins repeat the row for each contact, DS record and bundled name: each is kept
    # once, in the order of the DS records' key tags and of the names.
    parties: dict[Any, Party] = {}
    ds: set[tuple[int, int, int, str]] = set()
    names: set[str] = set()
    for row in rows:
        contact_id, *columns = row[roles + 11:roles + 13 + len(CONTACT_COLUMNS)]
        if contact_id is not None:
            *values, handle = columns
            fields = dict(zip(CONTACT_COLUMNS, values, strict=True))
            fields["disclose"] = bool(fields["disclose"])  # SQLite: 0 or 1
            parties[contact_id] = Party(**fields, handle=handle)
        key_tag, algorithm, digest_type, digest, bundled = row[-5:]
        if key_tag is not None:
            ds.add((key_tag, algorithm, digest_type, digest))
        if bundled is not None:
            names.add(bundled)
    found.parties = {role: parties[first[i]] for i, (role, _fk) in enumerate(ROLES)
                     if first[i] in parties}
    found.ds, found.bundled = sorted(ds), sorted(names)
    return found


def sells(tld: str) -> bool:
    return Tld.objects.filter(name=tld).exists()
