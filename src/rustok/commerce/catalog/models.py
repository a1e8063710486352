"""Tables of the catalog. Every row belongs to one tenant, and every foreign key between them
includes `tenant_id`, so a row can never point into another tenant."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    ForeignKeyConstraint,
    Integer,
    PrimaryKeyConstraint,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from rustok.core.db import Base, IdMixin, TenantOwned, TimestampMixin

Amount = BigInteger().with_variant(Integer(), "sqlite")


def _parent(table: str, column: str, *, cascade: bool = True) -> ForeignKeyConstraint:
    """A foreign key to `table` that includes the tenant: (tenant_id, column) -> (tenant_id, id)."""
    return ForeignKeyConstraint(
        ["tenant_id", column],
        [f"{table}.tenant_id", f"{table}.id"],
        ondelete="CASCADE" if cascade else None,
        name=f"fk_{table}_{column}"[:60],
    )


class Product(TenantOwned, IdMixin, TimestampMixin, Base):
    __tablename__ = "commerce_products"
    __table_args__ = (UniqueConstraint("tenant_id", "id"),)

    status: Mapped[str] = mapped_column(String(16), default="draft")
    metadata_: Mapped[dict[str, Any]] = mapped_column("metadata", default=dict)
    version: Mapped[int] = mapped_column(default=1)
    published_at: Mapped[datetime | None]
    deleted_at: Mapped[datetime | None]


class ProductTranslation(TenantOwned, IdMixin, Base):
    __tablename__ = "commerce_product_translations"
    __table_args__ = (
        UniqueConstraint("tenant_id", "locale", "handle"),
        UniqueConstraint("product_id", "locale"),
        _parent("commerce_products", "product_id"),
    )

    product_id: Mapped[uuid.UUID] = mapped_column(index=True)
    locale: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(255))
    subtitle: Mapped[str | None] = mapped_column(String(255))
    handle: Mapped[str] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(Text)


class ProductOption(TenantOwned, IdMixin, Base):
    """An option such as Size; `translations` maps a locale to its title there."""

    __tablename__ = "commerce_product_options"
    __table_args__ = (
        UniqueConstraint("tenant_id", "id"),
        UniqueConstraint("product_id", "title"),
        _parent("commerce_products", "product_id"),
    )

    product_id: Mapped[uuid.UUID] = mapped_column(index=True)
    title: Mapped[str] = mapped_column(String(100))
    translations: Mapped[dict[str, Any]] = mapped_column(default=dict)
    rank: Mapped[int] = mapped_column(default=0)


class OptionValue(TenantOwned, IdMixin, Base):
    __tablename__ = "commerce_option_values"
    __table_args__ = (
        UniqueConstraint("tenant_id", "id"),
        UniqueConstraint("option_id", "value"),
        _parent("commerce_product_options", "option_id"),
    )

    option_id: Mapped[uuid.UUID] = mapped_column(index=True)
    product_id: Mapped[uuid.UUID] = mapped_column(index=True)
    value: Mapped[str] = mapped_column(String(100))
    translations: Mapped[dict[str, Any]] = mapped_column(default=dict)
    rank: Mapped[int] = mapped_column(default=0)


class Variant(TenantOwned, IdMixin, TimestampMixin, Base):
    """A sellable variant. `options_key` is its option values' ids, sorted and joined: unique per
    product, so two variants cannot have the same combination."""

    __tablename__ = "commerce_variants"
    __table_args__ = (
        UniqueConstraint("tenant_id", "id"),
        UniqueConstraint("tenant_id", "sku"),
        UniqueConstraint("product_id", "options_key"),
        _parent("commerce_products", "product_id"),
    )

    product_id: Mapped[uuid.UUID] = mapped_column(index=True)
    sku: Mapped[str] = mapped_column(String(64))
    barcode: Mapped[str | None] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(255), default="")
    options_key: Mapped[str] = mapped_column(String(1000), default="")
    weight_g: Mapped[int | None]
    length_mm: Mapped[int | None]
    width_mm: Mapped[int | None]
    height_mm: Mapped[int | None]
    manage_inventory: Mapped[bool] = mapped_column(default=True)
    allow_backorder: Mapped[bool] = mapped_column(default=False)
    rank: Mapped[int] = mapped_column(default=0)
    metadata_: Mapped[dict[str, Any]] = mapped_column("metadata", default=dict)


class VariantOptionValue(TenantOwned, Base):
    __tablename__ = "commerce_variant_option_values"
    __table_args__ = (
        PrimaryKeyConstraint("variant_id", "option_value_id"),
        _parent("commerce_variants", "variant_id"),
        _parent("commerce_option_values", "option_value_id"),
    )

    variant_id: Mapped[uuid.UUID]
    option_value_id: Mapped[uuid.UUID] = mapped_column(index=True)


class VariantPrice(TenantOwned, IdMixin, Base):
    """A variant's base price in one currency (price lists adjust it: `commerce.pricing`)."""

    __tablename__ = "commerce_variant_prices"
    __table_args__ = (
        UniqueConstraint("variant_id", "currency_code"),
        _parent("commerce_variants", "variant_id"),
    )

    variant_id: Mapped[uuid.UUID] = mapped_column(index=True)
    currency_code: Mapped[str] = mapped_column(String(3))
    amount: Mapped[int] = mapped_column(Amount)
    compare_at_amount: Mapped[int | None] = mapped_column(Amount)


