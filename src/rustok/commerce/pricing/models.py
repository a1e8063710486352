"""Tables of pricing: regions and price lists with their prices. Foreign keys include
`tenant_id`; a price list price names a catalog variant by the composite key (by table name:
pricing never imports the catalog's models)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKeyConstraint, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from rustok.core.db import Base, IdMixin, TenantOwned, TimestampMixin

Amount = BigInteger().with_variant(Integer(), "sqlite")


class Region(TenantOwned, IdMixin, TimestampMixin, Base):
    """Where a shop sells: one currency, a tax rate in basis points, whether prices include it,
    and its countries (ISO 3166 alpha-2)."""

    __tablename__ = "commerce_regions"
    __table_args__ = (UniqueConstraint("tenant_id", "id"), UniqueConstraint("tenant_id", "name"))

    name: Mapped[str] = mapped_column(String(100))
    currency_code: Mapped[str] = mapped_column(String(3))
    tax_rate_bp: Mapped[int] = mapped_column(default=0)
    tax_inclusive: Mapped[bool] = mapped_column(default=False)
    countries: Mapped[list[Any]] = mapped_column(default=list)


class PriceList(TenantOwned, IdMixin, TimestampMixin, Base):
    """A sale (applies only when cheaper) or override (applies whatever it is) list, valid in a
    time window, limited to customer groups and regions (empty: any)."""

    __tablename__ = "commerce_price_lists"
    __table_args__ = (UniqueConstraint("tenant_id", "id"),)

    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(String(1000), default="")
    type: Mapped[str] = mapped_column(String(16), default="sale")
    status: Mapped[str] = mapped_column(String(16), default="draft")
    starts_at: Mapped[datetime | None]
    ends_at: Mapped[datetime | None]
    customer_groups: Mapped[list[Any]] = mapped_column(default=list)
    region_ids: Mapped[list[Any]] = mapped_column(default=list)
    version: Mapped[int] = mapped_column(default=1)


class PriceListPrice(TenantOwned, IdMixin, Base):
    """One price of a list for a variant, currency and quantity tier. `kind` says how `value`
    reads: `fixed` (the unit price, minor units), `percent_off` (basis points off the base
    price) or `amount_off` (minor units off the base price)."""

    __tablename__ = "commerce_price_list_prices"
    __table_args__ = (
        UniqueConstraint("price_list_id", "variant_id", "currency_code", "min_quantity"),
        ForeignKeyConstraint(
            ["tenant_id", "price_list_id"],
            ["commerce_price_lists.tenant_id", "commerce_price_lists.id"],
            ondelete="CASCADE",
            name="fk_commerce_price_list_prices_list",
        ),
        ForeignKeyConstraint(
            ["tenant_id", "variant_id"],
            ["commerce_variants.tenant_id", "commerce_variants.id"],
            ondelete="CASCADE",
            name="fk_commerce_price_list_prices_variant",
        ),
    )

    price_list_id: Mapped[uuid.UUID] = mapped_column(index=True)
    variant_id: Mapped[uuid.UUID] = mapped_column(index=True)
    currency_code: Mapped[str] = mapped_column(String(3))
    kind: Mapped[str] = mapped_column(String(16), default="fixed")
    value: Mapped[int] = mapped_column(Amount)
    min_quantity: Mapped[int] = mapped_column(default=1)
    max_quantity: Mapped[int | None]
