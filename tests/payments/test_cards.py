"""Card top-ups through Stripe Checkout: Stripe's own SDK against a local stand-in of its
API, webhooks signed with the SDK's scheme. Credited only on "paid", once; refunds and
disputes take it back; bad signatures and replays change nothing; no credentials, no card."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from bureau.payments.models import CardPayment, CardState
from bureau.registrar.accounts.models import Organisation
from bureau.registrar.billing import ledger

from .stripe_standin import SECRET_KEY, WEBHOOK_SECRET, StandIn, stripe_standin

pytestmark = pytest.mark.sqlite


@pytest.fixture
def stripe(settings: Any) -> Iterator[StandIn]:
    with stripe_standin() as standin:
        settings.BUREAU_PAYMENTS_STRIPE_SECRET_KEY = SECRET_KEY
        settings.BUREAU_PAYMENTS_STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
        settings.BUREAU_PAYMENTS_STRIPE_API_BASE = standin.url
        yield standin


def hook(body: bytes, signature: str) -> Any:
    return Client().post("/payments/stripe/webhook/", body, content_type="application/json",
                         HTTP_STRIPE_SIGNATURE=signature)


def test_pay_by_card_credits_once_on_the_paid_event(
        stripe: StandIn, organisation: Organisation, user: User, client: Any,
        django_capture_on_commit_callbacks: Any) -> None:
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    page = client.get("/balance/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'id="card-top-up"' in page
    response = client.post("/balance/card/", {"amount": "25.00"})
    # Off to the provider's page, for the amount asked.
    [session] = stripe.sessions.values()
    assert response.status_code == 302 and response["Location"] == session["url"]
    assert session["amount_total"] == 2500 and session["currency"] == "eur"
    assert session["customer_email"] == user.email
    payment = CardPayment.objects.get()
    assert payment.state == CardState.OPEN and ledger.balance(organisation, "EUR") == 0
    # Coming back to the success page credits nothing: only the provider's word does.
    client.get("/balance/?card=done")
    assert ledger.balance(organisation, "EUR") == 0
    body, signature = stripe.pay(session["id"], event_id="evt_paid_1")
    with django_capture_on_commit_callbacks(execute=True):
        assert hook(body, signature).content == b"credited\n"
    assert ledger.balance(organisation, "EUR") == 2500
    # The same event again (Stripe retries): nothing more.
    assert hook(body, signature).content == b"duplicate\n"
    assert ledger.balance(organisation, "EUR") == 2500
    # A forged or altered event: refused, nothing changes.
    forged = body.replace(b"2500", b"9999")
    assert hook(forged, signature).status_code == 400
    assert hook(body, "t=1,v1=deadbeef").status_code == 400
    # Refunded at the provider: the credit is taken back, once.
    body, signature = stripe.refund(session["id"])
    assert hook(body, signature).content == b"reversed\n"
    assert ledger.balance(organisation, "EUR") == 0
    payment.refresh_from_db()
    assert payment.state == CardState.REFUNDED
    assert ledger.verify_balances() == []


def test_an_unpaid_completion_credits_nothing(stripe: StandIn, organisation: Organisation,
                                              user: User, client: Any) -> None:
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    client.post("/balance/card/", {"amount": "10"})
    [session] = stripe.sessions.values()
    body, signature = stripe.event("checkout.session.completed",
                                   {**session, "status": "complete",
                                    "payment_status": "unpaid"})
    assert hook(body, signature).content == b"ignored\n"
    assert ledger.balance(organisation, "EUR") == 0


def test_without_credentials_cards_are_hidden(organisation: Organisation, user: User,
                                              client: Any) -> None:
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    assert 'id="card-top-up"' not in client.get("/balance/").content.decode()
    assert hook(b"{}", "t=1,v1=x").status_code == 404
    client.post("/balance/card/", {"amount": "10"})
    assert not CardPayment.objects.exists()
