"""End-to-end: a new member, in a real browser (Debian's headless chromium driven by
Playwright), against the live portal and the sandbox registry over EPP/TLS: sign up, verify
the email, enable TOTP, log in with a code, search a name, buy it, see it in the list, change
its name servers, reveal its transfer code. In English, then in French (chosen with the
language switcher). Screenshots go to var/artifacts/screenshots/."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from django.core import mail
from logins import totp

from bureau.audit.models import EventKind, SecurityEvent
from bureau.registrar.accounts.models import Organisation
from bureau.registrar.billing import ledger
from bureau.registrar.domains.models import Domain
from bureau.registrar.registries.models import Registry

from .conftest import ARTIFACTS

pytestmark = [pytest.mark.slow]

PASSWORD = "Un mot de passe assez long 2026!"



def shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def submit(page: Any) -> None:
    """Submit the page's main form (the header holds the switchers' forms)."""
    page.locator("main form button[type=submit]").first.click()


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_new_member_walkthrough(browser: Any, live_server: Any, sandbox_registry: Registry,
                                lang: str) -> None:
    base = live_server.url
    email = f"camille.{lang}@example.org"
    name = f"atelier-{lang}-{int(time.time())}.test"
    context = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.goto(base + "/")
    if lang == "fr":
        page.select_option("#lang-switch", "fr")
        page.locator("form.lang-switcher button").click()
        page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == lang
    shot(page, f"{lang}-01-home")

    # Sign up, then verify the address with the link from the mail.
    page.goto(base + "/accounts/signup/")
    page.fill("input[name=email]", email)
    page.fill("input[name=password1]", PASSWORD)
    page.fill("input[name=password2]", PASSWORD)
    shot(page, f"{lang}-02-signup")
    submit(page)
    page.wait_for_url(re.compile(r"/accounts/confirm-email/"))
    message = [m for m in mail.outbox if email in m.to][-1]
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+", str(message.body))
    assert link is not None, message.body
    page.goto(link.group(0))
    submit(page)

    # First visit: create the organisation; the cooperative credits the balance.
    page.wait_for_url(re.compile(r"/organisations/new/"))
    page.fill("input[name=name]", f"Atelier {lang}")
    submit(page)
    page.wait_for_url(re.compile(r"/domains/"))
    organisation = Organisation.objects.get(name=f"Atelier {lang}")
    ledger.top_up(organisation, 10_000, "EUR", memo="test funds")

    # A holder profile.
    page.goto(base + "/contacts/new/")
    for field, value in {"name": "Camille Martin", "email": email, "phone": "+33.123456789",
                         "street": "1 rue de la Paix", "city": "Paris",
                         "postal_code": "75002", "country": "FR"}.items():
        page.fill(f"[name={field}]", value)
    submit(page)
    page.wait_for_url(re.compile(r"/contacts/$"))

    # TOTP: read the secret the page shows, answer with a code.
    page.goto(base + "/accounts/2fa/totp/activate")
    if "/accounts/reauthenticate/" in page.url:  # sensitive change: password again
        page.fill("input[name=password]", PASSWORD)
        submit(page)
        page.wait_for_url(re.compile(r"/accounts/2fa/totp/activate"))
    secret = page.input_value("#authenticator_secret")
    shot(page, f"{lang}-03-totp")
    page.fill("input[name=code]", totp(secret))
    submit(page)
    page.wait_for_load_state()
    assert SecurityEvent.objects.filter(user__email=email, kind=EventKind.MFA_ADDED).exists()

    # Log out, log in again: password, then a code.
    page.locator("header form[action$='/accounts/logout/'] button").click()
    page.wait_for_load_state()
    page.goto(base + "/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", PASSWORD)
    submit(page)
    page.wait_for_url(re.compile(r"/accounts/2fa/authenticate/"))
    shot(page, f"{lang}-04-login-code")
    page.fill("input[name=code]", totp(secret))
    submit(page)
    page.wait_for_url(re.compile(r"/domains/"))

    # Search, add to the cart, pay from the balance.
    page.goto(base + "/search/")
    page.fill("input[name=q]", name)
    submit(page)
    row = page.locator("#results tr", has_text=name)
    assert row.count() == 1
    shot(page, f"{lang}-05-search")
    row.locator("form[action$='/cart/add/'] button").click()
    page.wait_for_url(re.compile(r"/cart/"))
    page.select_option("select[name=registrant]", index=1)
    shot(page, f"{lang}-06-cart")
    page.locator("form[action$='/cart/checkout/'] button").click()
    page.wait_for_url(re.compile(r"/domains/$"))
    assert page.locator("#domains", has_text=name).count() == 1
    shot(page, f"{lang}-07-domains")

    # Name servers, then the transfer code.
    page.locator("#domains a", has_text=name).click()
    page.fill("textarea[name=nameservers]", "ns1.example.net\nns2.example.net")
    page.locator("form[action$='/nameservers/'] button").click()
    page.wait_for_load_state()
    assert "ns2.example.net" in page.inner_text("#nameservers")
    heading = {"en": "Name servers", "fr": "Serveurs de noms"}[lang]
    assert heading in page.inner_text("#h-ns")
    domain = Domain.objects.get(name=name)
    assert domain.nameservers == ["ns1.example.net", "ns2.example.net"]
    page.locator("form[action$='/auth-code/'] button").click()
    page.wait_for_load_state()
    assert page.inner_text("#auth-code").strip() == domain.auth_info
    shot(page, f"{lang}-08-domain")
    assert SecurityEvent.objects.filter(kind=EventKind.AUTH_CODE_REVEALED,
                                        organisation=organisation).count() == 1

    # The same page on a phone.
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{base}/domains/{domain.pk}/")
    shot(page, f"{lang}-09-domain-phone")
    context.close()


def test_passkey_added_then_used_to_log_in(browser: Any, live_server: Any, settings: Any,
                                           transactional_db: Any) -> None:
    """WebAuthn with Chromium's virtual authenticator (CDP): add a passkey, log out, log in
    with the passkey alone."""
    from allauth.mfa.models import Authenticator

    from .conftest import PASSWORD as FIXTURE_PASSWORD
    from .conftest import make_organisation, make_person

    settings.MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = True  # http://localhost in the tests
    person = make_person("dominique@example.org")
    make_organisation("Atelier D", "atelier-d", person)
    base = live_server.url
    context = browser.new_context(locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(20_000)
    cdp = context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send("WebAuthn.addVirtualAuthenticator", {"options": {
        "protocol": "ctap2", "transport": "internal", "hasResidentKey": True,
        "hasUserVerification": True, "isUserVerified": True}})

    page.goto(base + "/accounts/login/")
    page.fill("input[name=login]", person.email)
    page.fill("input[name=password]", FIXTURE_PASSWORD)
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url(re.compile(r"/domains/"))
    page.goto(base + "/accounts/2fa/webauthn/add/")
    if "/accounts/reauthenticate/" in page.url:
        page.fill("input[name=password]", FIXTURE_PASSWORD)
        page.locator("main form button[type=submit]").first.click()
    page.fill("input[name=name]", "Laptop")
    page.check("input[name=passwordless]")
    page.click("#mfa_webauthn_add")
    page.wait_for_url(lambda url: "/webauthn/add" not in url)
    assert Authenticator.objects.filter(user=person,
                                        type=Authenticator.Type.WEBAUTHN).exists()
    shot(page, "en-10-passkey-added")

    page.locator("header form[action$='/accounts/logout/'] button").click()
    page.wait_for_load_state()
    page.goto(base + "/accounts/login/")
    page.click("#passkey_login")
    page.wait_for_url(re.compile(r"/domains/"))
    assert "Atelier D" in page.inner_text("header")
    context.close()


def test_a_transfer_code_after_the_password_again(browser: Any, live_server: Any,
                                                  transactional_db: Any, tld: Any) -> None:
    """A session whose login is older than a few minutes: revealing the transfer code leads
    to allauth's re-authentication page, then, once the password is entered, to the code."""
    from django.conf import settings

    from .conftest import PASSWORD as FIXTURE_PASSWORD
    from .conftest import client_for, make_domain, make_organisation, make_person

    person = make_person("eugenie@example.org")
    domain = make_domain(make_organisation("Atelier E", "atelier-e", person), tld, "echo.test")
    session = client_for(person, ago=3600).cookies[settings.SESSION_COOKIE_NAME].value
    context = browser.new_context(locale="en-GB")
    context.add_cookies([
        {"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url},
        {"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": live_server.url}])
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.goto(f"{live_server.url}/domains/{domain.pk}/")
    page.locator("form[action$='/auth-code/'] button").click()
    page.wait_for_url(re.compile(r"/accounts/reauthenticate/"))
    assert page.locator("#auth-code").count() == 0
    shot(page, "en-11-reauthenticate")
    page.fill("input[name=password]", FIXTURE_PASSWORD)
    submit(page)
    page.wait_for_load_state()
    assert page.inner_text("#auth-code").strip() == "Secret-Code-123"
    assert SecurityEvent.objects.filter(kind=EventKind.AUTH_CODE_REVEALED,
                                        user=person).count() == 1
    context.close()


@pytest.mark.parametrize(("lang", "width"), [("en", 1280), ("fr", 390)])
def test_a_visitor_searches_from_the_landing_page_and_signs_up(
        browser: Any, live_server: Any, sandbox_registry: Registry, lang: str, width: int
) -> None:
    """Logged out: the landing page's search box answers with prices, and signing up leads
    back to the same search with the name ready to add to the cart; at phone width too."""
    base = live_server.url
    email = f"visiteur.{lang}@example.org"
    name = f"visite-{lang}-{int(time.time())}"
    context = browser.new_context(locale="fr-FR" if lang == "fr" else "en-GB",
                                  viewport={"width": width, "height": 900})
    page = context.new_page()
    page.set_default_timeout(20_000)

    def fits() -> None:
        """No page is wider than the viewport (the overflowing elements, if one is)."""
        wider = page.evaluate(
            "() => [...document.querySelectorAll('body *')].filter(e => "
            "e.getBoundingClientRect().right > document.documentElement.clientWidth + 0.5)"
            ".map(e => e.tagName + '.' + e.className).slice(0, 10)")
        assert page.evaluate("document.documentElement.scrollWidth") <= width, (page.url, wider)

    page.goto(base + "/")
    if page.locator("html").get_attribute("lang") != lang:
        page.select_option("#lang-switch", lang)
        page.locator("form.lang-switcher button").click()
        page.wait_for_load_state()
    assert page.locator("#prices").is_visible()
    fits()
    shot(page, f"visitor-{lang}-{width}-01-home")
    page.fill("main input[name=q]", name)
    page.locator("main form[role=search] button[type=submit]").click()
    page.wait_for_url(re.compile(r"/search/\?q="))
    assert page.locator("#results").get_by_text(f"{name}.test").first.is_visible()
    fits()
    shot(page, f"visitor-{lang}-{width}-02-search")

    page.locator("#visitor-next a.button").first.click()
    page.wait_for_url(re.compile(r"/accounts/signup/"))
    page.fill("input[name=email]", email)
    page.fill("input[name=password1]", PASSWORD)
    page.fill("input[name=password2]", PASSWORD)
    submit(page)
    page.wait_for_url(re.compile(r"/accounts/confirm-email/"))
    message = [m for m in mail.outbox if email in m.to][-1]
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+", str(message.body))
    assert link is not None, message.body
    page.goto(link.group(0))
    submit(page)
    page.wait_for_url(re.compile(r"/organisations/new/"))
    page.fill("input[name=name]", f"Visite {lang}")
    submit(page)
    page.wait_for_url(re.compile(rf"/search/\?q={name}"))
    add = page.locator("#results form button[type=submit]").first
    assert add.is_visible()
    fits()
    shot(page, f"visitor-{lang}-{width}-03-back-to-search")
    context.close()
