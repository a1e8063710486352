"""Tenant walls around carts: a cart id of one tenant is not found from another (REST and
GraphQL, guest or admin), another tenant's variant cannot go into a cart, and idempotency
keys are per tenant."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rustok.commerce.cart.models import Cart, CartLine
from rustok.testing.factories import auth_headers
from tests.commerce.conftest import count, events, product_body

if TYPE_CHECKING:
    import httpx

    from rustok.bootstrap import Container
    from rustok.tenancy.schemas import TenantDetail

P = "/api/commerce"


async def _variant(http: httpx.AsyncClient, headers: dict[str, str], sku: str) -> str:
    response = await http.post(
        f"{P}/products", json=product_body(sku, status="active"), headers=headers
    )
    assert response.status_code == 201, response.text
    variant_id: str = response.json()["variants"][0]["id"]
    return variant_id


async def _cart(http: httpx.AsyncClient, headers: dict[str, str]) -> dict[str, Any]:
    response = await http.post(f"{P}/carts", json={"currency_code": "EUR"}, headers=headers)
    assert response.status_code == 201, response.text
    cart: dict[str, Any] = response.json()
    return cart


async def test_another_tenants_cart_is_not_found(
    container: Container,
    http: httpx.AsyncClient,
    admin: dict[str, str],
    anonymous: dict[str, str],
    intruder: dict[str, str],
    other_tenant: TenantDetail,
) -> None:
    variant = await _variant(http, admin, "MINE")
    cart = await _cart(http, anonymous)
    line = await http.post(
        f"{P}/carts/{cart['id']}/lines", json={"variant_id": variant}, headers=anonymous
    )
    line_id = line.json()["lines"][0]["id"]
    before = [e.id for e in await events(container, "commerce.cart.")]
    base = f"{P}/carts/{cart['id']}"

    for headers in (intruder, auth_headers(other_tenant)):
        answers = [
            await http.get(base, headers=headers),
            await http.patch(base, json={"email": "x@example.com"}, headers=headers),
            await http.post(f"{base}/lines", json={"variant_id": variant}, headers=headers),
            await http.patch(f"{base}/lines/{line_id}", json={"quantity": 9}, headers=headers),
            await http.delete(f"{base}/lines/{line_id}", headers=headers),
        ]
        assert [(a.status_code, a.json()["code"]) for a in answers] == [(404, "CART_NOT_FOUND")] * 5
        graphql = await http.post(
            "/api/graphql",
            json={
                "query": "query($id: UUID!) { cart(id: $id) { id } }",
                "variables": {"id": cart["id"]},
            },
            headers=headers,
        )
        assert graphql.json()["errors"][0]["extensions"]["code"] == "CART_NOT_FOUND"

    mine = await http.get(base, headers=anonymous)
    assert mine.json()["lines"][0]["quantity"] == 1
    assert mine.json()["email"] is None
    assert [e.id for e in await events(container, "commerce.cart.")] == before


async def test_another_tenants_variant_cannot_go_into_a_cart(
    container: Container,
    http: httpx.AsyncClient,
    admin: dict[str, str],
    intruder: dict[str, str],
    other_tenant: TenantDetail,
) -> None:
    variant = await _variant(http, admin, "MINE")
    theirs = await _cart(http, auth_headers(other_tenant))

    refused = await http.post(
        f"{P}/carts/{theirs['id']}/lines", json={"variant_id": variant}, headers=intruder
    )

    assert (refused.status_code, refused.json()["code"]) == (422, "UNKNOWN_VARIANT")
    assert refused.json()["errors"][0]["field"] == "body.variant_id"
    assert await count(container, CartLine) == 0


async def test_idempotency_keys_are_per_tenant(
    container: Container,
    http: httpx.AsyncClient,
    anonymous: dict[str, str],
    other_tenant: TenantDetail,
) -> None:
    key = {"Idempotency-Key": "same-key-two-tenants-1"}

    mine = await http.post(
        f"{P}/carts", json={"currency_code": "EUR"}, headers={**anonymous, **key}
    )
    theirs = await http.post(
        f"{P}/carts", json={"currency_code": "EUR"}, headers={**auth_headers(other_tenant), **key}
    )

    assert (mine.status_code, theirs.status_code) == (201, 201)
    assert mine.json()["id"] != theirs.json()["id"]
    assert "Idempotent-Replayed" not in theirs.headers
    assert await count(container, Cart) == 2
