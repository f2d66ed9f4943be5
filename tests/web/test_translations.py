"""French pages show no English message of Bureau's catalogue (tests/catalogue.py), on the
pages of a member with names, contacts, money and history; the same pages in English are
the proof that the check finds what it looks for. (The browser journey, tests/dns/
test_journey.py, checks every page it visits in French the same way.)"""

from __future__ import annotations

import re
from html import unescape

import pytest
from catalogue import untranslated
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client

from bureau.registrar.accounts.models import Organisation
from bureau.registrar.billing import ledger
from bureau.registrar.domains.models import Domain, DomainEvent, Operation, Outcome

from .conftest import client_for

pytestmark = [pytest.mark.django_db]


def pages(domain: Domain) -> list[str]:
    return ["/", "/search/?q=nouveau", "/domains/", f"/domains/{domain.pk}/", "/contacts/",
            "/contacts/new/", "/balance/", "/account/", "/account/tokens/", "/account/close/",
            "/organisation/", "/organisation/security/", "/transfer/",
            "/cart/", "/legal/", "/legal/terms/", "/legal/privacy/", "/contact/", "/help/",
            "/notices/fees/", f"/notices/goodbye/{domain.name}/", "/coop/", "/coop/join/",
            "/coop/transparency/"]


def visible_text(html: str) -> str:
    html = re.sub(r"(?s)<(script|style|head)\b.*?</\1>", " ", html)
    return re.sub(r"<[^>]+>", " ", html)


def test_french_pages_are_all_french(alice: User, org_a: Organisation,
                                     domain_a: Domain) -> None:
    ledger.top_up(org_a, 12_345, "EUR", memo="virement")
    french, english = client_for(alice), client_for(alice)
    french.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    caught = 0
    for path in pages(domain_a):
        page = french.get(path, follow=True)
        assert page.status_code == 200, path
        html = page.content.decode()
        assert '<html lang="fr"' in html, path
        assert not untranslated(visible_text(html)), (path, untranslated(visible_text(html)))
        caught += bool(untranslated(visible_text(english.get(path, follow=True)
                                                 .content.decode())))
    assert caught == len(pages(domain_a))  # in English, each page shows Bureau's messages
    balance = visible_text(french.get("/balance/").content.decode())
    assert "123,45" in balance and "123.45" not in balance


def test_a_history_line_by_bureau_itself_is_said_in_the_page_language(
        alice: User, domain_a: Domain) -> None:
    for label in ("reconcile", "auto-renew", "cli"):
        DomainEvent.objects.create(domain=domain_a, domain_name=domain_a.name,
                                   actor_label=label, operation=Operation.UPDATE,
                                   outcome=Outcome.SUCCESS)
    french, english = client_for(alice), client_for(alice)
    french.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    english.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    fr = unescape(visible_text(french.get(f"/domains/{domain_a.pk}/").content.decode()))
    en = unescape(visible_text(english.get(f"/domains/{domain_a.pk}/").content.decode()))
    assert "Bureau (check with the registry)" in en and "Bureau's operator" in en
    assert "Bureau (renouvellement automatique)" in fr
    for code in ("reconcile", "auto-renew", "cli"):
        assert not re.search(rf"\b{code}\b", fr) and not re.search(rf"\b{code}\b", en), code


def test_the_check_names_an_untranslated_message() -> None:
    assert untranslated("Nom : exemple.test — Pris in use. Your balance does not cover "
                        "this transfer yet.") == ["Your balance does not cover this transfer yet"]
    assert untranslated(Client().get("/").content.decode()) == []  # French by default
