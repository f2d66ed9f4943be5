"""Synthetic rows for the demo, the tests and the benchmark (deterministic for a seed).

They exercise what breaks naive CSV: IDNs (A-labels), multi-line addresses, commas, quotes,
non-ASCII names, missing faxes, privacy/proxy customers, names in redemption.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator

from bureau.escrow.rows import Contact, DomainRow

_FIRST = ["Anne", "José", "Zoë", "Łukasz", "Ngozi", "Søren", "Ahmed", "Mei", "Ève", "O'Brien"]
_LAST = ["Martin", "Müller", "Dupont, fils", 'Le "Grand"', "Nakamura", "Østergård", "Smith"]
_ORGS = ["", "", "Coop \"Les Communs\"", "ACME, Inc.", "Société Générale des Noms", "北京公司"]
_CITIES = ["Paris", "Lyon", "Zürich", "Montréal", "São Paulo", "Köln", "Nantes"]
_IDN = ["café", "bücher", "élan", "straße", "ñandú", "日本語", "пример", "δοκιμή"]
_TLDS = ["org", "com", "net", "coop"]


def _contact(rnd: random.Random, n: int, tag: str) -> Contact:
    first = rnd.choice(_FIRST)
    last = rnd.choice(_LAST)
    lines = rnd.choice((1, 1, 2, 3))
    street = tuple(
        [f"{rnd.randint(1, 200)} rue de la Paix"]
        + (["Bâtiment B, 2e étage"] if lines > 1 else [])
        + (['c/o "La Ruche"'] if lines > 2 else [])
    )
    return Contact(
        name=f"{first} {last}",
        org=rnd.choice(_ORGS),
        street=street,
        city=rnd.choice(_CITIES),
        state=rnd.choice(("", "IDF", "QC")),
        postcode=f"{rnd.randint(1000, 99999)}",
        country=rnd.choice(("FR", "DE", "CH", "CA", "BR")),
        email=f"{tag}{n}@example.org",
        voice=f"+33.{rnd.randint(100000000, 999999999)}",
        fax="" if rnd.random() < 0.6 else f"+33.{rnd.randint(100000000, 999999999)}",
        handle=f"{tag.upper()}{n}",
    )


_PRIVACY = Contact(name="Privacy Service", street=("1 Proxy Way",), city="Reykjavik",
                   country="IS", email="proxy@example.net", voice="+354.5555555",
                   handle="PRIVACY1")


def domain_name(i: int, rnd: random.Random) -> str:
    tld = _TLDS[i % len(_TLDS)]
    if i % 7 == 3:
        # punycode directly: idna.encode's full IDNA2008 checks cost more than the whole row
        # (the words are valid U-labels; verify checks every A-label with idna)
        return "xn--" + f"{rnd.choice(_IDN)}{i}".encode("punycode").decode() + "." + tld
    return f"name{i}.{tld}"


def generate_rows(count: int, seed: int = 1, start: int = 0, contacts: int | None = None
                  ) -> Iterator[DomainRow]:
    """Yield ``count`` rows numbered from ``start``; contacts are shared among
    ``contacts`` handles (default: one per ten domains) as in a real registrar."""
    rnd = random.Random(seed)
    # a bounded pool of contacts keeps memory flat whatever ``count`` is
    pool = max(1, contacts if contacts is not None else min((count + start) // 10, 5_000))
    base = dt.date(2027, 1, 1)
    expiries = [base + dt.timedelta(days=d) for d in range(1000)]
    nameservers = [(f"ns1.host{h}.net", f"ns2.host{h}.net") for h in range(50)]
    # contacts are made on first use and shared: (registrant, admin, billing, underlying)
    groups: dict[int, tuple[Contact, Contact, Contact, Contact]] = {}
    techs: dict[int, Contact] = {}

    def group(n: int) -> tuple[Contact, Contact, Contact, Contact]:
        g = groups.get(n)
        if g is None:
            g = groups[n] = tuple(  # type: ignore[assignment]
                _contact(random.Random((n * 5 + k) ^ seed), n, tag)
                for k, tag in ((0, "reg"), (1, "adm"), (2, "bill"), (4, "und"))
            )
        return g  # type: ignore[return-value]

    for i in range(start, start + count):
        name = domain_name(i, rnd)
        n = int(rnd.random() * pool)
        registrant, admin, billing, under = group(n)
        t = n % 97
        tech = techs.get(t) or techs.setdefault(t, _contact(random.Random((t * 5 + 3) ^ seed),
                                                            t, "tech"))
        privacy = i % 11 == 5
        yield DomainRow(
            name,
            expiries[i % 1000],
            _PRIVACY if privacy else registrant,
            admin,
            tech,
            billing,
            nameservers[i % 50],
            {"registrant": under} if privacy else {},
            i % 101 == 7,
        )
