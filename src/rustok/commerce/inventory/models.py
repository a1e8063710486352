"""Tables of inventory: stock locations, levels per (variant, location), reservations and the
stock movements that audit every change of stock. Foreign keys include `tenant_id`; a level
names a catalog variant by the composite key (by table name: inventory never imports the
catalog's models)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKeyConstraint, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from rustok.core.clock import utcnow
from rustok.core.db import Base, IdMixin, TenantOwned, TimestampMixin


def _variant(table: str) -> ForeignKeyConstraint:
    return ForeignKeyConstraint(
        ["tenant_id", "variant_id"],
        ["commerce_variants.tenant_id", "commerce_variants.id"],
        ondelete="CASCADE",
        name=f"fk_{table}_variant",
    )


def _location(table: str) -> ForeignKeyConstraint:
    return ForeignKeyConstraint(
        ["tenant_id", "location_id"],
        ["commerce_stock_locations.tenant_id", "commerce_stock_locations.id"],
        ondelete="CASCADE",
        name=f"fk_{table}_location",
    )


class StockLocation(TenantOwned, IdMixin, TimestampMixin, Base):
    """A place stock is kept. Each tenant has exactly one default location (a partial unique
    index holds it), used when a request names none."""

    __tablename__ = "commerce_stock_locations"
    __table_args__ = (
        UniqueConstraint("tenant_id", "id"),
        UniqueConstraint("tenant_id", "name"),
        Index(
            "uq_commerce_stock_locations_default",
            "tenant_id",
            unique=True,
            sqlite_where=text("is_default"),
            postgresql_where=text("is_default"),
        ),
    )

    name: Mapped[str] = mapped_column(String(100))
    address_line1: Mapped[str | None] = mapped_column(String(200))
    address_line2: Mapped[str | None] = mapped_column(String(200))
    city: Mapped[str | None] = mapped_column(String(100))
    postal_code: Mapped[str | None] = mapped_column(String(20))
    country_code: Mapped[str | None] = mapped_column(String(2))
    is_default: Mapped[bool] = mapped_column(default=False)


class InventoryLevel(TenantOwned, IdMixin, TimestampMixin, Base):
    """Stock of one variant at one location. `available` = stocked - reserved; it goes below
    zero only for a variant that allows backorders."""

    __tablename__ = "commerce_inventory_levels"
    __table_args__ = (
        UniqueConstraint("variant_id", "location_id"),
        _variant("commerce_inventory_levels"),
        _location("commerce_inventory_levels"),
    )

    variant_id: Mapped[uuid.UUID] = mapped_column(index=True)
    location_id: Mapped[uuid.UUID] = mapped_column(index=True)
    stocked: Mapped[int] = mapped_column(default=0)
    reserved: Mapped[int] = mapped_column(default=0)
    incoming: Mapped[int] = mapped_column(default=0)
    low_stock_threshold: Mapped[int | None]


class Reservation(TenantOwned, IdMixin, TimestampMixin, Base):
    """Units of a variant held at a location for a cart or an order until `expires_at`
    (`live`), then `released` or `committed` (shipped: taken off `stocked`)."""

    __tablename__ = "commerce_reservations"
    __table_args__ = (
        _variant("commerce_reservations"),
        _location("commerce_reservations"),
        Index("ix_commerce_reservations_owner", "tenant_id", "owner_kind", "owner_id"),
        Index("ix_commerce_reservations_expiry", "status", "expires_at"),
    )

    owner_kind: Mapped[str] = mapped_column(String(16))
    owner_id: Mapped[uuid.UUID]
    variant_id: Mapped[uuid.UUID] = mapped_column(index=True)
    location_id: Mapped[uuid.UUID]
    quantity: Mapped[int]
    expires_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(16), default="live")


class StockMovement(TenantOwned, IdMixin, Base):
    """One change of a level's stock, for the audit: `kind` is adjust, set, transfer, commit or
    restock; `delta` the change of `stocked`, `stocked` what it is after."""

    __tablename__ = "commerce_stock_movements"
    __table_args__ = (
        _variant("commerce_stock_movements"),
        _location("commerce_stock_movements"),
        Index("ix_commerce_stock_movements_order", "tenant_id", "created_at", "id"),
    )

    variant_id: Mapped[uuid.UUID] = mapped_column(index=True)
    location_id: Mapped[uuid.UUID]
    kind: Mapped[str] = mapped_column(String(16))
    delta: Mapped[int]
    stocked: Mapped[int]
    reason: Mapped[str] = mapped_column(String(200))
    reference: Mapped[str | None] = mapped_column(String(200))
    actor_id: Mapped[uuid.UUID | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
