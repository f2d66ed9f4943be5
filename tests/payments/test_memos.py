"""The memos Bureau writes on the ledger read in the page's language on the balance page: an
order credited back because nothing reached the registry, a card payment, a direct-debit
collection; a share payment's memo the same way. A person's own words stay as written."""

from __future__ import annotations

import io
from datetime import date
from html import unescape
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client
from django.utils import translation

from bureau.banking import reference as rf
from bureau.banking.testing import Movement, camt053
from bureau.coop.models import College, SharePayment
from bureau.coop.operations import membership
from bureau.payments.operations import debits, statements
from bureau.registrar.accounts.models import Organisation
from bureau.registrar.billing import ledger, orders
from bureau.registrar.domains.models import Operation
from bureau.web.memos import memo_text

from .stripe_standin import SECRET_KEY, WEBHOOK_SECRET, stripe_standin

pytestmark = pytest.mark.sqlite
IBAN = "DE89 3704 0044 0532 0130 00"
ENGLISH_MEMOS = ("Card payment", "Direct debit", "could not be reached", "nothing was sent",
                 "Member #", "Bank transfer")


def page(user: User, language: str) -> str:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return unescape(client.get("/balance/").content.decode())


def test_bureau_s_memos_read_in_the_page_language(
        organisation: Organisation, user: User, staff: User, settings: Any,
        django_capture_on_commit_callbacks: Any) -> None:
    ledger.top_up(organisation, 5000, "EUR", memo="virement de Camille, merci !")
    # An order charged, then credited back: the registry could not be reached.
    order = orders.place(organisation=organisation, user=user, operation=Operation.CREATE,
                         domain_name="injoignable.test", amount=1000, currency="EUR")
    orders.fail(order, message="the registry could not be reached, nothing was sent: "
                               "connection refused")
    # A card payment, written while the site speaks French (a webhook has no reader).
    with stripe_standin() as stripe, translation.override("fr"):
        settings.BUREAU_PAYMENTS_STRIPE_SECRET_KEY = SECRET_KEY
        settings.BUREAU_PAYMENTS_STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
        settings.BUREAU_PAYMENTS_STRIPE_API_BASE = stripe.url
        client = Client()
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        client.post("/balance/card/", {"amount": "25.00"})
        [session] = stripe.sessions.values()
        body, signature = stripe.pay(session["id"])
        with django_capture_on_commit_callbacks(execute=True):
            assert Client().post("/payments/stripe/webhook/", body,
                                 content_type="application/json",
                                 HTTP_STRIPE_SIGNATURE=signature).content == b"credited\n"
    # A direct-debit collection, its statement read in English.
    debits.sign_mandate(organisation, user, holder="Camille Martin", iban=IBAN, accepted=True)
    collection = debits.announce(organisation, 1200, text="Recharge")
    debits.make_file(by=staff, horizon_days=30)
    with django_capture_on_commit_callbacks(execute=True):
        statements.import_statement(io.BytesIO(camt053(
            [Movement("DD1", 1200, end_to_end=collection.end_to_end)], statement_id="A")),
            filename="day.xml", by=staff)
    assert ledger.balance(organisation, "EUR") == 5000 + 2500 + 1200

    french, english = page(user, "fr"), page(user, "en")
    assert "virement de Camille, merci !" in french and "virement de Camille, merci !" in english
    assert "le registre n’a pas pu être joint : rien n’a été envoyé" in french
    assert "the registry could not be reached: nothing was sent" in english
    assert f"Paiement par carte {session['id']}" in french
    assert f"Card payment {session['id']}" in english
    assert f"Prélèvement {collection.end_to_end} du " in french
    assert f"Direct debit {collection.end_to_end} of " in english
    for words in ENGLISH_MEMOS:
        assert words not in french, words
    assert "Paiement par carte" not in english and "Prélèvement" not in english


def test_a_share_payment_s_memo_reads_in_the_reader_s_language(
        user: User, staff: User, django_capture_on_commit_callbacks: Any) -> None:
    college = College.objects.get_or_create(code="customers",
                                            defaults={"name": "Clients", "position": 2})[0]
    member = membership.join(user, college, 1, name="Camille")
    with django_capture_on_commit_callbacks(execute=True):
        statements.import_statement(io.BytesIO(camt053(
            [Movement("SH1", 2000, reference=rf.make(rf.SHARE, member.number),
                      booked_on=date(2026, 3, 2))], statement_id="S")),
            filename="day.xml", by=staff)
    memo = SharePayment.objects.get(member=member).journal.memo
    with translation.override("fr"):
        french = memo_text(memo)
    with translation.override("en"):
        english = memo_text(memo)
    assert french.startswith(f"Associé·e numéro {member.number} : Virement du 2 mars 2026")
    assert english.startswith(f"Member number {member.number}: Bank transfer of March 2, 2026")
    for words in ENGLISH_MEMOS:
        assert words not in french, words
