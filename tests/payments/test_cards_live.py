"""Card payment against Stripe's own test mode: the real SDK, the real API, no stand-in.

Run only when asked, because it needs the network and a Stripe account:

    BUREAU_TEST_STRIPE_LIVE=1 BUREAU_PAYMENTS_STRIPE_SECRET_KEY=sk_test_... \\
    BUREAU_PAYMENTS_STRIPE_WEBHOOK_SECRET=whsec_... \\
    .venv/bin/pytest tests/payments/test_cards_live.py

Asked without test-mode credentials, or with Stripe out of reach, it fails saying which; a
live key (``sk_live_``) is refused: a test never moves real money."""

from __future__ import annotations

import json
import os
import time
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from bureau.payments import card
from bureau.payments.models import CardPayment, CardState
from bureau.payments.operations import cards
from bureau.registrar.accounts.models import Organisation
from bureau.registrar.billing import ledger

ASKED = os.environ.get("BUREAU_TEST_STRIPE_LIVE") == "1"

pytestmark = pytest.mark.skipif(
    not ASKED, reason="reaches Stripe's test mode: run it with BUREAU_TEST_STRIPE_LIVE=1 and "
    "test-mode credentials (see this file's docstring and docs/payments.md)")


def test_a_checkout_in_stripe_test_mode_is_credited_by_its_signed_event(
        organisation: Organisation, user: User, settings: Any,
        django_capture_on_commit_callbacks: Any) -> None:
    import stripe

    key = os.environ.get("BUREAU_PAYMENTS_STRIPE_SECRET_KEY", "")
    secret = os.environ.get("BUREAU_PAYMENTS_STRIPE_WEBHOOK_SECRET", "")
    if not key.startswith("sk_test_") or not secret.startswith("whsec_"):
        pytest.fail("Stripe's test mode was asked for (BUREAU_TEST_STRIPE_LIVE=1) but "
                    "BUREAU_PAYMENTS_STRIPE_SECRET_KEY is not a test-mode secret key "
                    "(sk_test_..., from the Stripe dashboard in test mode) or "
                    "BUREAU_PAYMENTS_STRIPE_WEBHOOK_SECRET is not a webhook signing secret "
                    "(whsec_...): set both; a live key is never used by a test")
    settings.BUREAU_PAYMENTS_STRIPE_SECRET_KEY = key
    settings.BUREAU_PAYMENTS_STRIPE_WEBHOOK_SECRET = secret
    settings.BUREAU_PAYMENTS_STRIPE_API_BASE = ""  # Stripe's own API
    try:
        payment, url = cards.start(organisation, user, 500,
                                   success_url="https://bureau.invalid/balance/?card=done",
                                   cancel_url="https://bureau.invalid/balance/")
    except stripe.APIConnectionError as exc:
        pytest.fail(f"Stripe's API cannot be reached from this machine ({exc}): run this "
                    "test where the network reaches api.stripe.com")
    assert url.startswith("https://checkout.stripe.com/")
    provider = card.provider()
    assert isinstance(provider, card.Stripe)
    session = provider.client.v1.checkout.sessions.retrieve(payment.checkout_id)
    assert session.amount_total == 500 and session.currency == "eur"
    # Stripe cannot call back this machine: the event it would send is signed here with
    # the endpoint's real secret, by the SDK's own scheme, and posted to the webhook.
    body = json.dumps({"id": f"evt_live_{payment.pk}_{int(time.time())}", "object": "event",
                       "type": "checkout.session.completed", "data": {"object": {
                           **session.to_dict(), "payment_status": "paid",
                           "payment_intent": "pi_test"}}})
    with django_capture_on_commit_callbacks(execute=True):
        answer = Client().post(
            "/payments/stripe/webhook/", body.encode(), content_type="application/json",
            HTTP_STRIPE_SIGNATURE=stripe.WebhookSignature.generate_signature_header(
                body, secret))
    assert answer.content == b"credited\n"
    payment.refresh_from_db()
    assert payment.state == CardState.PAID and ledger.balance(organisation, "EUR") == 500
    assert CardPayment.objects.count() == 1
