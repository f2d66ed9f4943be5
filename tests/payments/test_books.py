"""The accountant's export: the FEC (18 columns, tab-separated, one line per ledger line)
and the CSV; every journal balances in it and its totals equal the ledger's."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db.models import Sum

from bureau.banking.fec import COLUMNS
from bureau.coop.models import College
from bureau.coop.operations import membership
from bureau.core import clock
from bureau.registrar.accounts.models import Organisation
from bureau.registrar.billing import ledger, orders
from bureau.registrar.billing.models import Entry
from bureau.registrar.domains.models import Operation

pytestmark = pytest.mark.sqlite


def cents(text: str) -> int:
    whole, _, rest = text.partition(",")
    return int(whole) * 100 + int(rest)


@pytest.fixture
def movements(organisation: Organisation, other_org: Organisation, user: User) -> None:
    ledger.top_up(organisation, 5000, "EUR", memo="Virement\tavec tabulation")
    ledger.top_up(other_org, 1234, "EUR")
    done = orders.place(organisation=organisation, user=user, operation=Operation.CREATE,
                        domain_name="livres.test", amount=1200, currency="EUR")
    orders.complete(done)
    failed = orders.place(organisation=organisation, user=user, operation=Operation.RENEW,
                          domain_name="livres.test", amount=1200, currency="EUR")
    orders.fail(failed, message="refused")
    college = College.objects.get_or_create(code="customers",
                                            defaults={"name": "Clients", "position": 2})[0]
    membership.join(user, college, 1, paid=True)


def test_the_fec_balances_and_equals_the_ledger(movements: None, capsys: Any) -> None:
    today = clock.now().date()
    call_command("payments", "books", "--from", str(today - timedelta(days=1)),
                 "--to", str(today))
    text = capsys.readouterr().out
    rows = [line.split("\t") for line in text.split("\r\n") if line]
    assert tuple(rows[0]) == COLUMNS and all(len(r) == 18 for r in rows)
    body = rows[1:]
    assert len(body) == Entry.objects.count()  # one line per ledger line
    by_entry: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for row in body:
        by_entry[row[2]][0] += cents(row[11])
        by_entry[row[2]][1] += cents(row[12])
        assert row[3] == f"{today:%Y%m%d}" and (cents(row[11]) == 0) != (cents(row[12]) == 0)
    assert all(debit == credit for debit, credit in by_entry.values())  # each balances
    debit = sum(cents(r[11]) for r in body)
    credit = sum(cents(r[12]) for r in body)
    positive = Entry.objects.filter(amount__gt=0).aggregate(s=Sum("amount"))["s"]
    assert debit == credit == positive
    accounts = {r[4] for r in body}
    assert accounts == {"4191", "512", "706", "1013"}
    invoice_lines = [r for r in body if r[8].startswith("F")]
    assert invoice_lines and all(r[0] in ("BQ", "VT") for r in body)
    assert "Virement avec tabulation" in text  # the tab inside is not a column
    # An empty period gives the header alone.
    call_command("payments", "books", "--from", "2020-01-01", "--to", "2020-01-31")
    assert capsys.readouterr().out.count("\r\n") == 1


def test_the_csv_and_the_staff_download(movements: None, staff_client: Any,
                                        client: Any, user: User) -> None:
    today = clock.now().date()
    response = staff_client.get("/payments/books/", {"from": str(today), "to": str(today),
                                                      "format": "csv"})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert tuple(rows[0]) == COLUMNS
    assert sum(float(r[11]) for r in rows[1:]) == sum(float(r[12]) for r in rows[1:])
    fec = staff_client.get("/payments/books/", {"from": str(today), "to": str(today)})
    assert fec["Content-Disposition"].endswith(f'FEC{today:%Y%m%d}-{today:%Y%m%d}.txt"')
    assert staff_client.get("/payments/books/", {"from": "x"}).status_code == 400
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    assert client.get("/payments/books/", {"from": str(today),
                                           "to": str(today)}).status_code == 302
