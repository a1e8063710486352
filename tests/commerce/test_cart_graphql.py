"""The cart's GraphQL: `cart(id)` and the mutations with the REST bodies as input; refusals
carry the same codes as REST, with nothing written and no event."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from rustok.commerce.cart.models import CartLine
from tests.commerce.conftest import count, events, product_body

if TYPE_CHECKING:
    import httpx

    from rustok.bootstrap import Container

CART = "id status currencyCode itemCount total { amount currencyCode } hasWarnings " + (
    "lines { id sku quantity unitPrice { amount } total { amount } warnings { code } }"
)


async def _gql(
    http: httpx.AsyncClient, headers: dict[str, str], query: str, **variables: Any
) -> dict[str, Any]:
    response = await http.post(
        "/api/graphql", json={"query": query, "variables": variables}, headers=headers
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def _variants(http: httpx.AsyncClient, admin: dict[str, str]) -> list[str]:
    response = await http.post(
        "/api/commerce/products", json=product_body(status="active"), headers=admin
    )
    assert response.status_code == 201, response.text
    return [variant["id"] for variant in response.json()["variants"]]


async def test_a_guest_shops_through_graphql(
    http: httpx.AsyncClient, admin: dict[str, str], anonymous: dict[str, str]
) -> None:
    small, medium = await _variants(http, admin)

    created = await _gql(
        http,
        anonymous,
        f"mutation($input: JSON!) {{ createCart(input: $input) {{ {CART} }} }}",
        input={"currency_code": "EUR"},
    )
    cart_id = created["data"]["createCart"]["id"]
    added = await _gql(
        http,
        anonymous,
        f"mutation($id: UUID!, $input: JSON!) {{ addCartLine(cartId: $id, input: $input) "
        f"{{ {CART} }} }}",
        id=cart_id,
        input={"variant_id": small, "quantity": 2},
    )
    await _gql(
        http,
        anonymous,
        "mutation($id: UUID!, $input: JSON!) { addCartLine(cartId: $id, input: $input) { id } }",
        id=cart_id,
        input={"variant_id": medium},
    )
    line_id = added["data"]["addCartLine"]["lines"][0]["id"]
    updated = await _gql(
        http,
        anonymous,
        "mutation($id: UUID!, $line: UUID!, $input: JSON!) { updateCartLine(cartId: $id, "
        "lineId: $line, input: $input) { itemCount } }",
        id=cart_id,
        line=line_id,
        input={"quantity": 5},
    )
    removed = await _gql(
        http,
        anonymous,
        "mutation($id: UUID!, $line: UUID!) { removeCartLine(cartId: $id, lineId: $line) "
        "{ lines { sku } } }",
        id=cart_id,
        line=line_id,
    )
    patched = await _gql(
        http,
        anonymous,
        "mutation($id: UUID!, $input: JSON!) { updateCart(id: $id, input: $input) "
        "{ email shippingAddress { city countryCode } } }",
        id=cart_id,
        input={
            "email": "ada@example.com",
            "shipping_address": {
                "first_name": "Ada",
                "last_name": "Lovelace",
                "address_1": "Unter den Linden 1",
                "city": "Berlin",
                "postal_code": "10117",
                "country_code": "DE",
            },
        },
    )
    read = await _gql(
        http, anonymous, f"query($id: UUID!) {{ cart(id: $id) {{ {CART} }} }}", id=cart_id
    )

    assert created["data"]["createCart"]["status"] == "active"
    assert created["data"]["createCart"]["total"] == {"amount": 0, "currencyCode": "EUR"}
    assert added["data"]["addCartLine"]["lines"][0]["total"] == {"amount": 3998}
    assert updated["data"]["updateCartLine"]["itemCount"] == 6
    assert removed["data"]["removeCartLine"]["lines"] == [{"sku": "SHIRT-M"}]
    assert patched["data"]["updateCart"] == {
        "email": "ada@example.com",
        "shippingAddress": {"city": "Berlin", "countryCode": "DE"},
    }
    assert read["data"]["cart"]["itemCount"] == 1
    assert read["data"]["cart"]["total"] == {"amount": 1999, "currencyCode": "EUR"}


async def test_refusals_carry_the_rest_codes_with_nothing_written(
    container: Container,
    http: httpx.AsyncClient,
    admin: dict[str, str],
    anonymous: dict[str, str],
    customer: dict[str, str],
) -> None:
    await _variants(http, admin)
    created = await _gql(
        http,
        customer,
        "mutation($input: JSON!) { createCart(input: $input) { id } }",
        input={"currency_code": "EUR"},
    )
    cart_id = created["data"]["createCart"]["id"]
    before = [e.id for e in await events(container, "commerce.cart.")]
    add = "mutation($id: UUID!, $input: JSON!) { addCartLine(cartId: $id, input: $input) { id } }"

    negative = await _gql(
        http, customer, add, id=cart_id, input={"variant_id": str(uuid.uuid4()), "quantity": -1}
    )
    unknown = await _gql(http, customer, add, id=cart_id, input={"variant_id": str(uuid.uuid4())})
    strangers = await _gql(
        http, anonymous, "query($id: UUID!) { cart(id: $id) { id } }", id=cart_id
    )
    missing = await _gql(
        http, anonymous, "query($id: UUID!) { cart(id: $id) { id } }", id=str(uuid.uuid4())
    )

    assert negative["errors"][0]["extensions"]["code"] == "VALIDATION_ERROR"
    assert negative["errors"][0]["extensions"]["fields"][0]["field"] == "input.quantity"
    assert unknown["errors"][0]["extensions"]["code"] == "UNKNOWN_VARIANT"
    assert strangers["errors"][0]["extensions"]["code"] == "CART_NOT_FOUND"
    assert missing["errors"][0]["extensions"]["code"] == "CART_NOT_FOUND"
    assert await count(container, CartLine) == 0
    assert [e.id for e in await events(container, "commerce.cart.")] == before
