"""Payment providers: the protocol a provider implements, the built-in `manual` one, the signed
webhook scheme and the registry the service looks providers up in.

A webhook is signed the way Stripe signs: the header holds `t=<unix seconds>,v1=<hex>` where
the hex is HMAC-SHA256 over `"<t>.<raw body>"` with the provider's secret for the tenant.
`verify_signature` compares in constant time and refuses a timestamp outside the tolerance
(a replay of an old delivery) before anything reads the body.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from rustok.commerce.orders.errors import PaymentProviderNotFound, WebhookSignatureInvalid

if TYPE_CHECKING:
    import uuid
    from collections.abc import Mapping
    from datetime import datetime


@dataclass(frozen=True, slots=True)
class PaymentRequest:
    order_id: uuid.UUID
    number: int
    amount: int
    currency_code: str


@dataclass(frozen=True, slots=True)
class WebhookEvent:
    """A provider's webhook, verified and read: `kind` is `payment_succeeded` or
    `payment_failed`; the order is named by its id as checkout handed it to the provider."""

    event_id: str
    kind: str
    order_id: uuid.UUID
    amount: int
    currency_code: str
    reference: str


PAYMENT_SUCCEEDED = "payment_succeeded"
PAYMENT_FAILED = "payment_failed"


class PaymentProvider(Protocol):
    """What the order service needs of a payment provider. Each call answers the provider's
    reference of the payment (or refund) it made; a refusal raises a DomainError."""

    @property
    def name(self) -> str: ...

    async def authorise(self, request: PaymentRequest) -> str:
        """Authorise `request.amount`; the reference of the authorisation."""
        ...

    async def capture(self, reference: str, amount: int, currency_code: str) -> str:
        """Capture an authorised payment."""
        ...

    async def refund(self, reference: str, amount: int, currency_code: str) -> str:
        """Refund part or all of a captured payment; the refund's reference."""
        ...

    def webhook_event(
        self, body: bytes, headers: Mapping[str, str], secret: str, now: datetime
    ) -> WebhookEvent:
        """Verify a webhook delivery (signature and timestamp) and read it."""
        ...


class ManualProvider:
    """Offline payments (bank transfer, cash on delivery) recorded by staff: every call
    succeeds and is recorded; it sends no webhooks."""

    name = "manual"

    async def authorise(self, request: PaymentRequest) -> str:
        return f"manual-{request.number}"

    async def capture(self, reference: str, amount: int, currency_code: str) -> str:
        return reference

    async def refund(self, reference: str, amount: int, currency_code: str) -> str:
        return f"{reference}-refund"

    def webhook_event(
        self, body: bytes, headers: Mapping[str, str], secret: str, now: datetime
    ) -> WebhookEvent:
        raise PaymentProviderNotFound("The manual provider sends no webhooks.")


def signature_of(body: bytes, secret: str, timestamp: int) -> str:
    """The `v1` hex signature of `body` sent at `timestamp`."""
    signed = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def verify_signature(
    header: str | None, body: bytes, secret: str, *, now: datetime, tolerance_seconds: int
) -> None:
    """Refuse (`WEBHOOK_SIGNATURE_INVALID`) a missing or malformed header, a timestamp more
    than `tolerance_seconds` away from `now`, or no `v1` signature matching in constant time."""
    if not header:
        raise WebhookSignatureInvalid("The webhook carries no signature header.")
    timestamp: int | None = None
    signatures: list[str] = []
    for part in header.split(",")[:16]:
        key, _, value = part.strip().partition("=")
        if key == "t" and value.isdigit() and len(value) <= 12:
            timestamp = int(value)
        elif key == "v1":
            signatures.append(value)
    if timestamp is None or not signatures:
        raise WebhookSignatureInvalid("The signature header must be 't=<seconds>,v1=<hex>'.")
    if abs(now.timestamp() - timestamp) > tolerance_seconds:
        raise WebhookSignatureInvalid(
            f"The webhook's timestamp is more than {tolerance_seconds} s away (a replay?)."
        )
    expected = signature_of(body, secret, timestamp)
    if not any(hmac.compare_digest(expected, candidate) for candidate in signatures):
        raise WebhookSignatureInvalid("No webhook signature matches.")


class PaymentProviders:
    """The providers a deployment runs, by name; `manual` is always there. A plug-in (or a
    test) adds its own with `add`."""

    def __init__(self) -> None:
        self._providers: dict[str, PaymentProvider] = {}
        self.add(ManualProvider())

    def add(self, provider: PaymentProvider) -> None:
        self._providers[provider.name] = provider

    def get(self, name: str) -> PaymentProvider:
        provider = self._providers.get(name)
        if provider is None:
            raise PaymentProviderNotFound(f"No payment provider is called {name!r}.")
        return provider

    def names(self) -> list[str]:
        return sorted(self._providers)
