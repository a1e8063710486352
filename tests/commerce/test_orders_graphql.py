"""Orders over GraphQL: checkout and every transition as mutations with the REST bodies as
input, `order` and `orders` under the same reach as REST, and the same error codes."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rustok.commerce.orders.models import Order
from tests.commerce.conftest import count, events
from tests.commerce.ordering import cart_with, placed_order, stocked_variants

if TYPE_CHECKING:
    import httpx

    from rustok.bootstrap import Container

ORDER_FIELDS = """
id number status version email
total { amount currencyCode }
paid { amount }
lines { sku quantity unitPrice { amount currencyCode } }
payments { provider status amount { amount } }
"""


async def _gql(
    http: httpx.AsyncClient, headers: dict[str, str], query: str, **variables: Any
) -> dict[str, Any]:
    response = await http.post(
        "/api/graphql", json={"query": query, "variables": variables}, headers=headers
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_checkout_and_the_transitions_as_mutations(
    http: httpx.AsyncClient, admin: dict[str, str], anonymous: dict[str, str], container: Container
) -> None:
    small, medium = await stocked_variants(http, admin)
    cart_id = await cart_with(http, anonymous, [(small, 1), (medium, 1)])

    placed = await _gql(
        http,
        anonymous,
        f"mutation($cart: UUID!, $input: JSON!) {{ checkout(cartId: $cart, input: $input) "
        f"{{ {ORDER_FIELDS} }} }}",
        cart=cart_id,
        input={"email": "ada@example.com"},
    )
    order = placed["data"]["checkout"]
    steps = {}
    for name, extra in (
        ("confirmOrder", ""),
        ("payOrder", ', input: {provider: "manual"}'),
        ("fulfilOrder", ', input: {tracking_number: "T1", carrier: "DHL"}'),
        ("deliverOrder", ""),
        ("refundOrder", ", input: {amount: 3998, restock: true}"),
    ):
        answer = await _gql(
            http, admin, f'mutation {{ {name}(id: "{order["id"]}"{extra}) {{ {ORDER_FIELDS} }} }}'
        )
        assert "errors" not in answer, answer
        steps[name] = answer["data"][name]

    assert (order["number"], order["status"], order["total"]) == (
        1,
        "pending",
        {"amount": 3998, "currencyCode": "EUR"},
    )
    assert [line["sku"] for line in order["lines"]] == ["TEE-S", "TEE-M"]
    assert [s["status"] for s in steps.values()] == [
        "confirmed",
        "paid",
        "fulfilled",
        "delivered",
        "refunded",
    ]
    assert steps["payOrder"]["payments"] == [
        {"provider": "manual", "status": "captured", "amount": {"amount": 3998}}
    ]
    assert len(await events(container, "commerce.order.")) == 6


async def test_queries_apply_the_customers_own_scope(
    http: httpx.AsyncClient,
    admin: dict[str, str],
    customer: dict[str, str],
    anonymous: dict[str, str],
) -> None:
    mine = await placed_order(http, admin, customer)
    small, _ = await stocked_variants(http, admin, sku="G")
    cart_id = await cart_with(http, anonymous, [(small, 1)])
    guest = (
        await http.post(
            f"/api/commerce/carts/{cart_id}/checkout",
            json={"email": "guest@example.com"},
            headers=anonymous,
        )
    ).json()

    own = await _gql(http, customer, "{ orders { items { number } hasMore } }")
    staff = await _gql(http, admin, "{ orders(first: 1) { items { number } hasMore nextCursor } }")
    other = await _gql(http, customer, f'{{ order(id: "{guest["id"]}") {{ id }} }}')
    one = await _gql(http, customer, f'{{ order(id: "{mine["id"]}") {{ number email }} }}')

    assert own["data"]["orders"] == {"items": [{"number": 1}], "hasMore": False}
    assert staff["data"]["orders"]["items"] == [{"number": 2}]
    assert staff["data"]["orders"]["hasMore"] is True
    assert other["errors"][0]["extensions"]["code"] == "ORDER_NOT_FOUND"
    assert one["data"]["order"] == {"number": 1, "email": "ada@example.com"}


async def test_refusals_carry_the_rest_codes_and_write_nothing(
    http: httpx.AsyncClient,
    admin: dict[str, str],
    customer: dict[str, str],
    anonymous: dict[str, str],
    container: Container,
) -> None:
    order = await placed_order(http, admin, customer)
    small, _ = await stocked_variants(http, admin, stock=1, sku="ONE")
    cart_id = await cart_with(http, anonymous, [(small, 2)])

    illegal = await _gql(http, admin, f'mutation {{ deliverOrder(id: "{order["id"]}") {{ id }} }}')
    forbidden = await _gql(
        http, customer, f'mutation {{ confirmOrder(id: "{order["id"]}") {{ id }} }}'
    )
    short = await _gql(
        http,
        anonymous,
        "mutation($cart: UUID!, $input: JSON!) { checkout(cartId: $cart, input: $input) { id } }",
        cart=cart_id,
        input={"email": "ada@example.com"},
    )
    bad_input = await _gql(
        http,
        admin,
        f'mutation {{ refundOrder(id: "{order["id"]}", input: {{amount: -1}}) {{ id }} }}',
    )

    assert illegal["errors"][0]["extensions"]["code"] == "ORDER_TRANSITION_INVALID"
    assert forbidden["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert short["errors"][0]["extensions"]["code"] == "INSUFFICIENT_STOCK"
    assert bad_input["errors"][0]["extensions"]["code"] == "VALIDATION_ERROR"
    assert await count(container, Order) == 1
    assert len(await events(container, "commerce.order.")) == 1
