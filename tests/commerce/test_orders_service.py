"""OrderService under concurrency and on a statement budget: order numbers without gaps, one
winner of racing transitions, and a checkout of two lines in a pinned number of statements."""

from __future__ import annotations

import asyncio
import uuid
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import event

from rustok.commerce.orders.errors import OrderStale, OrderTransitionInvalid
from rustok.commerce.orders.models import Order, Payment
from rustok.commerce.orders.schemas import CancelInput, CheckoutInput, PayInput
from rustok.commerce.orders.service import OrderService
from rustok.core.errors import DomainError
from tests.commerce.conftest import count, events
from tests.commerce.ordering import (
    cart_with,
    placed_order,
    reservations,
    stock_of,
    stocked_variants,
)

if TYPE_CHECKING:
    from collections.abc import Iterator

    import httpx

    from rustok.bootstrap import Container
    from rustok.core.tenant import TenantSnapshot

BUYER = CheckoutInput(email="ada@example.com")
CHECKOUT_STATEMENTS = {"sqlite": 21, "postgres": 21}
"""A checkout of two lines (Saleor's `checkoutComplete` runs about 230): pinned so that a
change which adds a query per line, or a query of its own, shows here."""


@contextmanager
def statements(container: Container) -> Iterator[list[str]]:
    """The SQL statements the application's engine runs meanwhile, minus the relay's polling
    of the outbox (not the use case's)."""
    seen: list[str] = []

    def record(*args: Any) -> None:
        statement: str = args[2]
        if "sys_events" in statement and not statement.lstrip().upper().startswith("INSERT"):
            return
        seen.append(statement)

    engine = container.engine.sync_engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


@pytest.fixture
def orders(container: Container) -> OrderService:
    return container.service(OrderService)


async def test_fifty_concurrent_checkouts_are_numbered_1_to_50(
    http: httpx.AsyncClient,
    admin: dict[str, str],
    anonymous: dict[str, str],
    orders: OrderService,
    shop: TenantSnapshot,
    container: Container,
) -> None:
    small, _ = await stocked_variants(http, admin, stock=50)
    carts = [uuid.UUID(await cart_with(http, anonymous, [(small, 1)])) for _ in range(50)]

    placed = await asyncio.gather(
        *(orders.checkout(shop, cart_id, BUYER, customer_id=None) for cart_id in carts)
    )

    assert sorted(order.number for order in placed) == list(range(1, 51))
    assert await stock_of(container, small) == (50, 50)
    assert len(await events(container, "commerce.order.placed")) == 50


async def test_a_rolled_back_checkout_leaves_no_gap_in_the_numbers(
    http: httpx.AsyncClient,
    admin: dict[str, str],
    anonymous: dict[str, str],
    orders: OrderService,
    shop: TenantSnapshot,
) -> None:
    small, medium = await stocked_variants(http, admin, stock=1)
    first = uuid.UUID(await cart_with(http, anonymous, [(small, 1)]))
    short = uuid.UUID(await cart_with(http, anonymous, [(medium, 5)]))
    last = uuid.UUID(await cart_with(http, anonymous, [(medium, 1)]))

    one = await orders.checkout(shop, first, BUYER, customer_id=None)
    with pytest.raises(DomainError) as refused:
        await orders.checkout(shop, short, BUYER, customer_id=None)
    two = await orders.checkout(shop, last, BUYER, customer_id=None)

    assert refused.value.code == "INSUFFICIENT_STOCK"
    assert (one.number, two.number) == (1, 2)


async def test_of_a_concurrent_pay_and_cancel_exactly_one_wins(
    http: httpx.AsyncClient,
    admin: dict[str, str],
    customer: dict[str, str],
    orders: OrderService,
    shop: TenantSnapshot,
    container: Container,
) -> None:
    # Whichever way they interleave, only one of them may happen: paid orders do not cancel,
    # cancelled ones do not pay; read together, the second to save meets a newer version.
    order = await placed_order(http, admin, customer)
    order_id = uuid.UUID(order["id"])
    await orders.confirm(shop, order_id)

    outcomes = await asyncio.gather(
        orders.pay(shop, order_id, PayInput()),
        orders.cancel(shop, order_id, CancelInput()),
        return_exceptions=True,
    )

    losers = [o for o in outcomes if isinstance(o, BaseException)]
    assert len(losers) == 1
    assert isinstance(losers[0], OrderStale | OrderTransitionInvalid)
    moved = [e.event_type for e in await events(container, "commerce.order.")][2:]
    stored = (await http.get(f"/api/commerce/orders/{order_id}", headers=admin)).json()
    assert stored["version"] == 3
    if stored["status"] == "cancelled":
        assert moved == ["commerce.order.cancelled"]
        assert [r.status for r in await reservations(container)] == ["released", "released"]
        assert await count(container, Payment) == 0
    else:
        assert moved == ["commerce.order.paid"]
        assert [r.status for r in await reservations(container)] == ["live", "live"]
        assert await count(container, Payment) == 1


async def test_a_confirm_racing_a_cancel_leaves_a_consistent_order(
    http: httpx.AsyncClient,
    admin: dict[str, str],
    customer: dict[str, str],
    orders: OrderService,
    shop: TenantSnapshot,
    container: Container,
) -> None:
    # Confirm then cancel is a legal sequence, so both may succeed one after the other; read
    # together, the second to save is refused. Either way each success moved the order once.
    order = await placed_order(http, admin, customer)
    order_id = uuid.UUID(order["id"])

    outcomes = await asyncio.gather(
        orders.confirm(shop, order_id),
        orders.cancel(shop, order_id, CancelInput()),
        return_exceptions=True,
    )

    won = [o for o in outcomes if not isinstance(o, BaseException)]
    lost = [o for o in outcomes if isinstance(o, BaseException)]
    assert all(isinstance(o, OrderStale | OrderTransitionInvalid) for o in lost)
    stored = (await http.get(f"/api/commerce/orders/{order_id}", headers=admin)).json()
    assert stored["version"] == 1 + len(won)
    assert len(await events(container, "commerce.order.")) == 1 + len(won)


async def test_a_two_line_checkout_runs_a_pinned_number_of_statements(
    http: httpx.AsyncClient,
    admin: dict[str, str],
    anonymous: dict[str, str],
    orders: OrderService,
    shop: TenantSnapshot,
    container: Container,
    backend: str,
) -> None:
    small, medium = await stocked_variants(http, admin)
    cart_id = uuid.UUID(await cart_with(http, anonymous, [(small, 2), (medium, 1)]))

    with statements(container) as seen:
        await orders.checkout(shop, cart_id, BUYER, customer_id=None)

    assert len(seen) == CHECKOUT_STATEMENTS[backend], "\n".join(seen)
    assert len(seen) < 40
    assert await count(container, Order) == 1
