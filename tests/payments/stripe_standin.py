"""A local stand-in for Stripe's API, as its documentation describes it: what Bureau's card
payments use (creating a Checkout Session), form-encoded requests with a Bearer secret key,
JSON objects back, errors as ``{"error": {...}}``. And Stripe's side of webhooks: events
signed with the Stripe SDK's own scheme (``Stripe-Signature: t=...,v1=...``)."""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

import stripe

SECRET_KEY = "sk_test_bureau_standin"
WEBHOOK_SECRET = "whsec_bureau_standin"


@dataclass
class StandIn:
    url: str
    sessions: dict[str, dict[str, Any]] = field(default_factory=dict)
    idempotency: dict[str, str] = field(default_factory=dict)

    def event(self, kind: str, obj: dict[str, Any], event_id: str = "") -> tuple[bytes, str]:
        """A webhook body and its Stripe-Signature header."""
        body = json.dumps({
            "id": event_id or f"evt_{uuid.uuid4().hex[:24]}", "object": "event",
            "api_version": "2025-01-27.acacia", "created": int(time.time()), "type": kind,
            "livemode": False, "pending_webhooks": 1, "request": {"id": None},
            "data": {"object": obj}})
        return body.encode(), stripe.WebhookSignature.generate_signature_header(
            body, WEBHOOK_SECRET)

    def pay(self, session_id: str, event_id: str = "") -> tuple[bytes, str]:
        session = self.sessions[session_id]
        session.update(status="complete", payment_status="paid",
                       payment_intent=f"pi_{uuid.uuid4().hex[:24]}")
        return self.event("checkout.session.completed", session, event_id)

    def refund(self, session_id: str) -> tuple[bytes, str]:
        session = self.sessions[session_id]
        return self.event("charge.refunded", {
            "id": f"ch_{uuid.uuid4().hex[:24]}", "object": "charge", "refunded": True,
            "amount": session["amount_total"], "amount_refunded": session["amount_total"],
            "payment_intent": session["payment_intent"]})


def nested(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    """Stripe's form encoding (``line_items[0][price_data][currency]=eur``) as objects."""
    out: dict[str, Any] = {}
    for key, value in pairs:
        parts = key.replace("]", "").split("[")
        node = out
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
    return out


@contextmanager
def stripe_standin() -> Iterator[StandIn]:
    state: StandIn

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def reply(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Request-Id", f"req_{uuid.uuid4().hex[:14]}")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self) -> None:
            if self.headers.get("Authorization") != f"Bearer {SECRET_KEY}":
                self.reply(401, {"error": {"type": "invalid_request_error",
                                           "message": "Invalid API Key provided"}})
                return
            body = self.rfile.read(int(self.headers.get("Content-Length", "0"))).decode()
            params = nested(parse_qsl(body, keep_blank_values=True))
            if self.path != "/v1/checkout/sessions":
                self.reply(404, {"error": {"type": "invalid_request_error",
                                           "message": f"Unrecognized request URL {self.path}"}})
                return
            key = self.headers.get("Idempotency-Key", "")
            if key and key in state.idempotency:
                self.reply(200, state.sessions[state.idempotency[key]])
                return
            items = params.get("line_items", {})
            item = items.get("0", {}) if isinstance(items, dict) else {}
            price = item.get("price_data", {})
            if params.get("mode") != "payment" or not price.get("unit_amount"):
                self.reply(400, {"error": {"type": "invalid_request_error",
                                           "message": "Missing required param: line_items"}})
                return
            amount = int(price["unit_amount"]) * int(item.get("quantity", "1"))
            session_id = f"cs_test_{uuid.uuid4().hex[:24]}"
            session = {
                "id": session_id, "object": "checkout.session", "mode": "payment",
                "status": "open", "payment_status": "unpaid", "amount_total": amount,
                "currency": price.get("currency"), "payment_intent": None,
                "client_reference_id": params.get("client_reference_id"),
                "customer_email": params.get("customer_email"),
                "metadata": params.get("metadata", {}),
                "success_url": params.get("success_url"),
                "cancel_url": params.get("cancel_url"),
                "url": f"{state.url}/c/pay/{session_id}", "livemode": False}
            state.sessions[session_id] = session
            if key:
                state.idempotency[key] = session_id
            self.reply(200, session)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state = StandIn(url=f"http://127.0.0.1:{server.server_address[1]}")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
