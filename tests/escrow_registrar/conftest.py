"""Fixtures of the registrar-side escrow tests: Bureau's signing key made with Sequoia (the
agent's gpg-made key and the loopback sshd come from tests/escrow_fixtures.py), escrow
settings pointing at them, and a few thousand domains in the database with the awkward data
real registrants have."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import idna
import pysequoia
import pytest
from escrow_fixtures import Party, gpg

from bureau.escrow.rows import Contact as EscrowContact
from bureau.escrow.rows import DomainRow
from bureau.registrar.accounts.models import Organisation
from bureau.registrar.contacts.models import Contact
from bureau.registrar.domains.models import Domain, DomainState
from bureau.registrar.escrow.rows import sponsored_bundled_names, sponsored_domains
from bureau.registrar.registries.models import Registry, Tld

IANA = "9999"
DOMAINS = 3000
REGISTERED = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)


@pytest.fixture(scope="session")
def registrar_key(tmp_path_factory: pytest.TempPathFactory, gnupghome: Path) -> Party:
    """Bureau's signing key (Sequoia, v4), known to the agent's gpg."""
    d = tmp_path_factory.mktemp("registrar")
    tsk = pysequoia.Tsk.generate("Bureau <escrow@bureau.example>",
                                 profile=pysequoia.Profile.RFC4880)
    sec, pub = d / "registrar.sec", d / "registrar.pub"
    sec.write_text(str(tsk))
    pub.write_text(str(tsk.extract_certificate()))
    assert gpg(gnupghome, "--import", str(pub)).returncode == 0
    return Party(sec, pub, tsk.extract_certificate().fingerprint.lower())


@pytest.fixture
def escrow_settings(settings: Any, tmp_path: Path, agent: Party, registrar_key: Party) -> Path:
    """Escrow configured as an operator would, deposits written under tmp_path/escrow."""
    out = tmp_path / "escrow"
    settings.BUREAU_ESCROW_IANA_ID = IANA
    settings.BUREAU_ESCROW_PROFILE = "2007"
    settings.BUREAU_ESCROW_COMPRESSION = "gzip"
    settings.BUREAU_ESCROW_INCLUDE_REDEMPTION = "1"
    settings.BUREAU_ESCROW_INCREMENTALS = "always"
    settings.BUREAU_ESCROW_GTLDS = "test"
    settings.BUREAU_ESCROW_DIR = str(out)
    settings.BUREAU_ESCROW_AGENT_CERT = str(agent.public)
    settings.BUREAU_ESCROW_SIGNING_KEY = str(registrar_key.secret)
    settings.BUREAU_ESCROW_REGISTRAR_CERT = str(registrar_key.public)
    return out


# --- the registry's data -------------------------------------------------------------------

FIRST = ["Zoë", "Ångström", "José", "Camille", "Łukasz", "山田", "O'Brien", "Renée", "Ana"]
LAST = ["Martin", 'Le "Chat", SARL', "Dupont-Moretti", "Øster", "Müller, Jr.", "太郎"]
STREETS = [
    "1 rue de la Paix",
    "12, avenue des Champs\nBâtiment B\n3e étage",
    'Résidence "Les Tilleuls"\n4 allée des Roses',
    "Postfach 12, Straße der Einheit",
]


@dataclass
class Registrar:
    organisation: Organisation
    tld: Tld
    contacts: list[Contact]


def make_contacts(org: Organisation, n: int, start: int = 0) -> list[Contact]:
    contacts = [
        Contact(organisation=org, name=f"{FIRST[i % len(FIRST)]} {LAST[i % len(LAST)]} {i}",
                org=("Coopérative, \"Le Lien\"" if i % 7 == 0 else ""),
                email=f"holder{i}@example.org", phone=f"+33.1{i:08d}",
                fax=(f"+33.9{i:08d}" if i % 3 == 0 else ""),
                street=STREETS[i % len(STREETS)], city=("Saint-Étienne" if i % 2 else "Köln"),
                state=("Île-de-France" if i % 5 == 0 else ""), postal_code=f"{i % 99999:05d}",
                country=("FR" if i % 4 else "DE"))
        for i in range(start, start + n)
    ]
    return Contact.objects.bulk_create(contacts)


def domain_name(i: int) -> str:
    if i % 10 == 0:  # IDNs, stored as A-labels
        return idna.encode(f"café-société{i}.test").decode()
    return f"name{i}.test"


def make_domains(reg: Registrar, start: int, n: int) -> list[Domain]:
    cs = reg.contacts
    base = dt.datetime(2027, 1, 1, 12, tzinfo=dt.UTC)
    domains = []
    for i in range(start, start + n):
        domains.append(Domain(
            name=domain_name(i), tld=reg.tld, organisation=reg.organisation,
            registrant=cs[i % len(cs)], admin_contact=cs[(i + 1) % len(cs)],
            tech_contact=cs[(i + 2) % len(cs)],
            billing_contact=None if i % 11 == 0 else cs[(i + 3) % len(cs)],
            state=DomainState.REDEMPTION if i % 50 == 7 else DomainState.ACTIVE,
            nameservers=[f"ns1.host{i % 17}.example", f"ns2.host{i % 17}.example"],
            # registered before any deposit of the tests (whose clock may be set back): a
            # registration after a deposit would be a new one (history.DbNameLookup)
            registered_at=REGISTERED, expires_at=base + dt.timedelta(days=i % 700),
        ))
    return Domain.objects.bulk_create(domains)


@pytest.fixture
def registrar(db: Any, settings: Any) -> Registrar:
    settings.BUREAU_ESCROW_GTLDS = "test"  # the gTLDs escrowed: names of other TLDs are not
    registry = Registry.objects.create(name="Sandbox", slug="sandbox", host="127.0.0.1",
                                       client_id="bureau", password="x")
    tld = Tld.objects.create(registry=registry, name="test", create_price=1200,
                             renew_price=1200, transfer_price=1000)
    org = Organisation.objects.create(name="Atelier", slug="atelier")
    return Registrar(org, tld, make_contacts(org, 600))


@pytest.fixture
def populated(registrar: Registrar) -> Registrar:
    """DOMAINS names, plus a deleted one and a transferred-out one that must not be deposited."""
    make_domains(registrar, 0, DOMAINS)
    for state in (DomainState.DELETED, DomainState.TRANSFERRED_OUT):
        Domain.objects.create(name=f"gone-{state}.test", tld=registrar.tld,
                              organisation=registrar.organisation,
                              registrant=registrar.contacts[0], state=state)
    return registrar


# --- what a deposit should hold, from the ORM (the oracle of the SQL that writes it) ---------

NO_CONTACT = EscrowContact(name="")


def oracle_contact(c: Contact | None) -> EscrowContact | None:
    if c is None:
        return None
    return EscrowContact(
        name=c.name, org=c.org, street=tuple(c.street_lines), city=c.city, state=c.state,
        postcode=c.postal_code, country=c.country, email=c.email, voice=c.phone, fax=c.fax,
        handle=f"B{c.pk}")


def oracle_row(name: str, d: Domain) -> DomainRow:
    """A name as the deposit must carry it: a role without contact is the registrant."""
    registrant = oracle_contact(d.registrant) or NO_CONTACT
    return DomainRow(
        domain=name, expiry=d.expires_at.astimezone(dt.UTC).date(), registrant=registrant,
        admin=oracle_contact(d.admin_contact) or registrant,
        tech=oracle_contact(d.tech_contact) or registrant,
        billing=oracle_contact(d.billing_contact) or registrant,
        nameservers=tuple(n.lower() for n in d.nameservers),
        in_redemption=d.state in (DomainState.REDEMPTION, DomainState.PENDING_DELETE))


def oracle_rows() -> list[DomainRow]:
    """Every sponsored name of the escrowed gTLDs, with its registration's data, read with the
    ORM: registrations, then bundled names, each by id (the deposit's order)."""
    related = ("registrant", "admin_contact", "tech_contact", "billing_contact")
    rows = [oracle_row(d.name, d) for d in sponsored_domains().select_related(*related)
            .order_by("pk")]
    rows += [oracle_row(b.name, b.domain) for b in sponsored_bundled_names().select_related(
        *(f"domain__{r}" for r in related)).order_by("pk")]
    return rows
