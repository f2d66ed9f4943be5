"""Card payments through a provider's hosted checkout page: one interface, one provider.

**Stripe Checkout**, with Stripe's official SDK (``stripe``): its webhooks are signed
(HMAC-SHA256 over the timestamp and the body, checked by the SDK with a tolerance against
replays), so the endpoint can trust what it reads, and its API base is a setting, so the
tests drive the real SDK against a local stand-in. Mollie (popular in Europe, also a good
choice) sends unsigned webhooks carrying only an id that must be fetched back.

Without credentials (``BUREAU_PAYMENTS_STRIPE_SECRET_KEY``) ``provider()`` is None and the
portal does not offer cards."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import urlsplit

from . import conf


class BadSignature(Exception):
    """The webhook's signature does not verify (forged, altered or too old)."""


@dataclass(frozen=True)
class Checkout:
    id: str
    url: str


@dataclass(frozen=True)
class ProviderEvent:
    id: str
    kind: str  # "paid", "refunded", "disputed" or "other"
    checkout_id: str = ""
    payment_id: str = ""
    raw_type: str = ""


class CardProvider(Protocol):
    name: str
    # Where the person is sent to pay: the portal's pages let their forms lead there
    # (Content-Security-Policy form-action; browsers check it on the redirect too).
    checkout_origin: str

    def checkout(self, *, amount: int, currency: str, reference: str, email: str,
                 success_url: str, cancel_url: str) -> Checkout: ...

    def event(self, payload: bytes, signature: str) -> ProviderEvent: ...


class Stripe:
    name = "stripe"

    def __init__(self, secret_key: str, webhook_secret: str, api_base: str = "") -> None:
        import stripe

        self.webhook_secret = webhook_secret
        kwargs: dict[str, Any] = {"max_network_retries": 2}
        # Stripe's hosted page; a stand-in serves its page where it answers the API.
        self.checkout_origin = "https://checkout.stripe.com"
        if api_base:
            kwargs["base_addresses"] = {"api": api_base}
            parts = urlsplit(api_base)
            self.checkout_origin = f"{parts.scheme}://{parts.netloc}"
        self.client = stripe.StripeClient(secret_key, **kwargs)

    def checkout(self, *, amount: int, currency: str, reference: str, email: str,
                 success_url: str, cancel_url: str) -> Checkout:
        params: Any = {
            "mode": "payment", "success_url": success_url, "cancel_url": cancel_url,
            "client_reference_id": reference,
            "line_items": [{"quantity": 1, "price_data": {
                "currency": currency.lower(), "unit_amount": amount,
                "product_data": {"name": f"Bureau top-up {reference}"}}}],
            "metadata": {"reference": reference},
        }
        if email:
            params["customer_email"] = email
        session = self.client.v1.checkout.sessions.create(
            params=params, options={"idempotency_key": f"checkout-{reference}"})
        return Checkout(id=session.id, url=str(session.url))

    def event(self, payload: bytes, signature: str) -> ProviderEvent:
        import stripe

        try:
            event = self.client.construct_event(payload, signature, self.webhook_secret)
        except (stripe.SignatureVerificationError, ValueError) as exc:
            raise BadSignature(str(exc)) from exc
        obj = event.data.object.to_dict()
        kind = "other"
        checkout_id = payment_id = ""
        if event.type in ("checkout.session.completed",
                          "checkout.session.async_payment_succeeded"):
            checkout_id = obj.get("id", "")
            payment_id = obj.get("payment_intent") or ""
            kind = "paid" if obj.get("payment_status") == "paid" else "other"
        elif event.type == "charge.refunded":
            kind, payment_id = "refunded", obj.get("payment_intent") or ""
        elif event.type == "charge.dispute.created":
            kind, payment_id = "disputed", obj.get("payment_intent") or ""
        return ProviderEvent(id=event.id, kind=kind, checkout_id=checkout_id,
                             payment_id=payment_id, raw_type=event.type)


def provider() -> CardProvider | None:
    if not conf.stripe_secret_key():
        return None
    return Stripe(conf.stripe_secret_key(), conf.stripe_webhook_secret(),
                  conf.stripe_api_base())
