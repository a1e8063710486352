"""The order's states as types: each state is its own class, and its methods are the only legal
transitions out of it, so an illegal one does not type-check (`PendingOrder(...).fulfil(...)`
is a mypy error; tests/commerce/test_order_states.py proves it).

    pending ──confirm──> confirmed ──pay──> paid ──fulfil──> fulfilled ──deliver──> delivered
       │                    │                 │                  │                    │
       └──cancel──> cancelled <──cancel───────┘                 refund (full) ──> refunded
                                              └──refund (full)──> refunded     (partial: stays)

A refund is possible once the order is paid: from `paid`, `fulfilled` and `delivered`. A
partial one keeps the state (the refunded amount grows), the one that reaches the amount paid
moves the order to `refunded`. Nothing here touches the database: the service turns a stored row
into its state (`state_of`), calls the transition and saves the result.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum
from typing import TYPE_CHECKING, ClassVar, Self

if TYPE_CHECKING:
    import uuid


class OrderStatus(StrEnum):
    PENDING = "pending"
    CONFIRMED = "confirmed"
    PAID = "paid"
    FULFILLED = "fulfilled"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"
    REFUNDED = "refunded"


@dataclass(frozen=True, slots=True)
class OrderFacts:
    """What every state knows: the order and the amounts its transitions decide on."""

    id: uuid.UUID
    number: int
    currency_code: str
    total: int
    paid_amount: int = 0
    refunded_amount: int = 0
    tracking_number: str | None = None
    carrier: str | None = None


@dataclass(frozen=True, slots=True)
class _Order:
    status: ClassVar[OrderStatus]

    facts: OrderFacts


@dataclass(frozen=True, slots=True)
class CancelledOrder(_Order):
    status: ClassVar[OrderStatus] = OrderStatus.CANCELLED


@dataclass(frozen=True, slots=True)
class RefundedOrder(_Order):
    status: ClassVar[OrderStatus] = OrderStatus.REFUNDED


@dataclass(frozen=True, slots=True)
class _Refundable(_Order):
    @property
    def refundable(self) -> int:
        return self.facts.paid_amount - self.facts.refunded_amount

    def refund(self, amount: int) -> RefundedOrder | Self:
        """Refund `amount` (1..refundable, the service checks it first with a 422): the order
        is `refunded` once nothing paid is left, else it stays where it is."""
        if not 0 < amount <= self.refundable:
            raise ValueError(f"refund {amount} outside 1..{self.refundable}")
        facts = replace(self.facts, refunded_amount=self.facts.refunded_amount + amount)
        if facts.refunded_amount == facts.paid_amount:
            return RefundedOrder(facts)
        return replace(self, facts=facts)


@dataclass(frozen=True, slots=True)
class DeliveredOrder(_Refundable):
    status: ClassVar[OrderStatus] = OrderStatus.DELIVERED


@dataclass(frozen=True, slots=True)
class FulfilledOrder(_Refundable):
    status: ClassVar[OrderStatus] = OrderStatus.FULFILLED

    def deliver(self) -> DeliveredOrder:
        return DeliveredOrder(self.facts)


@dataclass(frozen=True, slots=True)
class PaidOrder(_Refundable):
    status: ClassVar[OrderStatus] = OrderStatus.PAID

    def fulfil(self, tracking_number: str, carrier: str) -> FulfilledOrder:
        return FulfilledOrder(replace(self.facts, tracking_number=tracking_number, carrier=carrier))


@dataclass(frozen=True, slots=True)
class ConfirmedOrder(_Order):
    status: ClassVar[OrderStatus] = OrderStatus.CONFIRMED

    def pay(self, amount: int) -> PaidOrder:
        """Record `amount` captured; it must be the order's total (the service checks it with
        a 422 first)."""
        if amount != self.facts.total:
            raise ValueError(f"payment {amount} is not the total {self.facts.total}")
        return PaidOrder(replace(self.facts, paid_amount=amount))

    def cancel(self) -> CancelledOrder:
        return CancelledOrder(self.facts)


@dataclass(frozen=True, slots=True)
class PendingOrder(_Order):
    status: ClassVar[OrderStatus] = OrderStatus.PENDING

    def confirm(self) -> ConfirmedOrder:
        return ConfirmedOrder(self.facts)

    def cancel(self) -> CancelledOrder:
        return CancelledOrder(self.facts)


OrderState = (
    PendingOrder
    | ConfirmedOrder
    | PaidOrder
    | FulfilledOrder
    | DeliveredOrder
    | CancelledOrder
    | RefundedOrder
)

STATES: dict[OrderStatus, type[OrderState]] = {
    state.status: state
    for state in (
        PendingOrder,
        ConfirmedOrder,
        PaidOrder,
        FulfilledOrder,
        DeliveredOrder,
        CancelledOrder,
        RefundedOrder,
    )
}


def state_of(status: str, facts: OrderFacts) -> OrderState:
    """The state a stored status names, holding `facts`."""
    return STATES[OrderStatus(status)](facts)
