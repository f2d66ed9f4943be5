"""End to end in a real browser (Debian's chromium through Playwright), against the live
portal and the sandbox registry: a new person signs up, subscribes a cooperative share and
pays it with a top-up by bank transfer (the statement imported by staff in the portal),
registers a name, signs a direct-debit mandate, and the auto-renewal's money is collected
through a pain.008 file and confirmed by a camt.053. Screenshots go to
var/artifacts/screenshots/."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.models import User
from django.core import mail
from lxml import etree

from bureau.banking.testing import Movement, camt053
from bureau.coop.models import College, Member
from bureau.core import clock
from bureau.payments.models import Collection, CollectionState, DebitFile
from bureau.payments.operations import debits
from bureau.registrar.accounts.models import Organisation
from bureau.registrar.billing import ledger
from bureau.registrar.domains.models import Domain
from bureau.registrar.registries.models import Registry

pytestmark = [pytest.mark.slow]

ARTIFACTS = Path(__file__).resolve().parents[2] / "var" / "artifacts" / "screenshots"
PASSWORD = "Un mot de passe assez long 2026!"



def shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"payments-{name}.png"), full_page=True)


def submit(page: Any) -> None:
    page.locator("main form button[type=submit]").first.click()


def log_in(browser: Any, base: str, email: str) -> Any:
    context = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.goto(base + "/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", PASSWORD)
    submit(page)
    page.wait_for_load_state()
    return page


def import_statement(staff: Any, base: str, path: Path, data: bytes) -> str:
    path.write_bytes(data)
    staff.goto(base + "/payments/statements/")
    staff.set_input_files("input[name=file]", str(path))
    submit(staff)
    staff.wait_for_load_state()
    return str(staff.inner_text("main"))


def test_sign_up_pay_by_transfer_register_and_renew_by_direct_debit(
        browser: Any, live_server: Any, sandbox_registry: Registry, tmp_path: Path,
        transactional_db: Any) -> None:
    base = live_server.url
    College.objects.get_or_create(code="customers", defaults={
        "name": "Client·es et bénéficiaires", "position": 2})
    staff_user = User.objects.create_user("staff", "staff@bureau.example", PASSWORD,
                                          is_staff=True)
    EmailAddress.objects.create(user=staff_user, email=staff_user.email, verified=True,
                                primary=True)
    email, name = "alix@example.org", "jardin-partage.test"

    # Sign up, verify the address, create the organisation.
    context = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.goto(base + "/accounts/signup/")
    page.fill("input[name=email]", email)
    page.fill("input[name=password1]", PASSWORD)
    page.fill("input[name=password2]", PASSWORD)
    submit(page)
    page.wait_for_url(re.compile(r"/accounts/confirm-email/"))
    message = [m for m in mail.outbox if email in m.to][-1]
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+", str(message.body))
    assert link is not None
    page.goto(link.group(0))
    submit(page)
    page.wait_for_url(re.compile(r"/organisations/new/"))
    page.fill("input[name=name]", "Jardin partagé")
    submit(page)
    page.wait_for_url(re.compile(r"/domains/"))
    organisation = Organisation.objects.get(name="Jardin partagé")

    # Subscribe one share: not a member until it is paid; the page says how.
    page.goto(base + "/coop/join/")
    page.locator("input[name=college]").first.check()
    page.fill("input[name=shares]", "1")
    page.fill("input[name=name]", "Alix Dupont")
    submit(page)
    page.wait_for_url(re.compile(r"/coop/$"))
    assert page.locator("#share-pending").count() == 1
    share_reference = page.inner_text("#transfer-reference")
    shot(page, "01-share-to-pay")

    # The balance page: the organisation's reference, the IBAN, the QR code.
    page.goto(base + "/balance/")
    balance_reference = page.inner_text("#transfer-reference")
    assert balance_reference != share_reference
    assert page.locator("#transfer img[src^='data:image/svg+xml']").count() == 1
    shot(page, "02-balance")

    # Alix pays both by transfer; staff import the bank's statement in the portal.
    staff = log_in(browser, base, staff_user.email)
    text = import_statement(staff, base, tmp_path / "day1.xml", camt053([
        Movement("D1-1", 2000, name="Alix Dupont", reference=share_reference),
        Movement("D1-2", 1000, name="Jardin partage", remittance=balance_reference),
    ], statement_id="D1"))
    assert "2 line(s) read: 1 credited, 1 share payment(s)" in text
    shot(staff, "03-statement-imported")
    page.goto(base + "/coop/")
    assert page.locator("#share-pending").count() == 0
    assert Member.objects.get(user__email=email).is_active
    page.goto(base + "/balance/")
    assert "10.00 EUR" in page.inner_text("#balance-EUR")

    # A holder, then the name, paid from the balance.
    page.goto(base + "/contacts/new/")
    for field, value in {"name": "Alix Dupont", "email": email, "phone": "+33.123456789",
                         "street": "1 rue des Lilas", "city": "Lyon", "postal_code": "69001",
                         "country": "FR"}.items():
        page.fill(f"[name={field}]", value)
    submit(page)
    page.wait_for_url(re.compile(r"/contacts/$"))
    page.goto(base + "/search/")
    page.fill("input[name=q]", name)
    submit(page)
    page.locator("#results tr", has_text=name).locator(
        "form[action$='/cart/add/'] button").click()
    page.wait_for_url(re.compile(r"/cart/"))
    page.select_option("select[name=registrant]", index=1)
    page.locator("form[action$='/cart/checkout/'] button").click()
    page.wait_for_url(re.compile(r"/domains/$"))
    domain = Domain.objects.get(name=name)
    assert ledger.balance(organisation, "EUR") == 0

    # Automatic renewal on, and a direct-debit mandate for it.
    page.goto(f"{base}/domains/{domain.pk}/")
    page.locator("form.auto-renew-toggle button").click()
    page.wait_for_load_state()
    page.goto(base + "/balance/mandate/")
    assert "By signing this mandate form" in page.inner_text("#mandate-text")
    page.fill("input[name=holder]", "Alix Dupont")
    page.fill("input[name=iban]", "DE89 3704 0044 0532 0130 00")
    page.check("input[name=accept]")
    submit(page)
    page.wait_for_load_state()
    reference = page.inner_text("#mandate-reference")
    shot(page, "04-mandate")

    # Weeks before expiry, the job announces the debit the renewal needs.
    expiry = domain.expires_at
    assert expiry is not None
    with clock.use(lambda: expiry - timedelta(days=34)):
        [collection] = debits.plan_renewal_debits()
    assert collection.amount == 1000 and collection.mandate.reference == reference
    assert any("Direct debit of 10.00 EUR" in m.subject for m in mail.outbox)

    # A few days before it is due, staff make the pain.008 file and give it to the bank.
    with clock.use(lambda: expiry - timedelta(days=22)):
        staff.goto(base + "/payments/debits/")
        submit(staff)
        staff.wait_for_load_state()
        shot(staff, "05-pain008")
        file = DebitFile.objects.get()
        response = staff.request.get(f"{base}/payments/debits/{file.pk}.xml")
        xml = etree.fromstring(response.body())
        ns = {"p": "urn:iso:std:iso:20022:tech:xsd:pain.008.001.02"}
        assert xml.findtext(".//p:MndtId", namespaces=ns) == reference
        assert xml.findtext(".//p:SeqTp", namespaces=ns) == "FRST"

    # The bank's camt.053 confirms it: the balance is credited, the renewal can go through.
    with clock.use(lambda: expiry - timedelta(days=18)):
        text = import_statement(staff, base, tmp_path / "day2.xml", camt053([
            Movement("D2-1", 1000, name="Alix Dupont", end_to_end=collection.end_to_end)],
            statement_id="D2"))
    assert "1 credited" in text
    collection.refresh_from_db()
    assert collection.state == CollectionState.PAID
    assert ledger.balance(organisation, "EUR") == 1000
    page.goto(base + "/balance/mandate/")
    assert "Paid" in page.inner_text("main")
    shot(page, "06-debit-paid")
    assert Collection.objects.count() == 1
    context.close()
    staff.context.close()
