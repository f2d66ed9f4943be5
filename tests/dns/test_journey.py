"""A newcomer's whole journey in a real browser (Debian's chromium through Playwright), against
the live portal, the sandbox registry over EPP/TLS, PowerDNS, a card provider's stand-in and
the loopback SMTP server: logged out, search a name; sign up and confirm the address from the
email; pay by card; register the name with Bureau's DNS and see it answer; turn on 2FA;
transfer a name in from another registrar; renew; join the cooperative and vote; download
one's data.

Twice: in French at desktop width, in English at phone width (390 px); every page visited is
also looked at in the other width. On every page: no wider than the viewport, no serious or
critical accessibility violation (axe-core), and, in French, no English message of Bureau's
catalogue (tests/catalogue.py). Amounts and dates read in the page's language.
Screenshots of the main pages, at both widths, go to var/artifacts/screenshots/journey-*
(`make screenshots` runs this test for them)."""

from __future__ import annotations

import json
import re
import time
import urllib.request
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from browser_fixtures import SCREENSHOTS, accessibility_problems, overflow
from catalogue import untranslated
from logins import totp
from mail_fixtures import Inbox
from payments.stripe_standin import SECRET_KEY, WEBHOOK_SECRET, StandIn, stripe_standin

from bureau import epp
from bureau.coop import conf as coop_conf
from bureau.coop.models import College, Member
from bureau.coop.operations import ballots, membership
from bureau.core import clock
from bureau.dns.query import answer_rrset, ask
from bureau.registrar.domains.models import Domain, DomainState
from bureau.registrar.operations.poll import process_poll_queue
from bureau.registrar.registries.models import Registry
from bureau.sandbox.testing import Sandbox

pytestmark = [pytest.mark.slow]

PASSWORD = "Un mot de passe assez long 2026!"
DESKTOP, PHONE = 1280, 390
COLLEGES = [("employees", "Salarié·es", 1), ("customers", "Client·es et bénéficiaires", 2),
            ("contributors", "Contributeurs et contributrices", 3)]
WORDS = {
    "fr": {"balance": "Solde", "vote": "Voter", "voted": "Vous avez voté",
           "euros": "50,00", "month": r"\d{1,2} (janvier|février|mars|avril|mai|juin|juillet|"
                                     r"août|septembre|octobre|novembre|décembre) \d{4}"},
    "en": {"balance": "Balance", "vote": "Vote", "voted": "You have voted",
           "euros": "50.00", "month": r"\d{1,2} (January|February|March|April|May|June|July|"
                                     r"August|September|October|November|December) \d{4}"},
}


@pytest.fixture
def stripe(settings: Any) -> Iterator[StandIn]:
    with stripe_standin() as standin:
        settings.BUREAU_PAYMENTS_STRIPE_SECRET_KEY = SECRET_KEY
        settings.BUREAU_PAYMENTS_STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
        settings.BUREAU_PAYMENTS_STRIPE_API_BASE = standin.url
        yield standin


@pytest.fixture
def rival(sandbox: Sandbox) -> Iterator[epp.Session]:
    """The sandbox's other registrar, where the name to transfer in is held."""
    account = sandbox.registrars["rival"]
    config = epp.ClientConfig(host=sandbox.host, port=sandbox.port, client_id=account.clid,
                              password=account.password, cafile=str(sandbox.ca_file),
                              certfile=str(account.cert_file), keyfile=str(account.key_file))
    with epp.Session(config) as session:
        yield session


class Walk:
    """The browser page, and the checks made on each page it shows."""

    def __init__(self, page: Any, base: str, lang: str, width: int) -> None:
        self.page, self.base, self.lang, self.width = page, base, lang, width
        self.steps = 0

    def goto(self, path: str) -> None:
        self.page.goto(self.base + path)
        self.check()

    def submit(self) -> None:
        self.page.locator("main form button[type=submit]").first.click()
        self.page.wait_for_load_state()

    def check(self, name: str = "") -> None:
        """This page: fits, passes axe-core, and in French shows no English message; then
        the same at the other width."""
        page = self.page
        page.wait_for_load_state()
        assert page.locator("html").get_attribute("lang") == self.lang, page.url
        if self.lang == "fr":
            english = untranslated(page.locator("body").inner_text())
            assert not english, f"{page.url}: untranslated {english}"
        other = PHONE if self.width == DESKTOP else DESKTOP
        if name:
            self.steps += 1
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        for width in (self.width, other):
            page.set_viewport_size({"width": width, "height": 900})
            assert not overflow(page), overflow(page)
            problems = accessibility_problems(page)
            assert not problems, f"{page.url} at {width}px: {problems}"
            if name:  # the main pages, for the docs (`make screenshots`)
                page.screenshot(path=str(SCREENSHOTS / f"journey-{self.lang}-{width}-"
                                         f"{self.steps:02d}-{name}.png"), full_page=True)
        page.set_viewport_size({"width": self.width, "height": 900})


