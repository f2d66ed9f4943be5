"""Use case: disaster recovery. Load a full deposit and the incrementals made after it into an
EMPTY Bureau database: domains (A-label, expiry, name servers) and their contacts.

What a deposit does not carry is not invented: every restored name belongs to one
organisation "Restored from escrow"; TLDs Bureau does not know yet are created inactive under
an inactive placeholder registry, to be configured by the operator; names come back
``active`` (a deposit does not say which names were in redemption); registry handles, DS
records, users and money are not in a deposit. Identical contacts become one contact (by
handle in handle mode, else by their data). The ``2024`` profile carries no name servers,
no admin/tech contacts and only the billing contact's name, so those come back empty.

Everything happens in one transaction: a fault leaves the database empty again.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from bureau.escrow.profiles import Profile
from bureau.escrow.reader import AgentKeys, read_deposits
from bureau.escrow.rows import Contact, DomainRow
from bureau.escrow.verify import verify_deposit
from bureau.registrar.accounts.models import Organisation
from bureau.registrar.contacts.models import Contact as ContactModel
from bureau.registrar.domains.models import Domain, DomainState
from bureau.registrar.registries.models import Registry, Tld

_BATCH = 1_000
ROLE_FIELDS = {"registrant": "registrant", "admin": "admin_contact", "tech": "tech_contact",
               "billing": "billing_contact"}
PLACEHOLDER_REGISTRY = "escrow-restore"


class RestoreError(Exception):
    """The restore cannot proceed; nothing was stored."""


@dataclass
class RestoreResult:
    domains: int = 0
    contacts: int = 0
    tlds_created: int = 0
    partial_contacts_left_out: int = 0  # roles the profile carries only in part (2024)


# What Bureau needs to store a contact; a role the profile carries less of is left out.
NEEDED_ATTRS = frozenset({"name", "street", "city", "country", "email", "voice"})


def carried_roles(profile: Profile) -> frozenset[str]:
    if profile.handle_mode:
        return frozenset(ROLE_FIELDS)
    attrs: dict[str, set[str]] = {role: set() for role in ROLE_FIELDS}
    for col in profile.columns:
        role, _, attr = col.source.partition(".")
        if role in attrs and not col.underlying:
            attrs[role].add(attr)
    return frozenset(r for r, a in attrs.items() if a >= NEEDED_ATTRS)


def check_empty() -> None:
    found = [label for label, model in (("domains", Domain), ("contacts", ContactModel),
                                        ("organisations", Organisation))
             if model.objects.exists()]
    if found:
        raise RestoreError(
            "restore only loads into an EMPTY Bureau database, and this one already holds "
            f"{', '.join(found)}. Create a new database (DATABASE_URL), run `bureau migrate`, "
            "then restore into it.")


def _key(c: Contact, by_handle: bool) -> bytes:
    if by_handle and c.handle:
        return b"h:" + c.handle.encode()
    data = "\x1f".join([c.name, c.org, "\x1e".join(c.street), c.city, c.state, c.postcode,
                        c.country, c.email, c.voice, c.fax])
    return hashlib.blake2b(data.encode(), digest_size=16).digest()


class _Loader:
    def __init__(self, profile: Profile) -> None:
        self.by_handle = profile.handle_mode
        self.org = Organisation.objects.create(name="Restored from escrow",
                                               slug="restored-from-escrow")
        self.contacts: dict[bytes, int] = {}  # 16-byte key -> pk: ~100 bytes per contact
        self.tlds = {str(t.name): t for t in Tld.objects.all()}
        self.placeholder: Registry | None = None
        self.result = RestoreResult()
        self.roles = carried_roles(profile)

    def tld_for(self, name: str) -> Tld:
        labels = name.split(".")
        for i in range(1, len(labels)):
            tld = self.tlds.get(".".join(labels[i:]))
            if tld is not None:
                return tld
        if self.placeholder is None:
            self.placeholder, _ = Registry.objects.get_or_create(
                slug=PLACEHOLDER_REGISTRY,
                defaults={"name": "Restored from escrow (configure me)", "host": "invalid",
                          "client_id": "restore", "password": "", "is_active": False})
        tld = Tld.objects.create(registry=self.placeholder, name=labels[-1], create_price=0,
                                 renew_price=0, transfer_price=0, is_active=False)
        self.tlds[labels[-1]] = tld
        self.result.tlds_created += 1
        return tld

    def _new_contact(self, c: Contact, domain: str) -> ContactModel:
        m = ContactModel(organisation=self.org, name=c.name, org=c.org, email=c.email,
                         phone=c.voice, fax=c.fax, street="\n".join(c.street), city=c.city,
                         state=c.state, postal_code=c.postcode, country=c.country)
        try:
            m.full_clean()
        except ValidationError as e:
            fields = "; ".join(f"{f}: {' '.join(str(x) for x in msgs)}"
                               for f, msgs in e.message_dict.items())
            raise RestoreError(f"{domain}: contact {c.handle or c.name!r} is not valid "
                               f"({fields}); nothing was restored") from e
        return m

    def load(self, batch: list[DomainRow]) -> None:
        new: dict[bytes, ContactModel] = {}
        for row in batch:
            for role in ROLE_FIELDS:
                c = row.contact(role)
                if c is None:
                    continue
                if role not in self.roles:
                    self.result.partial_contacts_left_out += 1
                    continue
                k = _key(c, self.by_handle)
                if k not in self.contacts and k not in new:
                    new[k] = self._new_contact(c, row.domain)
        created = ContactModel.objects.bulk_create(list(new.values()))
        for k, m in zip(new, created, strict=True):
            self.contacts[k] = int(m.pk)
        self.result.contacts += len(created)
        domains = []
        for row in batch:
            ids = {f"{field}_id": self.contacts[_key(c, self.by_handle)]
                   for role, field in ROLE_FIELDS.items()
                   if role in self.roles and (c := row.contact(role)) is not None}
            expires = dt.datetime.combine(row.expiry, dt.time(), tzinfo=dt.UTC)
            domains.append(Domain(name=row.domain, tld=self.tld_for(row.domain),
                                  organisation=self.org, state=DomainState.ACTIVE,
                                  nameservers=list(row.nameservers), expires_at=expires,
                                  **ids))
        Domain.objects.bulk_create(domains)
        self.result.domains += len(domains)


def load_rows(rows: Iterable[DomainRow], profile: Profile,
              progress: Callable[[int], None] | None = None) -> RestoreResult:
    """Load rows into the empty database (one transaction)."""
    try:
        with transaction.atomic():
            check_empty()
            loader = _Loader(profile)
            batch: list[DomainRow] = []
            for row in rows:
                batch.append(row)
                if len(batch) >= _BATCH:
                    loader.load(batch)
                    batch.clear()
                    if progress:
                        progress(loader.result.domains)
            loader.load(batch)
    except IntegrityError as e:
        # The one-live-domain-per-name constraint: a name twice in the deposits.
        raise RestoreError(f"a name appears twice ({e}): the deposits do not belong together "
                           "(give one full deposit and the incrementals made after it, in "
                           "order); nothing was restored") from e
    if progress:
        progress(loader.result.domains)
    return loader.result


def restore(folders: list[Path], profile: Profile, keys: AgentKeys,
            progress: Callable[[int], None] | None = None) -> RestoreResult:
    """Verify each deposit as the agent does, then decrypt and load them: ``folders`` holds
    a full deposit first, then the incrementals made after it, in order."""
    if not folders:
        raise RestoreError("give the folder of a full deposit, then those of later incrementals")
    check_empty()
    for folder in folders:
        report = verify_deposit(folder, profile, keys)
        if not report.ok:
            raise RestoreError(f"{folder} does not pass verification, nothing was restored:\n"
                               + report.text())
    return load_rows(read_deposits(folders, profile, keys), profile, progress)
