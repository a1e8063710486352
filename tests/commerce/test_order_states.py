"""The type-state order: every legal transition, and an illegal one that mypy refuses."""

from __future__ import annotations

import uuid

import pytest
from mypy import api as mypy_api

from rustok.commerce.orders.states import (
    CancelledOrder,
    ConfirmedOrder,
    DeliveredOrder,
    FulfilledOrder,
    OrderFacts,
    OrderStatus,
    PaidOrder,
    PendingOrder,
    RefundedOrder,
    state_of,
)

FACTS = OrderFacts(id=uuid.uuid4(), number=7, currency_code="EUR", total=3998)


def test_the_happy_path_walks_every_state_to_delivered() -> None:
    confirmed = PendingOrder(FACTS).confirm()
    paid = confirmed.pay(3998)
    fulfilled = paid.fulfil("1Z999", "UPS")
    delivered = fulfilled.deliver()

    assert [type(s) for s in (confirmed, paid, fulfilled, delivered)] == [
        ConfirmedOrder,
        PaidOrder,
        FulfilledOrder,
        DeliveredOrder,
    ]
    assert (delivered.facts.paid_amount, delivered.facts.tracking_number) == (3998, "1Z999")
    assert delivered.facts.carrier == "UPS"
    assert delivered.status is OrderStatus.DELIVERED


def test_pending_and_confirmed_orders_cancel() -> None:
    assert type(PendingOrder(FACTS).cancel()) is CancelledOrder
    assert type(ConfirmedOrder(FACTS).cancel()) is CancelledOrder


def test_a_partial_refund_keeps_the_state_and_the_rest_refunds_the_order() -> None:
    paid = ConfirmedOrder(FACTS).pay(3998)

    partial = paid.refund(1000)
    full = partial.refund(2998)

    assert type(partial) is PaidOrder
    assert partial.facts.refunded_amount == 1000
    assert type(full) is RefundedOrder
    assert full.facts.refunded_amount == 3998


@pytest.mark.parametrize("state", ["fulfilled", "delivered"])
def test_shipped_orders_refund_too(state: str) -> None:
    paid = ConfirmedOrder(FACTS).pay(3998)
    shipped = paid.fulfil("T", "DHL") if state == "fulfilled" else paid.fulfil("T", "DHL").deliver()

    assert type(shipped.refund(3998)) is RefundedOrder
    assert type(shipped.refund(1)) is type(shipped)


def test_amounts_outside_the_rules_are_refused_by_the_states_too() -> None:
    paid = ConfirmedOrder(FACTS).pay(3998)

    with pytest.raises(ValueError, match="payment 1 is not the total 3998"):
        ConfirmedOrder(FACTS).pay(1)
    with pytest.raises(ValueError, match=r"refund 3999 outside 1\.\.3998"):
        paid.refund(3999)
    with pytest.raises(ValueError, match=r"refund 0 outside"):
        paid.refund(0)


def test_a_stored_status_becomes_its_state() -> None:
    assert [type(state_of(status.value, FACTS)).__name__ for status in OrderStatus] == [
        "PendingOrder",
        "ConfirmedOrder",
        "PaidOrder",
        "FulfilledOrder",
        "DeliveredOrder",
        "CancelledOrder",
        "RefundedOrder",
    ]


def test_mypy_refuses_an_illegal_transition() -> None:
    snippet = (
        "import uuid\n"
        "from rustok.commerce.orders.states import OrderFacts, PendingOrder\n"
        "facts = OrderFacts(id=uuid.uuid4(), number=1, currency_code='EUR', total=1)\n"
        "PendingOrder(facts).confirm().pay(1).fulfil('T', 'UPS').deliver()\n"
        "PendingOrder(facts).fulfil('T', 'UPS')\n"
        "PendingOrder(facts).confirm().pay(1).cancel()\n"
    )

    stdout, _, status = mypy_api.run(
        # The project's config names files to check; `-c` checks only the snippet.
        [
            "--config-file=",
            "--strict",
            "--no-error-summary",
            "--follow-imports=silent",
            "-c",
            snippet,
        ]
    )

    assert status == 1
    assert stdout.splitlines() == [
        '<string>:5: error: "PendingOrder" has no attribute "fulfil"  [attr-defined]',
        '<string>:6: error: "PaidOrder" has no attribute "cancel"  [attr-defined]',
    ]
