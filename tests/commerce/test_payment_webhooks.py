"""`POST /api/commerce/payments/{provider}/webhook` with a provider that signs like Stripe: a
good delivery pays the order once, whatever is replayed, forged, stale, oversized or aimed at
another tenant's order moves nothing."""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING, Any

import pytest

from rustok.commerce.orders.models import Payment, PaymentEvent
from rustok.testing.payments import PROVIDER, payment_event, signed_headers
from tests.commerce.conftest import count, events
from tests.commerce.ordering import P, move, placed_order

if TYPE_CHECKING:
    import httpx

    from rustok.bootstrap import Container
    from rustok.core.settings import Settings

SECRET = "whsec_test_acme"
URL = f"{P}/payments/test/webhook"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    orders = {"payment_providers": [PROVIDER], "webhook_secrets": {"test:acme": SECRET}}
    modules = {**settings.modules, "commerce_orders": orders}
    return settings.model_copy(update={"modules": modules})


def _signed(body: bytes, *, secret: str = SECRET, at: int | None = None) -> dict[str, str]:
    return signed_headers(body, secret, int(time.time()) if at is None else at)


async def _send(
    http: httpx.AsyncClient, tenant_headers: dict[str, str], body: bytes, **kw: Any
) -> httpx.Response:
    headers = {
        **tenant_headers,
        **_signed(body, **kw),
        "Content-Type": "application/json",
    }
    return await http.post(URL, content=body, headers=headers)


async def test_a_signed_payment_event_pays_a_pending_order_once(
    http: httpx.AsyncClient,
    admin: dict[str, str],
    customer: dict[str, str],
    anonymous: dict[str, str],
    container: Container,
) -> None:
    order = await placed_order(http, admin, customer)
    body = payment_event(order["id"], 5997, event_id="evt_1")

    first = await _send(http, anonymous, body)
    again = await _send(http, anonymous, body)

    assert first.status_code == again.status_code == 200
    assert first.json() == {"status": "processed", "order_id": order["id"], "order_status": "paid"}
    assert again.json()["status"] == "duplicate"
    got = (await http.get(f"{P}/orders/{order['id']}", headers=admin)).json()
    assert (got["status"], got["paid"]["amount"]) == ("paid", 5997)
    assert [(p["provider"], p["status"]) for p in got["payments"]] == [("test", "captured")]
    assert [e.event_type for e in await events(container, "commerce.order.")] == [
        "commerce.order.placed",
        "commerce.order.confirmed",
        "commerce.order.paid",
    ]
    assert await count(container, PaymentEvent) == 1


async def test_concurrent_deliveries_of_one_event_move_the_order_once(
    http: httpx.AsyncClient,
    admin: dict[str, str],
    customer: dict[str, str],
    anonymous: dict[str, str],
    container: Container,
) -> None:
    order = await placed_order(http, admin, customer)
    await move(http, admin, order["id"], "confirm")
    body = payment_event(order["id"], 5997, event_id="evt_race")

    answers = await asyncio.gather(*(_send(http, anonymous, body) for _ in range(5)))

    statuses = sorted(a.json().get("status", a.json().get("code")) for a in answers)
    assert statuses.count("processed") == 1
    assert await count(container, Payment) == 1
    assert len(await events(container, "commerce.order.paid")) == 1


@pytest.mark.parametrize(
    ("case", "code"),
    [
        ("unsigned", "WEBHOOK_SIGNATURE_INVALID"),
        ("wrong secret", "WEBHOOK_SIGNATURE_INVALID"),
        ("replayed", "WEBHOOK_SIGNATURE_INVALID"),
        ("tampered", "WEBHOOK_SIGNATURE_INVALID"),
    ],
)
async def test_a_forged_or_stale_webhook_is_401_and_moves_nothing(
    case: str,
    code: str,
    http: httpx.AsyncClient,
    admin: dict[str, str],
    customer: dict[str, str],
    anonymous: dict[str, str],
    container: Container,
) -> None:
    order = await placed_order(http, admin, customer)
    body = payment_event(order["id"], 5997)
    headers = {**anonymous, **_signed(body)}
    if case == "unsigned":
        headers = dict(anonymous)
    elif case == "wrong secret":
        headers = {**anonymous, **_signed(body, secret="whsec_guess")}
    elif case == "replayed":
        headers = {**anonymous, **_signed(body, at=int(time.time()) - 301)}
    elif case == "tampered":
        body = body.replace(b"5997", b"0001")

    response = await http.post(URL, content=body, headers=headers)

    assert (response.status_code, response.json()["code"]) == (401, code)
    assert response.headers["content-type"] == "application/problem+json"
    assert await count(container, PaymentEvent) == await count(container, Payment) == 0
    assert len(await events(container, "commerce.order.")) == 1


async def test_bad_payloads_unknown_providers_and_big_bodies_are_refused(
    http: httpx.AsyncClient, anonymous: dict[str, str], container: Container
) -> None:
    garbage = b'{"id": "evt_x", "type": "charge.refunded"}'
    huge = b'{"pad": "' + b"x" * 70_000 + b'"}'

    bad = await _send(http, anonymous, garbage)
    unknown = await http.post(f"{P}/payments/paypal/webhook", content=b"{}", headers=anonymous)
    manual = await http.post(f"{P}/payments/manual/webhook", content=b"{}", headers=anonymous)
    too_big = await _send(http, anonymous, huge)

    assert (bad.status_code, bad.json()["code"]) == (400, "WEBHOOK_PAYLOAD_INVALID")
    assert (unknown.status_code, unknown.json()["code"]) == (404, "PAYMENT_PROVIDER_NOT_FOUND")
    assert (manual.status_code, manual.json()["code"]) == (404, "PAYMENT_PROVIDER_NOT_FOUND")
    assert too_big.status_code == 413
    assert await count(container, PaymentEvent) == 0


async def test_an_amount_that_does_not_settle_the_order_moves_nothing(
    http: httpx.AsyncClient,
    admin: dict[str, str],
    customer: dict[str, str],
    anonymous: dict[str, str],
    container: Container,
) -> None:
    order = await placed_order(http, admin, customer)

    response = await _send(http, anonymous, payment_event(order["id"], 100))

    assert (response.status_code, response.json()["code"]) == (400, "WEBHOOK_PAYLOAD_INVALID")
    assert await count(container, PaymentEvent) == await count(container, Payment) == 0
