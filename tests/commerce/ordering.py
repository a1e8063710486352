"""Helpers of the order tests: an active product with stock, a cart with lines, a placed order,
and direct reads of orders, reservations and stock."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from rustok.commerce.inventory.models import InventoryLevel, Reservation
from tests.commerce.conftest import product_body

if TYPE_CHECKING:
    import httpx

    from rustok.bootstrap import Container

P = "/api/commerce"


async def stocked_variants(
    http: httpx.AsyncClient,
    admin: dict[str, str],
    *,
    stock: int = 10,
    sku: str = "TEE",
    eur: int = 1999,
) -> list[str]:
    """An active product with sizes S and M, each with `stock` units at the default
    location; the variants' ids."""
    response = await http.post(
        f"{P}/products", json=product_body(sku, status="active", eur=eur), headers=admin
    )
    assert response.status_code == 201, response.text
    ids = [v["id"] for v in response.json()["variants"]]
    for variant_id in ids:
        adjusted = await http.post(
            f"{P}/variants/{variant_id}/inventory/adjust",
            json={"adjustment": stock, "reason": "received"},
            headers=admin,
        )
        assert adjusted.status_code == 200, adjusted.text
    return ids


async def cart_with(
    http: httpx.AsyncClient,
    headers: dict[str, str],
    lines: list[tuple[str, int]],
    *,
    currency_code: str = "EUR",
) -> str:
    created = await http.post(f"{P}/carts", json={"currency_code": currency_code}, headers=headers)
    assert created.status_code == 201, created.text
    cart_id: str = created.json()["id"]
    for variant_id, quantity in lines:
        added = await http.post(
            f"{P}/carts/{cart_id}/lines",
            json={"variant_id": variant_id, "quantity": quantity},
            headers=headers,
        )
        assert added.status_code in (200, 201), added.text
    return cart_id


async def checkout(
    http: httpx.AsyncClient,
    headers: dict[str, str],
    cart_id: str,
    body: dict[str, Any] | None = None,
) -> httpx.Response:
    return await http.post(
        f"{P}/carts/{cart_id}/checkout",
        json=body if body is not None else {"email": "ada@example.com"},
        headers=headers,
    )


async def placed_order(
    http: httpx.AsyncClient,
    admin: dict[str, str],
    buyer: dict[str, str],
    *,
    quantities: tuple[int, int] = (2, 1),
    stock: int = 10,
) -> dict[str, Any]:
    """A pending order of two lines (sizes S and M at 19.99 EUR) placed by `buyer`."""
    variants = await stocked_variants(http, admin, stock=stock)
    cart_id = await cart_with(http, buyer, list(zip(variants, quantities, strict=True)))
    response = await checkout(http, buyer, cart_id)
    assert response.status_code == 201, response.text
    order: dict[str, Any] = response.json()
    return order


async def move(
    http: httpx.AsyncClient,
    admin: dict[str, str],
    order_id: str,
    *steps: str,
) -> dict[str, Any]:
    """Walk an order through `steps` (confirm, pay, fulfil, deliver) as staff."""
    bodies: dict[str, dict[str, Any]] = {
        "pay": {},
        "fulfil": {"tracking_number": "1Z999", "carrier": "UPS"},
        "cancel": {},
    }
    body: dict[str, Any] = {}
    for step in steps:
        response = await http.post(
            f"{P}/orders/{order_id}/{step}", json=bodies.get(step), headers=admin
        )
        assert response.status_code == 200, response.text
        body = response.json()
    return body


async def stock_of(container: Container, variant_id: str | uuid.UUID) -> tuple[int, int]:
    """(stocked, reserved) of a variant over its levels."""
    async with container.platform_sessions() as session:
        wanted = variant_id if isinstance(variant_id, uuid.UUID) else uuid.UUID(variant_id)
        rows = (
            await session.scalars(select(InventoryLevel).where(InventoryLevel.variant_id == wanted))
        ).all()
        return sum(r.stocked for r in rows), sum(r.reserved for r in rows)


async def reservations(container: Container, status: str | None = None) -> list[Reservation]:
    async with container.platform_sessions() as session:
        query = select(Reservation).where(Reservation.owner_kind == "order")
        if status is not None:
            query = query.where(Reservation.status == status)
        return list((await session.scalars(query)).all())