class ProductImage(TenantOwned, IdMixin, Base):
    """An image of a product: a media item (`media_id`, no foreign key until media exists),
    its rank and its alt text per locale."""

    __tablename__ = "commerce_product_images"
    __table_args__ = (_parent("commerce_products", "product_id"),)

    product_id: Mapped[uuid.UUID] = mapped_column(index=True)
    media_id: Mapped[uuid.UUID]
    rank: Mapped[int] = mapped_column(default=0)
    alt: Mapped[dict[str, Any]] = mapped_column(default=dict)


class Collection(TenantOwned, IdMixin, TimestampMixin, Base):
    __tablename__ = "commerce_collections"
    __table_args__ = (UniqueConstraint("tenant_id", "id"),)

    metadata_: Mapped[dict[str, Any]] = mapped_column("metadata", default=dict)


class CollectionTranslation(TenantOwned, IdMixin, Base):
    __tablename__ = "commerce_collection_translations"
    __table_args__ = (
        UniqueConstraint("tenant_id", "locale", "handle"),
        UniqueConstraint("collection_id", "locale"),
        _parent("commerce_collections", "collection_id"),
    )

    collection_id: Mapped[uuid.UUID] = mapped_column(index=True)
    locale: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(255))
    handle: Mapped[str] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(Text)


class Category(TenantOwned, IdMixin, TimestampMixin, Base):
    """A product category; `parent_id` makes the tree (same tenant, by the composite key)."""

    __tablename__ = "commerce_categories"
    __table_args__ = (
        UniqueConstraint("tenant_id", "id"),
        ForeignKeyConstraint(
            ["tenant_id", "parent_id"],
            ["commerce_categories.tenant_id", "commerce_categories.id"],
            name="fk_commerce_categories_parent_id",
        ),
    )

    parent_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    rank: Mapped[int] = mapped_column(default=0)
    is_active: Mapped[bool] = mapped_column(default=True)


class CategoryTranslation(TenantOwned, IdMixin, Base):
    __tablename__ = "commerce_category_translations"
    __table_args__ = (
        UniqueConstraint("tenant_id", "locale", "handle"),
        UniqueConstraint("category_id", "locale"),
        _parent("commerce_categories", "category_id"),
    )

    category_id: Mapped[uuid.UUID] = mapped_column(index=True)
    locale: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(255))
    handle: Mapped[str] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(Text)


class ProductCollection(TenantOwned, Base):
    __tablename__ = "commerce_product_collections"
    __table_args__ = (
        PrimaryKeyConstraint("product_id", "collection_id"),
        _parent("commerce_products", "product_id"),
        _parent("commerce_collections", "collection_id"),
    )

    product_id: Mapped[uuid.UUID]
    collection_id: Mapped[uuid.UUID] = mapped_column(index=True)


class ProductCategory(TenantOwned, Base):
    __tablename__ = "commerce_product_categories"
    __table_args__ = (
        PrimaryKeyConstraint("product_id", "category_id"),
        _parent("commerce_products", "product_id"),
        _parent("commerce_categories", "category_id"),
    )

    product_id: Mapped[uuid.UUID]
    category_id: Mapped[uuid.UUID] = mapped_column(index=True)
