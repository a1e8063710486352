"""Checkout and the orders' REST routes: the whole life of an order with its stock and events;
every illegal transition a 409 naming from and to; bad input a precise problem with nothing
written and no event; customers see only their own orders."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rustok.commerce.orders.models import Order, OrderLine, Payment, Refund
from tests.commerce.conftest import count, events
from tests.commerce.ordering import (
    P,
    cart_with,
    checkout,
    move,
    placed_order,
    reservations,
    stock_of,
    stocked_variants,
)

if TYPE_CHECKING:
    import httpx

    from rustok.bootstrap import Container


async def test_checkout_places_a_pending_order_with_frozen_lines_and_reserved_stock(
    http: httpx.AsyncClient, admin: dict[str, str], customer: dict[str, str], container: Container
) -> None:
    small, medium = await stocked_variants(http, admin, stock=10)
    cart_id = await cart_with(http, customer, [(small, 2), (medium, 1)])

    response = await checkout(http, customer, cart_id, {"email": "ada@example.com"})

    order = response.json()
    assert response.status_code == 201, response.text
    assert (order["number"], order["status"], order["email"]) == (1, "pending", "ada@example.com")
    assert [(line["sku"], line["quantity"]) for line in order["lines"]] == [
        ("TEE-S", 2),
        ("TEE-M", 1),
    ]
    assert order["lines"][0]["unit_price"] == {"amount": 1999, "currency_code": "EUR"}
    assert order["total"] == {"amount": 5997, "currency_code": "EUR"}
    assert order["cart_id"] == cart_id
    assert await stock_of(container, small) == (10, 2)
    assert await stock_of(container, medium) == (10, 1)
    cart = await http.get(f"{P}/carts/{cart_id}", headers=customer)
    assert (cart.json()["status"], cart.json()["order_id"]) == ("completed", order["id"])
    placed = [
        e for e in await events(container, "commerce.order.") if e.event_type.endswith("placed")
    ]
    assert len(placed) == 1
    assert placed[0].payload["number"] == 1
    assert placed[0].payload["total"] == 5997
    assert placed[0].payload["currency_code"] == "EUR"
    assert [line["sku"] for line in placed[0].payload["lines"]] == ["TEE-S", "TEE-M"]


async def test_a_checkout_short_of_stock_is_409_and_changes_nothing(
    http: httpx.AsyncClient, admin: dict[str, str], anonymous: dict[str, str], container: Container
) -> None:
    small, medium = await stocked_variants(http, admin, stock=3)
    cart_id = await cart_with(http, anonymous, [(small, 2), (medium, 4)])

    response = await checkout(http, anonymous, cart_id)

    assert response.status_code == 409
    assert response.json()["code"] == "INSUFFICIENT_STOCK"
    assert [e["field"] for e in response.json()["errors"]] == ["lines.1"]
    assert await count(container, Order) == await count(container, OrderLine) == 0
    assert await reservations(container) == []
    assert await stock_of(container, small) == (3, 0)
    assert (await http.get(f"{P}/carts/{cart_id}", headers=anonymous)).json()["status"] == "active"
    assert await events(container, "commerce.order.") == []


async def test_checkout_refuses_empty_and_completed_carts_precisely(
    http: httpx.AsyncClient, admin: dict[str, str], anonymous: dict[str, str], container: Container
) -> None:
    small, _ = await stocked_variants(http, admin)
    empty = await cart_with(http, anonymous, [])
    done = await cart_with(http, anonymous, [(small, 1)])
    assert (await checkout(http, anonymous, done)).status_code == 201

    refused_empty = await checkout(http, anonymous, empty)
    refused_again = await checkout(http, anonymous, done)
    refused_unknown = await checkout(http, anonymous, "7f3b1c2e-5d4a-4e8b-9c1d-2a3b4c5d6e7f")

    assert (refused_empty.status_code, refused_empty.json()["code"]) == (409, "CART_EMPTY")
    assert (refused_again.status_code, refused_again.json()["code"]) == (409, "CART_COMPLETED")
    assert refused_unknown.status_code == 404
    assert await count(container, Order) == 1


async def test_checkout_without_an_email_names_the_field(
    http: httpx.AsyncClient, admin: dict[str, str], anonymous: dict[str, str], container: Container
) -> None:
    small, _ = await stocked_variants(http, admin)
    cart_id = await cart_with(http, anonymous, [(small, 1)])

    missing = await checkout(http, anonymous, cart_id, {})
    malformed = await checkout(http, anonymous, cart_id, {"email": "nope"})

    assert (missing.status_code, missing.json()["code"]) == (422, "EMAIL_REQUIRED")
    assert missing.json()["errors"] == [
        {"field": "body.email", "message": "required: the cart has none"}
    ]
    assert malformed.status_code == 422
    assert malformed.json()["errors"][0]["field"] == "body.email"
    assert await count(container, Order) == 0
    assert await reservations(container) == []


async def test_the_same_idempotency_key_replays_the_first_order(
    http: httpx.AsyncClient, admin: dict[str, str], anonymous: dict[str, str], container: Container
) -> None:
    small, _ = await stocked_variants(http, admin)
    cart_id = await cart_with(http, anonymous, [(small, 1)])
    headers = {**anonymous, "Idempotency-Key": "checkout-0001"}
    body = {"email": "ada@example.com"}

    first = await http.post(f"{P}/carts/{cart_id}/checkout", json=body, headers=headers)
    again = await http.post(f"{P}/carts/{cart_id}/checkout", json=body, headers=headers)

    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert await count(container, Order) == 1
    assert len(await events(container, "commerce.order.placed")) == 1


async def test_an_order_walks_to_delivered_with_its_stock_and_events(
    http: httpx.AsyncClient, admin: dict[str, str], customer: dict[str, str], container: Container
) -> None:
    order = await placed_order(http, admin, customer)
    small = order["lines"][0]["variant_id"]

    confirmed = await move(http, admin, order["id"], "confirm")
    paid = await move(http, admin, order["id"], "pay")
    fulfilled = await move(http, admin, order["id"], "fulfil")
    assert await stock_of(container, small) == (8, 0)
    delivered = await move(http, admin, order["id"], "deliver")

    assert [o["status"] for o in (confirmed, paid, fulfilled, delivered)] == [
        "confirmed",
        "paid",
        "fulfilled",
        "delivered",
    ]
    assert paid["paid"] == {"amount": 5997, "currency_code": "EUR"}
    assert [(p["provider"], p["status"], p["amount"]["amount"]) for p in paid["payments"]] == [
        ("manual", "captured", 5997)
    ]
    assert (fulfilled["tracking_number"], fulfilled["carrier"]) == ("1Z999", "UPS")
    assert delivered["version"] == 5
    assert [r.status for r in await reservations(container)] == ["committed", "committed"]
    assert [e.event_type for e in await events(container, "commerce.order.")] == [
        "commerce.order.placed",
        "commerce.order.confirmed",
        "commerce.order.paid",
        "commerce.order.fulfilled",
        "commerce.order.delivered",
    ]
    assert [e.payload["status"] for e in await events(container, "commerce.order.")] == [
        "pending",
        "confirmed",
        "paid",
        "fulfilled",
        "delivered",
    ]


async def test_cancel_releases_the_reserved_stock(
    http: httpx.AsyncClient, admin: dict[str, str], customer: dict[str, str], container: Container
) -> None:
    order = await placed_order(http, admin, customer)
    small = order["lines"][0]["variant_id"]

    response = await http.post(
        f"{P}/orders/{order['id']}/cancel", json={"reason": "Changed my mind"}, headers=admin
    )

    assert response.status_code == 200
    assert (response.json()["status"], response.json()["cancel_reason"]) == (
        "cancelled",
        "Changed my mind",
    )
    assert await stock_of(container, small) == (10, 0)
    assert [r.status for r in await reservations(container)] == ["released", "released"]
    cancelled = await events(container, "commerce.order.cancelled")
    assert [e.payload["reason"] for e in cancelled] == ["Changed my mind"]


async def test_illegal_transitions_are_409_naming_from_and_to_and_change_nothing(
    http: httpx.AsyncClient, admin: dict[str, str], customer: dict[str, str], container: Container
) -> None:
    order = await placed_order(http, admin, customer)
    await move(http, admin, order["id"], "cancel")
    before = len(await events(container, "commerce.order."))

    for step, body, to in (
        ("pay", {}, "paid"),
        ("confirm", None, "confirmed"),
        ("fulfil", {"tracking_number": "T", "carrier": "UPS"}, "fulfilled"),
        ("deliver", None, "delivered"),
        ("cancel", {}, "cancelled"),
        ("refund", {"amount": 1}, "refunded"),
    ):
        response = await http.post(f"{P}/orders/{order['id']}/{step}", json=body, headers=admin)
        assert response.status_code == 409, step
        assert response.json()["code"] == "ORDER_TRANSITION_INVALID"
        assert response.json()["errors"] == [
            {"field": "status", "message": f"from cancelled to {to} is not a transition"}
        ]
    assert len(await events(container, "commerce.order.")) == before
    assert await count(container, Payment) == 0


async def test_a_pending_order_cannot_be_fulfilled_or_paid(
    http: httpx.AsyncClient, admin: dict[str, str], customer: dict[str, str]
) -> None:
    order = await placed_order(http, admin, customer)

    fulfil = await http.post(
        f"{P}/orders/{order['id']}/fulfil",
        json={"tracking_number": "T", "carrier": "UPS"},
        headers=admin,
    )
    pay = await http.post(f"{P}/orders/{order['id']}/pay", json={}, headers=admin)

    assert fulfil.json()["errors"][0]["message"] == "from pending to fulfilled is not a transition"
    assert pay.json()["errors"][0]["message"] == "from pending to paid is not a transition"


async def test_refunds_partial_then_full_never_more_than_paid(
    http: httpx.AsyncClient, admin: dict[str, str], customer: dict[str, str], container: Container
) -> None:
    order = await placed_order(http, admin, customer)
    await move(http, admin, order["id"], "confirm", "pay")

    too_much = await http.post(
        f"{P}/orders/{order['id']}/refund", json={"amount": 5998}, headers=admin
    )
    restock_partial = await http.post(
        f"{P}/orders/{order['id']}/refund", json={"amount": 100, "restock": True}, headers=admin
    )
    assert (too_much.status_code, too_much.json()["code"]) == (422, "REFUND_EXCEEDS_PAID")
    assert too_much.json()["errors"] == [{"field": "body.amount", "message": "at most 5997"}]
    assert restock_partial.json()["errors"][0]["field"] == "body.restock"
    assert await count(container, Refund) == 0

    partial = await http.post(
        f"{P}/orders/{order['id']}/refund", json={"amount": 997, "reason": "Late"}, headers=admin
    )
    rest = await http.post(f"{P}/orders/{order['id']}/refund", json={"amount": 5001}, headers=admin)
    full = await http.post(f"{P}/orders/{order['id']}/refund", json={"amount": 5000}, headers=admin)

    assert (partial.json()["status"], partial.json()["refunded"]["amount"]) == ("paid", 997)
    assert rest.json()["errors"] == [{"field": "body.amount", "message": "at most 5000"}]
    assert (full.json()["status"], full.json()["refunded"]["amount"]) == ("refunded", 5997)
    assert [p["status"] for p in full.json()["payments"]] == ["refunded"]
    assert [r["amount"]["amount"] for r in full.json()["refunds"]] == [997, 5000]
    # Refunded in full before shipping: nothing will ship, the reservations are released.
    assert [r.status for r in await reservations(container)] == ["released", "released"]
    refunded = await events(container, "commerce.order.refunded")
    assert [(e.payload["amount"], e.payload["status"]) for e in refunded] == [
        (997, "paid"),
        (5000, "refunded"),
    ]


async def test_a_full_refund_of_a_shipped_order_restocks_when_asked(
    http: httpx.AsyncClient, admin: dict[str, str], customer: dict[str, str], container: Container
) -> None:
    order = await placed_order(http, admin, customer)
    small = order["lines"][0]["variant_id"]
    await move(http, admin, order["id"], "confirm", "pay", "fulfil", "deliver")
    assert await stock_of(container, small) == (8, 0)

    response = await http.post(
        f"{P}/orders/{order['id']}/refund", json={"amount": 5997, "restock": True}, headers=admin
    )

    assert response.json()["status"] == "refunded"
    assert await stock_of(container, small) == (10, 0)


async def test_paying_another_amount_or_provider_is_422_and_writes_nothing(
    http: httpx.AsyncClient, admin: dict[str, str], customer: dict[str, str], container: Container
) -> None:
    order = await placed_order(http, admin, customer)
    await move(http, admin, order["id"], "confirm")

    wrong_amount = await http.post(
        f"{P}/orders/{order['id']}/pay", json={"amount": 1}, headers=admin
    )
    wrong_provider = await http.post(
        f"{P}/orders/{order['id']}/pay", json={"provider": "paypal"}, headers=admin
    )

    assert (wrong_amount.status_code, wrong_amount.json()["code"]) == (
        422,
        "PAYMENT_AMOUNT_MISMATCH",
    )
    assert wrong_amount.json()["errors"][0]["field"] == "body.amount"
    assert (wrong_provider.status_code, wrong_provider.json()["code"]) == (
        422,
        "PAYMENT_PROVIDER_UNKNOWN",
    )
    assert await count(container, Payment) == 0
    assert len(await events(container, "commerce.order.paid")) == 0
    got = await http.get(f"{P}/orders/{order['id']}", headers=admin)
    assert (got.json()["status"], got.json()["version"]) == ("confirmed", 2)


async def test_customers_see_only_their_own_orders_staff_see_all(
    http: httpx.AsyncClient,
    admin: dict[str, str],
    manager: dict[str, str],
    customer: dict[str, str],
    anonymous: dict[str, str],
) -> None:
    mine = await placed_order(http, admin, customer)
    small, _ = await stocked_variants(http, admin, sku="GUEST")
    guest_cart = await cart_with(http, anonymous, [(small, 1)])
    guest = (await checkout(http, anonymous, guest_cart)).json()

    own_list = await http.get(f"{P}/orders", headers=customer)
    own_one = await http.get(f"{P}/orders/{mine['id']}", headers=customer)
    other_one = await http.get(f"{P}/orders/{guest['id']}", headers=customer)
    staff_list = await http.get(f"{P}/orders", headers=manager)
    no_token = await http.get(f"{P}/orders", headers=anonymous)
    customer_confirm = await http.post(f"{P}/orders/{mine['id']}/confirm", headers=customer)

    assert [o["number"] for o in own_list.json()["items"]] == [1]
    assert own_one.status_code == 200
    assert (other_one.status_code, other_one.json()["code"]) == (404, "ORDER_NOT_FOUND")
    assert [o["number"] for o in staff_list.json()["items"]] == [2, 1]
    assert no_token.status_code == 401
    assert customer_confirm.status_code == 403


async def test_the_list_pages_by_cursor_and_filters_by_status(
    http: httpx.AsyncClient, admin: dict[str, str], anonymous: dict[str, str]
) -> None:
    small, _ = await stocked_variants(http, admin, stock=20)
    ids = []
    for _ in range(3):
        cart_id = await cart_with(http, anonymous, [(small, 1)])
        ids.append((await checkout(http, anonymous, cart_id)).json()["id"])
    await move(http, admin, ids[0], "confirm")

    first = await http.get(f"{P}/orders?limit=2", headers=admin)
    second = await http.get(
        f"{P}/orders?limit=2&after={first.json()['next_cursor']}", headers=admin
    )
    confirmed = await http.get(f"{P}/orders?status=confirmed", headers=admin)
    bad_cursor = await http.get(f"{P}/orders?after=nonsense", headers=admin)

    assert [o["number"] for o in first.json()["items"]] == [3, 2]
    assert first.json()["has_more"] is True
    assert [o["number"] for o in second.json()["items"]] == [1]
    assert second.json()["has_more"] is False
    assert [o["id"] for o in confirmed.json()["items"]] == [ids[0]]
    assert bad_cursor.status_code == 422