def post_webhook(base: str, body: bytes, signature: str) -> str:
    request = urllib.request.Request(
        base + "/payments/stripe/webhook/", data=body, method="POST",
        headers={"Content-Type": "application/json", "Stripe-Signature": signature})
    with urllib.request.urlopen(request, timeout=30) as answer:
        return answer.read().decode()


@pytest.mark.parametrize(("lang", "width"), [("fr", DESKTOP), ("en", PHONE)])
def test_a_newcomers_journey(browser: Any, axe_script: Path, live_server: Any,
                             sandbox_registry: Registry, sandbox: Sandbox, dns_settings: Any,
                             pdns: Any, inbox: Inbox, stripe: StandIn, rival: epp.Session,
                             lang: str, width: int) -> None:
    base = live_server.url
    dns_settings.BUREAU_PORTAL_URL = base
    for code, name, position in COLLEGES:  # the migration's, emptied by the last flush
        College.objects.get_or_create(code=code, defaults={"name": name, "position": position})
    stamp = f"{lang}{int(time.time()) % 100000}"
    email, name, incoming = f"camille.{stamp}@example.org", f"atelier-{stamp}", f"ici-{stamp}.test"
    words = WORDS[lang]
    context = browser.new_context(locale="fr-FR" if lang == "fr" else "en-GB",
                                  viewport={"width": width, "height": 900},
                                  accept_downloads=True)
    context.add_init_script(path=str(axe_script))
    page = context.new_page()
    page.set_default_timeout(30_000)
    walk = Walk(page, base, lang, width)

    # Logged out: the landing page, in the visitor's language, then a search.
    page.goto(base + "/")
    if page.locator("html").get_attribute("lang") != lang:
        page.select_option("#lang-switch", lang)
        page.locator("form.lang-switcher button").click()
        page.wait_for_load_state()
    walk.check("home")
    for path, shot in [("/notices/fees/", "fees"), ("/coop/transparency/", "transparency"),
                       ("/legal/privacy/", "privacy"), ("/help/", "help")]:
        walk.goto(path)
        walk.check(shot)
    walk.goto("/")
    page.fill("main input[name=q]", name)
    page.locator("main form[role=search] button[type=submit]").click()
    page.wait_for_url(re.compile(r"/search/\?q="))
    walk.check("search")

    # Sign up from the search, confirm the address with the emailed link.
    page.locator("#visitor-next a.button").first.click()
    page.wait_for_url(re.compile(r"/accounts/signup/"))
    walk.check("signup")
    page.fill("input[name=email]", email)
    page.fill("input[name=password1]", PASSWORD)
    page.fill("input[name=password2]", PASSWORD)
    walk.submit()
    page.wait_for_url(re.compile(r"/accounts/confirm-email/"))
    walk.check()
    [confirmation] = [m for m in inbox.take() if m.rcpt == [email]]
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+", confirmation.text)
    assert link is not None, confirmation.text
    page.goto(link.group(0))
    walk.check()
    walk.submit()
    page.wait_for_url(re.compile(r"/organisations/new/"))
    walk.check("organisation")
    page.fill("input[name=name]", f"Atelier {stamp}")
    walk.submit()
    page.wait_for_url(re.compile(rf"/search/\?q={name}"))
    walk.check()

    # Pay by card: off to the provider, whose confirmation credits the balance.
    walk.goto("/balance/")
    page.fill("#card-top-up input[name=amount]", "50")
    page.locator("#card-top-up button[type=submit]").click()
    page.wait_for_load_state()
    page.wait_for_url(re.compile(re.escape(stripe.url)))
    [session] = stripe.sessions.values()
    assert post_webhook(base, *stripe.pay(session["id"])) == "credited\n"
    page.goto(session["success_url"])
    walk.check("balance")
    assert words["euros"] in page.locator("main").inner_text()

    # A holder, then the name with Bureau's DNS (the default), and it answers at once.
    walk.goto("/contacts/new/")
    for field, value in {"name": "Camille Martin", "email": email, "phone": "+33.123456789",
                         "street": "1 rue de la Paix", "city": "Paris",
                         "postal_code": "75002", "country": "FR"}.items():
        page.fill(f"main [name={field}]", value)
    walk.submit()
    walk.goto(f"/search/?q={name}")
    page.locator("#results tr", has_text=f"{name}.test").locator(
        "form[action$='/cart/add/'] button").click()
    page.wait_for_url(re.compile(r"/cart/"))
    page.select_option("select[name=registrant]", index=1)
    assert page.locator("input[name=dns][value=bureau]").is_checked()
    walk.check("cart")
    page.locator("form[action$='/cart/checkout/'] button").click()
    page.wait_for_url(re.compile(r"/domains/$"))
    walk.check("domains")
    domain = Domain.objects.get(name=f"{name}.test", state=DomainState.ACTIVE)
    soa = answer_rrset(ask("127.0.0.1", domain.name + ".", "SOA", port=pdns.dns_port),
                       domain.name + ".", "SOA")
    assert soa is not None, "the name does not answer"
    walk.goto(f"/domains/{domain.pk}/")
    walk.check("domain")
    assert re.search(words["month"], page.locator("main").inner_text())
    walk.goto("/dns/")
    walk.check("zones")
    page.locator("main a", has_text=domain.name).first.click()
    walk.check("zone")

    # Two-factor authentication.
    walk.goto("/accounts/2fa/totp/activate/")
    if "/accounts/reauthenticate/" in page.url:
        page.fill("input[name=password]", PASSWORD)
        walk.submit()
        page.wait_for_url(re.compile(r"/accounts/2fa/totp/activate"))
    walk.check("2fa")
    page.fill("input[name=code]", totp(page.input_value("#authenticator_secret")))
    walk.submit()
    walk.check()

    # A name held at another registrar comes to Bureau.
    rival.execute(epp.ContactCreate(f"r-{stamp}", [epp.PostalInfo(
        "int", "Camille Martin", epp.Address("Lyon", "FR", ("1 quai",)))], email))
    rival.execute(epp.DomainCreate(incoming, registrant=f"r-{stamp}", auth_info="Code-2-Move!"))
    walk.goto("/transfer/")
    page.fill("main input[name=name]", incoming)
    walk.submit()
    walk.check("transfer")
    page.fill("main input[name=auth_code]", "Code-2-Move!")
    walk.submit()
    walk.check()
    rival.execute(epp.DomainTransfer("approve", incoming))
    process_poll_queue(sandbox_registry)  # what the registry-poll job does
    moved = Domain.objects.get(name=incoming)
    assert moved.state == DomainState.ACTIVE

    # Renew the first name.
    expiry = Domain.objects.get(pk=domain.pk).expires_at
    assert expiry is not None
    walk.goto(f"/domains/{domain.pk}/")
    page.locator("form[action$='/renew/'] button[type=submit]").click()
    page.wait_for_load_state()
    walk.check("renew")
    page.locator("main form[action$='/renew/'] button[type=submit]").click()
    page.wait_for_load_state()
    walk.check()
    renewed = Domain.objects.get(pk=domain.pk).expires_at
    assert renewed is not None and renewed.year == expiry.year + 1

    # Join the cooperative; once the share is paid, vote on the ballot the board opens.
    walk.goto("/coop/join/")
    page.check(f"input[name=college][value='{College.objects.get(code='customers').pk}']")
    walk.submit()
    walk.check("coop")
    member = Member.objects.get(user__email=email)
    membership.record_share_payment(member, membership.due(member), coop_conf.currency(),
                                    how="transfer")  # the bank statement, imported by staff
    now = clock.now()
    ballot = ballots.create(title=f"Statuts {stamp}", text="Modifier l'article 7.",
                            opens_at=now, closes_at=now + timedelta(days=7),
                            options=ballots.yes_no_abstain())
    walk.goto(f"/coop/ballots/{ballot.pk}/")
    walk.check("ballot")
    page.get_by_label(ballot.options.order_by("position")[0].label, exact=True).check()
    page.get_by_role("button", name=words["vote"]).click()
    page.wait_for_load_state()
    walk.check()
    assert words["voted"] in page.locator("main").inner_text()

    # Download one's data.
    walk.goto("/account/")
    walk.check("account")
    with page.expect_download() as download:
        page.locator("#my-data a[download]").click()
    data = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert {d["name"] for d in data["domains"]} == {domain.u_label, incoming}
    assert data["account"]["email"] == email
    context.close()
