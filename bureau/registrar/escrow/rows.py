"""Bureau's sponsored names as escrow CSV records, written by PostgreSQL itself.

A deposit is one ``COPY (SELECT ...) TO STDOUT`` per series of files (the names, then the
handle file of the handle profile): the database joins each name to its contacts, quotes the
fields (RFC 4180, minimal quoting), checks each row and hands over whole CSV records, which go
straight into the library's splitting, hashing, compression and encryption
(:func:`bureau.escrow.pipeline.write_files`). No row becomes a Python object: memory stays
flat and a million names take seconds. Each contact's columns are quoted once (a temporary
table of the contacts), not once per name and role.

Checks (the specification's, :mod:`bureau.escrow.validate`): the domain a lowercase LDH name,
an expiry date, the required fields filled. They are made in SQL, in the query that writes the
rows: a row that fails comes as NULL and stops the deposit; the reason is then asked for that
row (:func:`problems`) and said with the same words as the library's checker. A-labels
(``xn--``) are decoded by Python beforehand (IDNA is not in SQL).

Privacy/proxy: Bureau offers no privacy or proxy service. The contact data held for each role
is the customer's own data, so it *is* the underlying data the specification asks for (4.1.7);
the columns of an underlying customer stay empty. Registries may hide it from public
directories (``Contact.disclose``), which changes nothing here.

A role without a contact (registries that do not ask for one) is filled with the registrant:
the holder's organisation is who Bureau deals with and bills, and the specification wants
every role's name and address escrowed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from bureau.escrow.pipeline import DepositError
from bureau.escrow.profiles import Profile
from bureau.escrow.rows import Contact, DomainRow
from bureau.escrow.validate import check_a_label, row_checker
from bureau.registrar.contacts.models import Contact as ContactModel
from bureau.registrar.domains.models import HELD_STATES, BundledName, Domain, DomainState
from bureau.registrar.registries.models import Tld

from . import conf
from .models import Deposit, DepositedName

# Still sponsored but past the point of normal use: flagged, left out when the settings say so.
REDEMPTION_STATES = frozenset({DomainState.REDEMPTION, DomainState.PENDING_DELETE})

# A contact attribute of the escrow rows -> its SQL over the contacts table.
_CONTACT_SQL = {
    "name": "name", "org": "org", "city": "city", "state": "state",
    "postcode": "postal_code", "country": "country", "email": "email", "voice": "phone",
    "fax": "fax",
    # one address line per line, CRLF between them (as Contact.street_lines splits them)
    "street": r"regexp_replace(street, '\r\n|\r|\n', E'\r\n', 'g')",
    # Bureau's own id: registry handles are unique per registry only
    "handle": "'B' || id",
}
_ROLES = ("registrant", "admin", "tech", "billing")
_ROLE_COLUMN = {"registrant": "registrant_id", "admin": "admin_contact_id",
                "tech": "tech_contact_id", "billing": "billing_contact_id"}
# validate._PLAIN_NAME in SQL: two labels or more of lowercase letters, digits and hyphens, no
# hyphen first or last, none over 63 characters (a regular expression with {1,63} repetitions
# costs ten times more in PostgreSQL)
_LDH_NAME = (r"x.name ~ '^[a-z0-9-]+(\.[a-z0-9-]+)+$' AND x.name !~ '(^|\.)-|-(\.|$)' AND "
             "(length(x.name) <= 63 OR NOT EXISTS (SELECT FROM unnest(string_to_array("
             "x.name, '.')) label WHERE length(label) > 63))")
_STRFTIME_TO_SQL = {"%Y": "YYYY", "%m": "MM", "%d": "DD"}
CONTACTS = "escrow_contacts"  # a temporary table, for the time of one deposit


def quoted(sql: str) -> str:
    """SQL giving the RFC 4180 field of the text ``sql``: quoted only when it holds a comma,
    a quote or a line break (what csv.writer's minimal quoting does; PostgreSQL text holds no
    NUL)."""
    return (f"""CASE WHEN {sql} ~ '[,"\\r\\n]' THEN '"' || replace({sql}, '"', '""') || '"' """
            f"ELSE {sql} END")


def literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


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


def count_rows() -> int:
    return sponsored_domains().count() + sponsored_bundled_names().count()


@dataclass(frozen=True)
class Part:
    """Names of one table as SQL: ``name`` the deposited name, ``source`` its ``FROM ...
    WHERE ...`` (``d`` the registration), ``leave_out`` further conditions (incremental,
    redemption)."""

    name: str
    source: str
    leave_out: str = ""

    def where(self, sql: str = "") -> str:
        """``FROM ... WHERE ...`` of the deposited names (and ``sql``, joins, before WHERE)."""
        from_, _, where = self.source.partition(" WHERE ")
        return f"{from_} {sql} WHERE {where}{self.leave_out}"


def selection(kind: str, include_redemption: bool, series: Sequence[int]) -> list[Part]:
    """The registrations, then the bundled names, a deposit of ``kind`` holds."""
    gtlds = conf.gtlds()
    held = ", ".join(literal(s) for s in sorted(HELD_STATES))
    domain, tld = Domain._meta.db_table, Tld._meta.db_table
    tlds = ", ".join(literal(t) for t in gtlds)
    suffixes = " OR ".join(f"b.name LIKE {literal('%.' + t)}" for t in gtlds)
    parts = [Part("d.name", f"FROM {domain} d JOIN {tld} t ON t.id = d.tld_id "
                            f"WHERE d.state IN ({held}) AND t.name IN ({tlds})"),
             Part("b.name", f"FROM {BundledName._meta.db_table} b JOIN {domain} d ON "
                            f"d.id = b.domain_id WHERE d.state IN ({held}) AND ({suffixes})")]
    out = []
    for part in parts:
        leave_out = ""
        if not include_redemption:
            leave_out += f" AND NOT {in_redemption()}"
        if kind == "inc":
            # names of the series, unless registered (again) since the deposit holding them
            # started: a new registration, possibly of another holder (see history.py)
            ids = ", ".join(str(int(i)) for i in series) or "NULL"
            newer = ("d.registered_at > p.started_at" if part.name == "d.name" else "FALSE")
            leave_out += (f" AND NOT EXISTS (SELECT 1 FROM {DepositedName._meta.db_table} n "
                          f"JOIN {Deposit._meta.db_table} p ON p.id = n.deposit_id WHERE "
                          f"n.name = {part.name} AND n.deposit_id IN ({ids}) AND "
                          f"NOT coalesce({newer}, FALSE))")
        out.append(Part(part.name, part.source, leave_out))
    return out


def in_redemption() -> str:
    return f"d.state IN ({', '.join(literal(s) for s in sorted(REDEMPTION_STATES))})"


class _Columns:
    """A profile's columns as SQL: contact columns come from a temporary table computing, once
    per contact, each run of consecutive columns of one contact (``s0``, ``s1``...) and
    whether each role's required fields are filled (``ok_<role>``)."""

    def __init__(self, profile: Profile, iana_id: str, date: dt.date) -> None:
        self.profile, self.date = profile, date
        self.segments: list[list[str]] = []  # distinct runs of contact attributes
        runs: list[tuple[str, list[str]]] = []  # (role, attributes) of each run of columns
        parts: list[str | int] = []  # SQL, or the index of a run
        last: tuple[str, int] | None = None  # (role, segment) of the previous column
        for col in profile.columns:
            if "." not in col.source:
                parts.append(self._row_field(col.source, iana_id))
                last = None
                continue
            role, attr = col.source.split(".", 1)
            if col.underlying:  # no privacy/proxy service: no underlying customer
                parts.append("''")
                last = None
                continue
            if last is not None and last[0] == role:
                runs[-1][1].append(attr)
                continue
            runs.append((role, [attr]))
            parts.append(len(runs) - 1)
            last = (role, 0)
        # each distinct run of attributes is computed once per contact (s0, s1...)
        for _, attrs in runs:
            if attrs not in self.segments:
                self.segments.append(attrs)
        self.parts = [
            p if isinstance(p, str) else self._contact(
                runs[p][0], f"s{self.segments.index(runs[p][1])}",
                literal("," * (len(runs[p][1]) - 1)))
            for p in parts]
        self.required: dict[str, list[tuple[str, str]]] = {r: [] for r in _ROLES}
        for col in profile.columns:
            if col.header in profile.required and "." in col.source:
                role, attr = col.source.split(".", 1)
                self.required[role].append((col.header, attr))

    @staticmethod
    def _contact(role: str, column: str, empty: str) -> str:
        if role == "registrant":
            return f"coalesce(r.{column}, {empty})"
        return f"coalesce({role}.{column}, r.{column}, {empty})"

    def _row_field(self, source: str, iana_id: str) -> str:
        if source == "domain":
            return "x.name"
        if source == "expiry":
            fmt = self.profile.expiry_format
            if fmt == "%Y-%m-%d":  # the ISO date as text: to_char cost half the query
                return "(d.expires_at AT TIME ZONE 'UTC')::date::text"
            for code, sql in _STRFTIME_TO_SQL.items():
                fmt = fmt.replace(code, sql)
            if "%" in fmt:
                raise DepositError(f"profile {self.profile.name}: expiry format "
                                   f"{self.profile.expiry_format!r} is not supported")
            return f"to_char(d.expires_at AT TIME ZONE 'UTC', {literal(fmt)})"
        if source == "nameservers":
            return quoted("ns.names")
        return literal(iana_id if "," not in iana_id else f'"{iana_id}"')

    def nameservers(self) -> str:
        """A LATERAL giving ``ns.names``, the name servers (OFFSET 0: computed once a row, not
        once per use)."""
        sep = literal(self.profile.nameserver_separator)
        return (f"CROSS JOIN LATERAL (SELECT array_to_string(ARRAY(SELECT lower(v) FROM "
                f"jsonb_array_elements_text(d.nameservers) v), {sep}) AS names OFFSET 0) ns")

    def contacts_table(self) -> str:
        cols = ["id"]
        for i, attrs in enumerate(self.segments):
            cols.append(" || ',' || ".join(quoted(_CONTACT_SQL[a]) for a in attrs) + f" AS s{i}")
        for role, fields in self.required.items():
            ok = " AND ".join(f"{_CONTACT_SQL[a]} <> ''" for _, a in fields) or "TRUE"
            cols.append(f"({ok}) AS ok_{role}")
        return (f"CREATE TEMPORARY TABLE {CONTACTS} ON COMMIT DROP AS SELECT {', '.join(cols)} "
                f"FROM {ContactModel._meta.db_table}")

    def joins(self) -> str:
        aliases = {"registrant": "r", "admin": "admin", "tech": "tech", "billing": "billing"}
        return " ".join(f"LEFT JOIN {CONTACTS} {aliases[r]} ON {aliases[r]}.id = "
                        f"d.{_ROLE_COLUMN[r]}" for r in _ROLES)

    def ok(self) -> str:
        """SQL: the row can be deposited (see the module doc for A-labels)."""
        latest = self.date + dt.timedelta(days=3654)  # validate._MAX_AHEAD
        roles = [f"coalesce(r.ok_registrant, {'FALSE' if self.required['registrant'] else 'TRUE'})"]
        for role in _ROLES[1:]:
            fallback = "FALSE" if self.required[role] else "TRUE"
            roles.append(f"coalesce({role}.ok_{role}, r.ok_{role}, {fallback})")
        return (f"{_LDH_NAME} AND d.expires_at IS NOT NULL AND "
                f"(d.expires_at AT TIME ZONE 'UTC')::date BETWEEN '1985-01-01' AND "
                f"'{latest.isoformat()}' AND " + " AND ".join(roles))

    def record(self) -> str:
        """SQL: the row's CSV record (CRLF-terminated), NULL if it cannot be deposited. One
        concat_ws call: a chain of || copies the growing record once per field."""
        parts: list[str] = []
        for part in self.parts:  # runs of empty fields as one literal of commas
            if part == "''" and parts and parts[-1].startswith("'") and set(
                    parts[-1].strip("'")) <= {","}:
                parts[-1] = parts[-1][:-1] + ",'"
            else:
                parts.append(part)
        return f"CASE WHEN {self.ok()} THEN concat_ws(',', {', '.join(parts)}) || E'\\r\\n' END"


