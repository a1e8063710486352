"""The cart's REST routes: a guest's cart by its id, a customer's cart for that customer only,
bad input refused naming the field with nothing written and no event, and `Idempotency-Key`
replaying the first answer."""

from __future__ import annotations

import asyncio
import uuid
from typing import TYPE_CHECKING, Any

from rustok.commerce.cart.models import Cart, CartLine
from rustok.core.idempotency import IdempotencyKey
from tests.commerce.conftest import count, events, product_body

if TYPE_CHECKING:
    import httpx

    from rustok.bootstrap import Container

P = "/api/commerce"


async def _variants(http: httpx.AsyncClient, admin: dict[str, str], **kw: Any) -> list[str]:
    response = await http.post(
        f"{P}/products", json=product_body(status="active", **kw), headers=admin
    )
    assert response.status_code == 201, response.text
    return [variant["id"] for variant in response.json()["variants"]]


async def _cart(http: httpx.AsyncClient, headers: dict[str, str], **body: Any) -> dict[str, Any]:
    response = await http.post(f"{P}/carts", json={"currency_code": "EUR", **body}, headers=headers)
    assert response.status_code == 201, response.text
    cart: dict[str, Any] = response.json()
    return cart


async def _cart_events(container: Container) -> list[str]:
    return [row.event_type for row in await events(container, "commerce.cart.")]


async def test_a_guest_shops_with_the_cart_id(
    http: httpx.AsyncClient, admin: dict[str, str], anonymous: dict[str, str]
) -> None:
    small, medium = await _variants(http, admin)
    cart = await _cart(http, anonymous)

    added = await http.post(
        f"{P}/carts/{cart['id']}/lines",
        json={"variant_id": small, "quantity": 2},
        headers=anonymous,
    )
    await http.post(f"{P}/carts/{cart['id']}/lines", json={"variant_id": medium}, headers=anonymous)
    line_id = added.json()["lines"][0]["id"]
    changed = await http.patch(
        f"{P}/carts/{cart['id']}/lines/{line_id}", json={"quantity": 3}, headers=anonymous
    )
    removed = await http.delete(f"{P}/carts/{cart['id']}/lines/{line_id}", headers=anonymous)
    patched = await http.patch(
        f"{P}/carts/{cart['id']}", json={"email": "ada@example.com"}, headers=anonymous
    )
    read = await http.get(f"{P}/carts/{cart['id']}", headers=anonymous)

    assert uuid.UUID(cart["id"]).version == 4
    assert (cart["status"], cart["customer_id"], cart["lines"]) == ("active", None, [])
    assert cart["total"] == {"amount": 0, "currency_code": "EUR"}
    assert added.status_code == 200
    assert added.json()["lines"][0]["unit_price"] == {"amount": 1999, "currency_code": "EUR"}
    assert added.json()["lines"][0]["total"] == {"amount": 3998, "currency_code": "EUR"}
    assert changed.json()["lines"][0]["quantity"] == 3
    assert changed.json()["subtotal"]["amount"] == 3 * 1999 + 1999
    assert removed.status_code == 200
    assert [line["sku"] for line in removed.json()["lines"]] == ["SHIRT-M"]
    assert patched.json()["email"] == "ada@example.com"
    assert read.status_code == 200
    assert read.json() == patched.json()


async def test_bad_input_is_refused_naming_the_field_with_nothing_written(
    container: Container,
    http: httpx.AsyncClient,
    admin: dict[str, str],
    anonymous: dict[str, str],
) -> None:
    (variant, _) = await _variants(http, admin)
    cart = await _cart(http, anonymous)
    before = await _cart_events(container)
    lines = f"{P}/carts/{cart['id']}/lines"

    negative = await http.post(
        lines, json={"variant_id": variant, "quantity": -1}, headers=anonymous
    )
    fraction = await http.post(
        lines, json={"variant_id": variant, "quantity": 1.5}, headers=anonymous
    )
    unknown = await http.post(lines, json={"variant_id": str(uuid.uuid4())}, headers=anonymous)
    too_many = await http.post(
        lines, json={"variant_id": variant, "quantity": 1001}, headers=anonymous
    )
    currency = await http.post(f"{P}/carts", json={"currency_code": "XYZ"}, headers=anonymous)
    address = await http.patch(
        f"{P}/carts/{cart['id']}",
        json={"shipping_address": {"first_name": "Ada", "country_code": "ZZ"}},
        headers=anonymous,
    )
    no_cart = await http.get(f"{P}/carts/{uuid.uuid4()}", headers=anonymous)

    assert (negative.status_code, negative.json()["errors"][0]["field"]) == (422, "body.quantity")
    assert (fraction.status_code, fraction.json()["errors"][0]["field"]) == (422, "body.quantity")
    assert (unknown.status_code, unknown.json()["code"]) == (422, "UNKNOWN_VARIANT")
    assert unknown.json()["errors"][0]["field"] == "body.variant_id"
    assert (too_many.status_code, too_many.json()["code"]) == (422, "CART_LIMIT_EXCEEDED")
    assert (currency.status_code, currency.json()["errors"][0]["field"]) == (
        422,
        "body.currency_code",
    )
    assert address.status_code == 422
    assert {e["field"] for e in address.json()["errors"]} >= {
        "body.shipping_address.country_code",
        "body.shipping_address.last_name",
    }
    assert (no_cart.status_code, no_cart.json()["code"]) == (404, "CART_NOT_FOUND")
    assert await count(container, CartLine) == 0
    assert await count(container, Cart) == 1
    assert await _cart_events(container) == before


