"""Tables of orders: orders with their frozen lines, the per-tenant order number counter,
payments, refunds and the payment provider events already seen. Lines keep the variant's id
without a foreign key: an order outlives the catalog row it was bought from."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKeyConstraint, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from rustok.core.db import Base, IdMixin, TenantOwned, TimestampMixin

Amount = BigInteger().with_variant(Integer(), "sqlite")


class OrderCounter(TenantOwned, IdMixin, Base):
    """The last order number a tenant handed out; taken by one atomic upsert in the unit of
    work that creates the order, so a rolled-back checkout leaves no gap."""

    __tablename__ = "commerce_order_counters"
    __table_args__ = (UniqueConstraint("tenant_id"),)

    last_number: Mapped[int] = mapped_column(default=0)


class Order(TenantOwned, IdMixin, TimestampMixin, Base):
    __tablename__ = "commerce_orders"
    __table_args__ = (UniqueConstraint("tenant_id", "id"), UniqueConstraint("tenant_id", "number"))

    number: Mapped[int]
    status: Mapped[str] = mapped_column(String(16), index=True)
    version: Mapped[int] = mapped_column(default=1)
    customer_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    cart_id: Mapped[uuid.UUID | None]
    email: Mapped[str] = mapped_column(String(254))
    currency_code: Mapped[str] = mapped_column(String(3))
    subtotal: Mapped[int] = mapped_column(Amount)
    tax_total: Mapped[int] = mapped_column(Amount)
    total: Mapped[int] = mapped_column(Amount)
    paid_amount: Mapped[int] = mapped_column(Amount, default=0)
    refunded_amount: Mapped[int] = mapped_column(Amount, default=0)
    shipping_address: Mapped[dict[str, Any] | None]
    billing_address: Mapped[dict[str, Any] | None]
    tracking_number: Mapped[str | None] = mapped_column(String(100))
    carrier: Mapped[str | None] = mapped_column(String(100))
    cancel_reason: Mapped[str | None] = mapped_column(String(500))
    placed_at: Mapped[datetime]
    confirmed_at: Mapped[datetime | None]
    paid_at: Mapped[datetime | None]
    fulfilled_at: Mapped[datetime | None]
    delivered_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]
    refunded_at: Mapped[datetime | None]


class OrderLine(TenantOwned, IdMixin, Base):
    """A line as it was bought: SKU, title and prices frozen at checkout."""

    __tablename__ = "commerce_order_lines"
    __table_args__ = (
        ForeignKeyConstraint(
            ["tenant_id", "order_id"],
            ["commerce_orders.tenant_id", "commerce_orders.id"],
            ondelete="CASCADE",
            name="fk_commerce_order_lines_order",
        ),
    )

    order_id: Mapped[uuid.UUID] = mapped_column(index=True)
    rank: Mapped[int]
    variant_id: Mapped[uuid.UUID]
    sku: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(500))
    quantity: Mapped[int]
    unit_price: Mapped[int] = mapped_column(Amount)
    tax: Mapped[int] = mapped_column(Amount)
    total: Mapped[int] = mapped_column(Amount)


class Payment(TenantOwned, IdMixin, TimestampMixin, Base):
    """One payment of an order at a provider: authorised, then captured; `refunded_amount`
    grows with each refund."""

    __tablename__ = "commerce_payments"
    __table_args__ = (
        UniqueConstraint("tenant_id", "id"),
        ForeignKeyConstraint(
            ["tenant_id", "order_id"],
            ["commerce_orders.tenant_id", "commerce_orders.id"],
            ondelete="CASCADE",
            name="fk_commerce_payments_order",
        ),
    )

    order_id: Mapped[uuid.UUID] = mapped_column(index=True)
    provider: Mapped[str] = mapped_column(String(32))
    amount: Mapped[int] = mapped_column(Amount)
    currency_code: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(24))
    reference: Mapped[str] = mapped_column(String(200))
    refunded_amount: Mapped[int] = mapped_column(Amount, default=0)


class Refund(TenantOwned, IdMixin, Base):
    __tablename__ = "commerce_refunds"
    __table_args__ = (
        ForeignKeyConstraint(
            ["tenant_id", "order_id"],
            ["commerce_orders.tenant_id", "commerce_orders.id"],
            ondelete="CASCADE",
            name="fk_commerce_refunds_order",
        ),
        ForeignKeyConstraint(
            ["tenant_id", "payment_id"],
            ["commerce_payments.tenant_id", "commerce_payments.id"],
            ondelete="CASCADE",
            name="fk_commerce_refunds_payment",
        ),
    )

    order_id: Mapped[uuid.UUID] = mapped_column(index=True)
    payment_id: Mapped[uuid.UUID]
    amount: Mapped[int] = mapped_column(Amount)
    currency_code: Mapped[str] = mapped_column(String(3))
    restock: Mapped[bool] = mapped_column(default=False)
    reason: Mapped[str] = mapped_column(String(500), default="")
    reference: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime]


class PaymentEvent(TenantOwned, IdMixin, Base):
    """A provider's webhook event already handled: the same event id twice moves nothing."""

    __tablename__ = "commerce_payment_events"
    __table_args__ = (UniqueConstraint("tenant_id", "provider", "event_id"),)

    provider: Mapped[str] = mapped_column(String(32))
    event_id: Mapped[str] = mapped_column(String(200))
    event_type: Mapped[str] = mapped_column(String(64))
    order_id: Mapped[uuid.UUID]
    received_at: Mapped[datetime]
