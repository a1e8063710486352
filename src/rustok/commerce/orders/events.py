"""Events orders emit. Every one carries the order number, its status, its lines and its
amounts as integers of minor units with the currency, so a read model or an integration needs
nothing else."""

from __future__ import annotations

import uuid
from typing import ClassVar

from pydantic import BaseModel, ConfigDict

from rustok.events.registry import EVENTS, DomainEvent


class OrderLinePayload(BaseModel):
    model_config = ConfigDict(frozen=True)

    variant_id: uuid.UUID
    sku: str
    title: str
    quantity: int
    unit_price: int
    tax: int
    total: int


class _OrderEvent(DomainEvent):
    aggregate_type: ClassVar[str] = "order"
    aggregate_field: ClassVar[str] = "order_id"

    order_id: uuid.UUID
    number: int
    version: int
    status: str
    customer_id: uuid.UUID | None
    currency_code: str
    subtotal: int
    tax_total: int
    total: int
    paid_amount: int
    refunded_amount: int
    lines: list[OrderLinePayload]


@EVENTS.register
class OrderPlaced(_OrderEvent):
    """Checkout turned a cart into a pending order; its stock is reserved."""

    event_type: ClassVar[str] = "commerce.order.placed"
    schema_version: ClassVar[int] = 1

    cart_id: uuid.UUID | None
    email: str


@EVENTS.register
class OrderConfirmed(_OrderEvent):
    event_type: ClassVar[str] = "commerce.order.confirmed"
    schema_version: ClassVar[int] = 1


@EVENTS.register
class OrderPaid(_OrderEvent):
    event_type: ClassVar[str] = "commerce.order.paid"
    schema_version: ClassVar[int] = 1

    payment_id: uuid.UUID
    provider: str
    amount: int


@EVENTS.register
class OrderFulfilled(_OrderEvent):
    """Shipped: the reserved stock has left the warehouse."""

    event_type: ClassVar[str] = "commerce.order.fulfilled"
    schema_version: ClassVar[int] = 1

    tracking_number: str
    carrier: str


@EVENTS.register
class OrderDelivered(_OrderEvent):
    event_type: ClassVar[str] = "commerce.order.delivered"
    schema_version: ClassVar[int] = 1


@EVENTS.register
class OrderCancelled(_OrderEvent):
    """Cancelled before payment; its reservations were released."""

    event_type: ClassVar[str] = "commerce.order.cancelled"
    schema_version: ClassVar[int] = 1

    reason: str | None


@EVENTS.register
class OrderRefunded(_OrderEvent):
    """A refund of `amount` (full when `status` is `refunded`, else partial)."""

    event_type: ClassVar[str] = "commerce.order.refunded"
    schema_version: ClassVar[int] = 1

    refund_id: uuid.UUID
    amount: int
    restocked: bool
