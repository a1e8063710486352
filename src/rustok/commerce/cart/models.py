"""Tables of the cart: carts and their lines. Foreign keys include `tenant_id`; a line names a
catalog variant by the composite key (by table name: the cart never imports the catalog's
models). A cart's id is a random UUID (version 4): knowing it is the right to use a guest's
cart, so it must not be guessable."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKeyConstraint, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from rustok.core.db import Base, IdMixin, TenantOwned, TimestampMixin

Amount = BigInteger().with_variant(Integer(), "sqlite")


class Cart(TenantOwned, TimestampMixin, Base):
    """A guest's (`customer_id` empty) or a customer's cart in one currency; `status` is
    active, completed (checked out: `order_id`) or expired (`expires_at` passed)."""

    __tablename__ = "commerce_carts"
    __table_args__ = (UniqueConstraint("tenant_id", "id"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    customer_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    currency_code: Mapped[str] = mapped_column(String(3))
    region_id: Mapped[uuid.UUID | None]
    email: Mapped[str | None] = mapped_column(String(254))
    shipping_address: Mapped[dict[str, Any] | None]
    billing_address: Mapped[dict[str, Any] | None]
    status: Mapped[str] = mapped_column(String(16), default="active")
    expires_at: Mapped[datetime] = mapped_column(index=True)
    completed_at: Mapped[datetime | None]
    order_id: Mapped[uuid.UUID | None]
    version: Mapped[int] = mapped_column(default=1)


class CartLine(TenantOwned, IdMixin, TimestampMixin, Base):
    """`quantity` units of a variant; `unit_price` is what one unit cost when the customer last
    set the line (adding, or changing its quantity), so a later change is detected."""

    __tablename__ = "commerce_cart_lines"
    __table_args__ = (
        UniqueConstraint("cart_id", "variant_id"),
        ForeignKeyConstraint(
            ["tenant_id", "cart_id"],
            ["commerce_carts.tenant_id", "commerce_carts.id"],
            ondelete="CASCADE",
            name="fk_commerce_cart_lines_cart",
        ),
        ForeignKeyConstraint(
            ["tenant_id", "variant_id"],
            ["commerce_variants.tenant_id", "commerce_variants.id"],
            ondelete="CASCADE",
            name="fk_commerce_cart_lines_variant",
        ),
    )

    cart_id: Mapped[uuid.UUID] = mapped_column(index=True)
    variant_id: Mapped[uuid.UUID] = mapped_column(index=True)
    product_id: Mapped[uuid.UUID]
    sku: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(255))
    quantity: Mapped[int]
    unit_price: Mapped[int] = mapped_column(Amount)
