"""A payment provider for tests that signs its webhooks the way Stripe does
(`t=<seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`), and the helper that sends one."""

from __future__ import annotations

import itertools
import uuid
from typing import TYPE_CHECKING

import orjson

from rustok.commerce.orders.errors import WebhookPayloadInvalid
from rustok.commerce.orders.payments import (
    PAYMENT_FAILED,
    PAYMENT_SUCCEEDED,
    PaymentRequest,
    WebhookEvent,
    signature_of,
    verify_signature,
)

if TYPE_CHECKING:
    from collections.abc import Mapping
    from datetime import datetime

SIGNATURE_HEADER = "Test-Signature"
PROVIDER = "rustok.testing.payments:SigningTestProvider"
"""What `OrdersSettings.payment_providers` names to run it."""
_KINDS = {"payment_intent.succeeded": PAYMENT_SUCCEEDED, "payment_intent.failed": PAYMENT_FAILED}


class SigningTestProvider:
    """Authorises, captures and refunds everything; reads Stripe-shaped events:
    `{"id": "evt_..", "type": "payment_intent.succeeded", "data": {"object": {"id": "pi_..",
    "amount": 3998, "currency": "eur", "metadata": {"order_id": "..."}}}}`."""

    name = "test"

    def __init__(self, *, tolerance_seconds: int = 300) -> None:
        self.tolerance_seconds = tolerance_seconds
        self._references = itertools.count(1)

    async def authorise(self, request: PaymentRequest) -> str:
        return f"pi_{next(self._references)}"

    async def capture(self, reference: str, amount: int, currency_code: str) -> str:
        return reference

    async def refund(self, reference: str, amount: int, currency_code: str) -> str:
        return f"re_{next(self._references)}"

    def webhook_event(
        self, body: bytes, headers: Mapping[str, str], secret: str, now: datetime
    ) -> WebhookEvent:
        verify_signature(
            headers.get(SIGNATURE_HEADER),
            body,
            secret,
            now=now,
            tolerance_seconds=self.tolerance_seconds,
        )
        try:
            event = orjson.loads(body)
            payment = event["data"]["object"]
            return WebhookEvent(
                event_id=str(event["id"])[:200],
                kind=_KINDS[event["type"]],
                order_id=uuid.UUID(str(payment["metadata"]["order_id"])),
                amount=int(payment["amount"]),
                currency_code=str(payment["currency"]).upper(),
                reference=str(payment["id"])[:200],
            )
        except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
            raise WebhookPayloadInvalid("Not an event this provider sends.") from None


def payment_event(
    order_id: uuid.UUID,
    amount: int,
    currency_code: str = "EUR",
    *,
    event_id: str | None = None,
    kind: str = "payment_intent.succeeded",
) -> bytes:
    """The body of a Stripe-shaped payment event for an order."""
    return orjson.dumps(
        {
            "id": event_id or f"evt_{uuid.uuid4().hex}",
            "type": kind,
            "data": {
                "object": {
                    "id": f"pi_{uuid.uuid4().hex[:12]}",
                    "amount": amount,
                    "currency": currency_code.lower(),
                    "metadata": {"order_id": str(order_id)},
                }
            },
        }
    )


def signed_headers(body: bytes, secret: str, timestamp: int) -> dict[str, str]:
    """The signature header of `body` sent at `timestamp` (unix seconds)."""
    return {SIGNATURE_HEADER: f"t={timestamp},v1={signature_of(body, secret, timestamp)}"}
