"""Order DTOs: checkout's input, the transitions' inputs, orders with their lines, payments and
refunds. Amounts are integers of minor units with their currency (pricing's `MoneyRead`)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StrictBool

from rustok.auth.schemas import Email
from rustok.commerce.cart.schemas import Address
from rustok.commerce.catalog.schemas import MAX_AMOUNT, Amount
from rustok.commerce.orders.states import OrderStatus
from rustok.commerce.pricing.schemas import MoneyRead
from rustok.core.numbers import WHOLE_NUMBER
from rustok.core.text import PlainText

Reason = Annotated[PlainText, Field(max_length=500, examples=["Customer changed their mind"])]
# Bounds before the whole-number check, so the JSON Schema says minimum / maximum.
RefundAmount = Annotated[
    int,
    Field(ge=1, le=MAX_AMOUNT, examples=[500], description="Minor units (cents), never a float."),
    WHOLE_NUMBER,
]
ProviderName = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_-]{0,31}$", examples=["manual"])]


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class CheckoutInput(_Input):
    """Checkout's body: the buyer's e-mail and addresses, each else the cart's."""

    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        json_schema_extra={"examples": [{"email": "ada@example.com"}]},
    )
    email: Email | None = None
    shipping_address: Address | None = None
    billing_address: Address | None = None
    accept_price_changes: StrictBool = False
    """Place the order although a line's price changed since it was added (at the new price);
    without it such a checkout is a 409 `CART_PRICES_CHANGED` naming the lines."""


class PayInput(_Input):
    """Pay with `provider` (`manual` records an offline payment); `amount`, when sent, must be
    the order's total."""

    model_config = ConfigDict(
        extra="forbid", str_strip_whitespace=True, json_schema_extra={"examples": [{}]}
    )
    provider: ProviderName = "manual"
    amount: Amount | None = None


class FulfilInput(_Input):
    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        json_schema_extra={
            "examples": [{"tracking_number": "1Z999AA10123456784", "carrier": "UPS"}]
        },
    )
    tracking_number: Annotated[PlainText, Field(min_length=1, max_length=100)]
    carrier: Annotated[PlainText, Field(min_length=1, max_length=100)]


class CancelInput(_Input):
    model_config = ConfigDict(
        extra="forbid", str_strip_whitespace=True, json_schema_extra={"examples": [{}]}
    )
    reason: Reason | None = None


class RefundInput(_Input):
    """Refund `amount` (at most what was paid and not yet refunded). `restock` returns every
    line to stock; it needs the refund that empties the order (a partial refund cannot say
    which units came back)."""

    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        json_schema_extra={"examples": [{"amount": 500, "restock": False}]},
    )
    amount: RefundAmount
    restock: StrictBool = False
    reason: Reason = ""


class OrderLineRead(BaseModel):
    id: uuid.UUID
    variant_id: uuid.UUID
    sku: str
    title: str
    quantity: int
    unit_price: MoneyRead
    tax: MoneyRead
    total: MoneyRead


class PaymentRead(BaseModel):
    id: uuid.UUID
    provider: str
    status: str
    amount: MoneyRead
    refunded: MoneyRead
    reference: str
    created_at: datetime


class RefundRead(BaseModel):
    id: uuid.UUID
    payment_id: uuid.UUID
    amount: MoneyRead
    restock: bool
    reason: str
    created_at: datetime


class OrderRead(BaseModel):
    id: uuid.UUID
    number: int
    status: OrderStatus
    version: int
    customer_id: uuid.UUID | None
    cart_id: uuid.UUID | None
    email: str
    currency_code: str
    subtotal: MoneyRead
    tax_total: MoneyRead
    total: MoneyRead
    paid: MoneyRead
    refunded: MoneyRead
    shipping_address: Address | None
    billing_address: Address | None
    tracking_number: str | None
    carrier: str | None
    cancel_reason: str | None
    lines: list[OrderLineRead]
    payments: list[PaymentRead]
    refunds: list[RefundRead]
    placed_at: datetime
    confirmed_at: datetime | None
    paid_at: datetime | None
    fulfilled_at: datetime | None
    delivered_at: datetime | None
    cancelled_at: datetime | None
    refunded_at: datetime | None


class OrderFilter(BaseModel):
    status: OrderStatus | None = None
    customer_id: uuid.UUID | None = None


class WebhookReceipt(BaseModel):
    """What a webhook delivery did: `processed` (the order moved or was already there),
    `duplicate` (this event id was handled before; nothing moved)."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"status": "processed"}]})

    status: str
    order_id: uuid.UUID | None = None
    order_status: OrderStatus | None = None
