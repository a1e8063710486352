"""Tenants are walls for orders: another tenant's order, cart or webhook target answers 404 and
nothing of either tenant changes."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import pytest

from rustok.commerce.orders.models import Order, PaymentEvent
from rustok.testing.payments import PROVIDER, payment_event, signed_headers
from tests.commerce.conftest import count, events
from tests.commerce.ordering import P, cart_with, checkout, placed_order, stocked_variants

if TYPE_CHECKING:
    import httpx

    from rustok.bootstrap import Container
    from rustok.core.settings import Settings
    from rustok.tenancy.schemas import TenantDetail


@pytest.fixture
def settings(settings: Settings) -> Settings:
    secrets = {"payment_providers": [PROVIDER], "webhook_secrets": {"test": "whsec_shared"}}
    return settings.model_copy(update={"modules": {**settings.modules, "commerce_orders": secrets}})


async def test_another_tenants_order_is_404_on_every_route(
    http: httpx.AsyncClient,
    admin: dict[str, str],
    customer: dict[str, str],
    intruder: dict[str, str],
    container: Container,
) -> None:
    order = await placed_order(http, admin, customer)
    before = len(await events(container, "commerce.order."))

    listed = await http.get(f"{P}/orders", headers=intruder)
    answers = [await http.get(f"{P}/orders/{order['id']}", headers=intruder)]
    for step, body in (
        ("confirm", None),
        ("pay", {}),
        ("fulfil", {"tracking_number": "T", "carrier": "UPS"}),
        ("deliver", None),
        ("cancel", {}),
        ("refund", {"amount": 1}),
    ):
        answers.append(
            await http.post(f"{P}/orders/{order['id']}/{step}", json=body, headers=intruder)
        )

    assert listed.json()["items"] == []
    assert [(a.status_code, a.json()["code"]) for a in answers] == [(404, "ORDER_NOT_FOUND")] * 7
    got = await http.get(f"{P}/orders/{order['id']}", headers=admin)
    assert (got.json()["status"], got.json()["version"]) == ("pending", 1)
    assert len(await events(container, "commerce.order.")) == before


async def test_another_tenants_cart_cannot_be_checked_out(
    http: httpx.AsyncClient,
    admin: dict[str, str],
    anonymous: dict[str, str],
    other_tenant: TenantDetail,
    container: Container,
) -> None:
    small, _ = await stocked_variants(http, admin)
    cart_id = await cart_with(http, anonymous, [(small, 1)])

    response = await checkout(http, {"X-Tenant-ID": other_tenant.slug}, cart_id)

    assert (response.status_code, response.json()["code"]) == (404, "CART_NOT_FOUND")
    assert await count(container, Order) == 0


async def test_a_webhook_naming_another_tenants_order_moves_nothing(
    http: httpx.AsyncClient,
    admin: dict[str, str],
    customer: dict[str, str],
    other_tenant: TenantDetail,
    container: Container,
) -> None:
    order = await placed_order(http, admin, customer)
    body = payment_event(order["id"], 5997)
    headers = {
        "X-Tenant-ID": other_tenant.slug,
        **signed_headers(body, "whsec_shared", int(time.time())),
    }

    response = await http.post(f"{P}/payments/test/webhook", content=body, headers=headers)

    assert (response.status_code, response.json()["code"]) == (404, "ORDER_NOT_FOUND")
    assert await count(container, PaymentEvent) == 0
    got = await http.get(f"{P}/orders/{order['id']}", headers=admin)
    assert got.json()["status"] == "pending"