def _records(cursor: Any, query: str) -> Iterator[memoryview]:
    """The records a ``COPY (query) TO STDOUT`` in binary format gives: one CopyData message
    per row (a 2-byte field count and a 4-byte length before the record text), the file
    header before the first and a 2-byte trailer after the last."""
    with cursor.copy(f"COPY ({query}) TO STDOUT (FORMAT binary)") as copy:
        first = True
        for row in copy:
            if first:
                row = row[19:]  # PGCOPY signature, flags, header extension length
                first = False
            if len(row) <= 6:
                if len(row) == 2:  # the trailer: the COPY ends after it
                    continue
                raise _BadRow  # a NULL record: the row failed the checks
            yield row[6:]


class _BadRow(Exception):
    pass


@dataclass
class DepositQuery:
    """The SQL of one deposit: its records, its handle file, its names, its checks."""

    profile: Profile
    iana_id: str
    kind: str
    date: dt.date
    include_redemption: bool
    series: Sequence[int] = ()

    def __post_init__(self) -> None:
        self.parts = selection(self.kind, self.include_redemption, self.series)
        self.columns = _Columns(self.profile, self.iana_id, self.date)

    def _query(self, part: Part, what: str, where: str = "") -> str:
        """SELECT ``what`` for each name of ``part`` with its contacts and name servers."""
        joins = f"{self.columns.joins()} {self.columns.nameservers()}"
        return (f"SELECT {what.replace('x.name', part.name)} {part.where(joins)}"
                + where.replace("x.name", part.name))

    def records(self, cursor: Any, shard: tuple[int, int] = (0, 1)) -> Iterator[memoryview]:
        """Every deposited name's record; raises DepositError naming the first bad row.
        ``shard`` (i, n): only the i-th of n equal ranges of row ids (n connections sharing
        one snapshot write the records of a deposit together). Ranges, not ``id % n``: the
        planner knows how many rows a range holds, and misjudging a modulo by a hundred
        times it hashed the names instead of the contacts."""
        i, n = int(shard[0]), int(shard[1])
        self.check_a_labels(cursor)
        # each contact's columns quoted once, in a table the planner knows the size of
        cursor.execute(f"DROP TABLE IF EXISTS pg_temp.{CONTACTS}")  # a caller's transaction
        cursor.execute(self.columns.contacts_table())
        cursor.execute(f"ANALYZE {CONTACTS}")
        for part in self.parts:
            cursor.execute("SAVEPOINT escrow_records")  # a failed check cancels the COPY
            try:
                only = self._id_range(cursor, part, i, n)
                yield from _records(cursor, self._query(part, self.columns.record(), only))
            except _BadRow:
                pass
            else:
                continue
            cursor.execute("ROLLBACK TO SAVEPOINT escrow_records")
            raise DepositError(self.problems(cursor, part))

    @staticmethod
    def _id_range(cursor: Any, part: Part, i: int, n: int) -> str:
        """SQL: the row id of ``part`` in the i-th of n equal ranges ('' for n = 1)."""
        if n == 1:
            return ""
        alias = part.name.split(".")[0]
        table = {"d": Domain, "b": BundledName}[alias]._meta.db_table
        cursor.execute(f"SELECT min(id), max(id) FROM {table}")  # the primary key's index
        row = cursor.fetchone()
        low, high = (int(row[0]), int(row[1])) if row and row[0] is not None else (0, 0)
        start, stop = (low + (high - low + 1) * k // n for k in (i, i + 1))
        return (f" AND {alias}.id >= {start}" if i > 0 else "") + (
            f" AND {alias}.id < {stop}" if i < n - 1 else "")

    def handle_records(self, cursor: Any) -> Iterator[memoryview]:
        """The handle file's records: each contact the deposited names use, once."""
        used = " UNION ".join(
            f"SELECT coalesce(d.{_ROLE_COLUMN[r]}, d.registrant_id) {part.where()}"
            for r in _ROLES for part in self.parts)
        fields = []
        for col in self.profile.handle_columns:
            attr = col.source.split(".", 1)[1] if "." in col.source else "handle"
            fields.append(quoted(_CONTACT_SQL[attr]))
        text = " || ',' || ".join(fields) + " || E'\\r\\n'"
        yield from _records(cursor, f"SELECT {text} FROM {ContactModel._meta.db_table} "
                                    f"WHERE id IN ({used}) ORDER BY ('B' || id) COLLATE \"C\"")

    def check_a_labels(self, cursor: Any) -> None:
        """A-labels are decoded here (IDNA is not in SQL): a bad one stops the deposit."""
        for part in self.parts:
            cursor.execute(f"SELECT {part.name} {part.where()} AND {part.name} LIKE '%xn--%'")
            for (name,) in cursor:
                why = check_a_label(name)
                if why is not None:
                    raise DepositError(_message(name, why))

    def record_names(self, deposit_id: int) -> list[str]:
        """SQL recording the deposited names against the deposit (same rows as records())."""
        table = DepositedName._meta.db_table
        return [f"INSERT INTO {table} (deposit_id, name) SELECT {int(deposit_id)}, "
                f"{part.name} {part.where()}" for part in self.parts]

    def count_redemption_left_out(self) -> str:
        """SQL: how many names were left out for being in redemption."""
        if self.include_redemption:
            return "SELECT 0"
        return "SELECT " + " + ".join(
            f"(SELECT count(*) {Part(p.name, p.source).where()} AND {in_redemption()})"
            for p in self.parts)

    def problems(self, cursor: Any, part: Part, limit: int = 3) -> str:
        """Why the rows that fail the checks cannot be deposited (the library's words)."""
        table = ContactModel._meta.db_table
        fields: list[str] = []
        for role in _ROLES:
            for _, attr in self.columns.required[role]:
                of = f"(SELECT {_CONTACT_SQL[attr]} FROM {table} WHERE id = d.%s)"
                fields.append(f"coalesce({of % _ROLE_COLUMN[role]}, "
                              f"{of % 'registrant_id'}, '')")
        cursor.execute(self._query(
            part, ", ".join(["x.name", "(d.expires_at AT TIME ZONE 'UTC')::date", *fields]),
            f" AND NOT ({self.columns.ok()}) ORDER BY x.name LIMIT {limit}"))
        check = row_checker(self.profile, self.date)
        messages = []
        for name, expiry, *values in cursor.fetchall():
            it = iter(values)
            contacts = {role: _partial({attr: next(it) for _, attr in self.columns.required[role]})
                        for role in _ROLES}
            row = DomainRow(domain=name, expiry=expiry, registrant=contacts["registrant"],
                            admin=contacts["admin"], tech=contacts["tech"],
                            billing=contacts["billing"])
            messages.append(_message(name, check(row) or "it fails the checks"))
        return "; ".join(messages) or "a row failed the checks"


def _partial(values: dict[str, str]) -> Contact:
    """A contact holding only the attributes the checks read."""
    fields: dict[str, Any] = {"name": "", **values}
    if "street" in fields:
        fields["street"] = tuple(fields["street"].split("\r\n")) if fields["street"] else ()
    return Contact(**fields)


def _message(name: str, why: str) -> str:
    return f"{name!r} cannot be deposited: {why}; correct the name's data (nothing was written)"