async def test_a_customer_cart_is_theirs(
    http: httpx.AsyncClient,
    admin: dict[str, str],
    customer: dict[str, str],
    anonymous: dict[str, str],
    manager: dict[str, str],
) -> None:
    (variant, _) = await _variants(http, admin)
    cart = await _cart(http, customer)

    guest = await http.get(f"{P}/carts/{cart['id']}", headers=anonymous)
    guest_write = await http.post(
        f"{P}/carts/{cart['id']}/lines", json={"variant_id": variant}, headers=anonymous
    )
    staff = await http.get(f"{P}/carts/{cart['id']}", headers=manager)
    own = await http.post(
        f"{P}/carts/{cart['id']}/lines", json={"variant_id": variant}, headers=customer
    )
    bad_token = await http.get(
        f"{P}/carts/{cart['id']}", headers={**anonymous, "Authorization": "Bearer nonsense"}
    )

    assert cart["customer_id"] is not None
    assert (guest.status_code, guest.json()["code"]) == (404, "CART_NOT_FOUND")
    assert guest_write.status_code == 404
    assert staff.status_code == 200
    assert own.status_code == 200
    assert bad_token.status_code == 401


async def test_an_idempotency_key_replays_the_first_answer(
    container: Container,
    http: httpx.AsyncClient,
    admin: dict[str, str],
    anonymous: dict[str, str],
) -> None:
    (variant, _) = await _variants(http, admin)
    cart = await _cart(http, anonymous)
    lines = f"{P}/carts/{cart['id']}/lines"
    key = {**anonymous, "Idempotency-Key": "5d1c8f0e-0b0b-4f5e-9a3c-1f2e3d4c5b6a"}

    first = await http.post(lines, json={"variant_id": variant, "quantity": 2}, headers=key)
    again = await http.post(lines, json={"quantity": 2, "variant_id": variant}, headers=key)
    other = await http.post(lines, json={"variant_id": variant, "quantity": 5}, headers=key)
    short = await http.post(
        lines, json={"variant_id": variant}, headers={**anonymous, "Idempotency-Key": "abc"}
    )
    spaced = await http.post(
        lines,
        json={"variant_id": variant},
        headers={**anonymous, "Idempotency-Key": "has spaces in it"},
    )
    created = await http.post(f"{P}/carts", json={"currency_code": "EUR"}, headers=key)
    created_again = await http.post(f"{P}/carts", json={"currency_code": "EUR"}, headers=key)

    assert first.status_code == 200
    assert (again.status_code, again.content) == (200, first.content)
    assert again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert (other.status_code, other.json()["code"]) == (422, "IDEMPOTENCY_KEY_REUSED")
    assert other.json()["errors"][0]["field"] == "header.Idempotency-Key"
    assert (short.status_code, short.json()["errors"][0]["field"]) == (
        422,
        "header.Idempotency-Key",
    )
    assert spaced.status_code == 422
    # The same key on another route is another key.
    assert (created.status_code, created_again.status_code) == (201, 201)
    assert created_again.content == created.content
    read = await http.get(f"{P}/carts/{cart['id']}", headers=anonymous)
    assert read.json()["lines"][0]["quantity"] == 2
    assert (await _cart_events(container)).count("commerce.cart.line_added") == 1
    assert (await _cart_events(container)).count("commerce.cart.created") == 2


async def test_a_refused_request_leaves_no_key_behind(
    container: Container, http: httpx.AsyncClient, anonymous: dict[str, str]
) -> None:
    cart = await _cart(http, anonymous)
    key = {**anonymous, "Idempotency-Key": "retry-after-fixing-0001"}

    refused = await http.post(
        f"{P}/carts/{cart['id']}/lines", json={"variant_id": str(uuid.uuid4())}, headers=key
    )

    assert refused.status_code == 422
    assert await count(container, IdempotencyKey) == 0


async def test_concurrent_duplicates_run_once(
    container: Container,
    http: httpx.AsyncClient,
    admin: dict[str, str],
    anonymous: dict[str, str],
) -> None:
    (variant, _) = await _variants(http, admin)
    cart = await _cart(http, anonymous)
    key = {**anonymous, "Idempotency-Key": "concurrent-duplicates-0001"}

    answers = await asyncio.gather(
        *(
            http.post(
                f"{P}/carts/{cart['id']}/lines",
                json={"variant_id": variant, "quantity": 1},
                headers=key,
            )
            for _ in range(8)
        )
    )

    statuses = sorted(a.status_code for a in answers)
    assert set(statuses) <= {200, 409}
    assert 200 in statuses
    assert all(
        a.json()["code"] == "IDEMPOTENCY_KEY_IN_FLIGHT" for a in answers if a.status_code == 409
    )
    assert len({a.content for a in answers if a.status_code == 200}) == 1
    read = await http.get(f"{P}/carts/{cart['id']}", headers=anonymous)
    assert read.json()["lines"][0]["quantity"] == 1
    assert (await _cart_events(container)).count("commerce.cart.line_added") == 1
