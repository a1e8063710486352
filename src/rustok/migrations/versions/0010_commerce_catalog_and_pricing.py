"""commerce catalog and pricing: products, translations, options, variants with base prices,
images, collections, categories; regions and price lists

Revision ID: 0010
Revises: 0007
Create Date: 2026-12-01 19:41:28

Every table is tenant-owned: each gets the tenant wall (row-level security on PostgreSQL), and
every foreign key between them includes tenant_id.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from rustok.core.walls import disable_tenant_wall, enable_tenant_wall

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


TABLES = (
    "commerce_categories",
    "commerce_collections",
    "commerce_price_lists",
    "commerce_products",
    "commerce_regions",
    "commerce_category_translations",
    "commerce_collection_translations",
    "commerce_product_categories",
    "commerce_product_collections",
    "commerce_product_images",
    "commerce_product_options",
    "commerce_product_translations",
    "commerce_variants",
    "commerce_option_values",
    "commerce_price_list_prices",
    "commerce_variant_prices",
    "commerce_variant_option_values",
)
"""In the order they are created (a table after those it refers to)."""


def upgrade() -> None:
    op.create_table(
        "commerce_categories",
        sa.Column("parent_id", sa.Uuid(), nullable=True),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "parent_id"],
            ["commerce_categories.tenant_id", "commerce_categories.id"],
            name="fk_commerce_categories_parent_id",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_commerce_categories_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_commerce_categories")),
        sa.UniqueConstraint("tenant_id", "id", name=op.f("uq_commerce_categories_tenant_id_id")),
    )
    op.create_index(
        op.f("ix_commerce_categories_parent_id"), "commerce_categories", ["parent_id"], unique=False
    )
    op.create_index(
        op.f("ix_commerce_categories_tenant_id"), "commerce_categories", ["tenant_id"], unique=False
    )

    op.create_table(
        "commerce_collections",
        sa.Column(
            "metadata", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False
        ),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_commerce_collections_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_commerce_collections")),
        sa.UniqueConstraint("tenant_id", "id", name=op.f("uq_commerce_collections_tenant_id_id")),
    )
    op.create_index(
        op.f("ix_commerce_collections_tenant_id"),
        "commerce_collections",
        ["tenant_id"],
        unique=False,
    )

    op.create_table(
        "commerce_price_lists",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.String(length=1000), nullable=False),
        sa.Column("type", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "customer_groups",
            sa.JSON().with_variant(postgresql.JSONB(), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "region_ids", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False
        ),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_commerce_price_lists_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_commerce_price_lists")),
        sa.UniqueConstraint("tenant_id", "id", name=op.f("uq_commerce_price_lists_tenant_id_id")),
    )
    op.create_index(
        op.f("ix_commerce_price_lists_tenant_id"),
        "commerce_price_lists",
        ["tenant_id"],
        unique=False,
    )

    op.create_table(
        "commerce_products",
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column(
            "metadata", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False
        ),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_commerce_products_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_commerce_products")),
        sa.UniqueConstraint("tenant_id", "id", name=op.f("uq_commerce_products_tenant_id_id")),
    )
    op.create_index(
        op.f("ix_commerce_products_tenant_id"), "commerce_products", ["tenant_id"], unique=False
    )

    op.create_table(
        "commerce_regions",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("currency_code", sa.String(length=3), nullable=False),
        sa.Column("tax_rate_bp", sa.Integer(), nullable=False),
        sa.Column("tax_inclusive", sa.Boolean(), nullable=False),
        sa.Column(
            "countries", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False
        ),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_commerce_regions_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_commerce_regions")),
        sa.UniqueConstraint("tenant_id", "id", name=op.f("uq_commerce_regions_tenant_id_id")),
        sa.UniqueConstraint("tenant_id", "name", name=op.f("uq_commerce_regions_tenant_id_name")),
    )
    op.create_index(
        op.f("ix_commerce_regions_tenant_id"), "commerce_regions", ["tenant_id"], unique=False
    )

    op.create_table(
        "commerce_category_translations",
        sa.Column("category_id", sa.Uuid(), nullable=False),
        sa.Column("locale", sa.String(length=16), nullable=False),
        sa.Column("title", sa.String(length=255), nullable=False),
        sa.Column("handle", sa.String(length=255), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "category_id"],
            ["commerce_categories.tenant_id", "commerce_categories.id"],
            name="fk_commerce_categories_category_id",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_commerce_category_translations_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_commerce_category_translations")),
        sa.UniqueConstraint(
            "category_id",
            "locale",
            name=op.f("uq_commerce_category_translations_category_id_locale"),
        ),
        sa.UniqueConstraint(
            "tenant_id",
            "locale",
            "handle",
            name=op.f("uq_commerce_category_translations_tenant_id_locale_handle"),
        ),
    )
    op.create_index(
        op.f("ix_commerce_category_translations_category_id"),
        "commerce_category_translations",
        ["category_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_commerce_category_translations_tenant_id"),
        "commerce_category_translations",
        ["tenant_id"],
        unique=False,
    )

    op.create_table(
        "commerce_collection_translations",
        sa.Column("collection_id", sa.Uuid(), nullable=False),
        sa.Column("locale", sa.String(length=16), nullable=False),
        sa.Column("title", sa.String(length=255), nullable=False),
        sa.Column("handle", sa.String(length=255), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "collection_id"],
            ["commerce_collections.tenant_id", "commerce_collections.id"],
            name="fk_commerce_collections_collection_id",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_commerce_collection_translations_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_commerce_collection_translations")),
        sa.UniqueConstraint(
            "collection_id",
            "locale",
            name=op.f("uq_commerce_collection_translations_collection_id_locale"),
        ),
        sa.UniqueConstraint(
            "tenant_id",
            "locale",
            "handle",
            name=op.f("uq_commerce_collection_translations_tenant_id_locale_handle"),
        ),
    )
    op.create_index(
        op.f("ix_commerce_collection_translations_collection_id"),
        "commerce_collection_translations",
        ["collection_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_commerce_collection_translations_tenant_id"),
        "commerce_collection_translations",
        ["tenant_id"],
        unique=False,
    )

    op.create_table(
        "commerce_product_categories",
        sa.Column("product_id", sa.Uuid(), nullable=False),
        sa.Column("category_id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "category_id"],
            ["commerce_categories.tenant_id", "commerce_categories.id"],
            name="fk_commerce_categories_category_id",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "product_id"],
            ["commerce_products.tenant_id", "commerce_products.id"],
            name="fk_commerce_products_product_id",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_commerce_product_categories_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "product_id", "category_id", name=op.f("pk_commerce_product_categories")
        ),
    )
    op.create_index(
        op.f("ix_commerce_product_categories_category_id"),
        "commerce_product_categories",
        ["category_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_commerce_product_categories_tenant_id"),
        "commerce_product_categories",
        ["tenant_id"],
        unique=False,
    )

    op.create_table(
        "commerce_product_collections",
        sa.Column("product_id", sa.Uuid(), nullable=False),
        sa.Column("collection_id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "collection_id"],
            ["commerce_collections.tenant_id", "commerce_collections.id"],
            name="fk_commerce_collections_collection_id",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "product_id"],
            ["commerce_products.tenant_id", "commerce_products.id"],
            name="fk_commerce_products_product_id",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_commerce_product_collections_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "product_id", "collection_id", name=op.f("pk_commerce_product_collections")
        ),
    )
    op.create_index(
        op.f("ix_commerce_product_collections_collection_id"),
        "commerce_product_collections",
        ["collection_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_commerce_product_collections_tenant_id"),
        "commerce_product_collections",
        ["tenant_id"],
        unique=False,
    )

    op.create_table(
        "commerce_product_images",
        sa.Column("product_id", sa.Uuid(), nullable=False),
        sa.Column("media_id", sa.Uuid(), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("alt", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "product_id"],
            ["commerce_products.tenant_id", "commerce_products.id"],
            name="fk_commerce_products_product_id",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_commerce_product_images_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_commerce_product_images")),
    )
    op.create_index(
        op.f("ix_commerce_product_images_product_id"),
        "commerce_product_images",
        ["product_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_commerce_product_images_tenant_id"),
        "commerce_product_images",
        ["tenant_id"],
        unique=False,
    )

    op.create_table(
        "commerce_product_options",
        sa.Column("product_id", sa.Uuid(), nullable=False),
        sa.Column("title", sa.String(length=100), nullable=False),
        sa.Column(
            "translations", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False
        ),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "product_id"],
            ["commerce_products.tenant_id", "commerce_products.id"],
            name="fk_commerce_products_product_id",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_commerce_product_options_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_commerce_product_options")),
        sa.UniqueConstraint(
            "product_id", "title", name=op.f("uq_commerce_product_options_product_id_title")
        ),
        sa.UniqueConstraint(
            "tenant_id", "id", name=op.f("uq_commerce_product_options_tenant_id_id")
        ),
    )
    op.create_index(
        op.f("ix_commerce_product_options_product_id"),
        "commerce_product_options",
        ["product_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_commerce_product_options_tenant_id"),
        "commerce_product_options",
        ["tenant_id"],
        unique=False,
    )

    op.create_table(
        "commerce_product_translations",
        sa.Column("product_id", sa.Uuid(), nullable=False),
        sa.Column("locale", sa.String(length=16), nullable=False),
        sa.Column("title", sa.String(length=255), nullable=False),
        sa.Column("subtitle", sa.String(length=255), nullable=True),
        sa.Column("handle", sa.String(length=255), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "product_id"],
            ["commerce_products.tenant_id", "commerce_products.id"],
            name="fk_commerce_products_product_id",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_commerce_product_translations_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_commerce_product_translations")),
        sa.UniqueConstraint(
            "product_id", "locale", name=op.f("uq_commerce_product_translations_product_id_locale")
        ),
        sa.UniqueConstraint(
            "tenant_id",
            "locale",
            "handle",
            name=op.f("uq_commerce_product_translations_tenant_id_locale_handle"),
        ),
    )
    op.create_index(
        op.f("ix_commerce_product_translations_product_id"),
        "commerce_product_translations",
        ["product_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_commerce_product_translations_tenant_id"),
        "commerce_product_translations",
        ["tenant_id"],
        unique=False,
    )

    op.create_table(
        "commerce_variants",
        sa.Column("product_id", sa.Uuid(), nullable=False),
        sa.Column("sku", sa.String(length=64), nullable=False),
        sa.Column("barcode", sa.String(length=64), nullable=True),
        sa.Column("title", sa.String(length=255), nullable=False),
        sa.Column("options_key", sa.String(length=1000), nullable=False),
        sa.Column("weight_g", sa.Integer(), nullable=True),
        sa.Column("length_mm", sa.Integer(), nullable=True),
        sa.Column("width_mm", sa.Integer(), nullable=True),
        sa.Column("height_mm", sa.Integer(), nullable=True),
        sa.Column("manage_inventory", sa.Boolean(), nullable=False),
        sa.Column("allow_backorder", sa.Boolean(), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column(
            "metadata", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False
        ),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "product_id"],
            ["commerce_products.tenant_id", "commerce_products.id"],
            name="fk_commerce_products_product_id",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_commerce_variants_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_commerce_variants")),
        sa.UniqueConstraint(
            "product_id", "options_key", name=op.f("uq_commerce_variants_product_id_options_key")
        ),
        sa.UniqueConstraint("tenant_id", "id", name=op.f("uq_commerce_variants_tenant_id_id")),
        sa.UniqueConstraint("tenant_id", "sku", name=op.f("uq_commerce_variants_tenant_id_sku")),
    )
    op.create_index(
        op.f("ix_commerce_variants_product_id"), "commerce_variants", ["product_id"], unique=False
    )
    op.create_index(
        op.f("ix_commerce_variants_tenant_id"), "commerce_variants", ["tenant_id"], unique=False
    )

    op.create_table(
        "commerce_option_values",
        sa.Column("option_id", sa.Uuid(), nullable=False),
        sa.Column("product_id", sa.Uuid(), nullable=False),
        sa.Column("value", sa.String(length=100), nullable=False),
        sa.Column(
            "translations", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False
        ),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "option_id"],
            ["commerce_product_options.tenant_id", "commerce_product_options.id"],
            name="fk_commerce_product_options_option_id",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_commerce_option_values_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_commerce_option_values")),
        sa.UniqueConstraint(
            "option_id", "value", name=op.f("uq_commerce_option_values_option_id_value")
        ),
        sa.UniqueConstraint("tenant_id", "id", name=op.f("uq_commerce_option_values_tenant_id_id")),
    )
    op.create_index(
        op.f("ix_commerce_option_values_option_id"),
        "commerce_option_values",
        ["option_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_commerce_option_values_product_id"),
        "commerce_option_values",
        ["product_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_commerce_option_values_tenant_id"),
        "commerce_option_values",
        ["tenant_id"],
        unique=False,
    )

    op.create_table(
        "commerce_price_list_prices",
        sa.Column("price_list_id", sa.Uuid(), nullable=False),
        sa.Column("variant_id", sa.Uuid(), nullable=False),
        sa.Column("currency_code", sa.String(length=3), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("value", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("min_quantity", sa.Integer(), nullable=False),
        sa.Column("max_quantity", sa.Integer(), nullable=True),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "price_list_id"],
            ["commerce_price_lists.tenant_id", "commerce_price_lists.id"],
            name="fk_commerce_price_list_prices_list",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "variant_id"],
            ["commerce_variants.tenant_id", "commerce_variants.id"],
            name="fk_commerce_price_list_prices_variant",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_commerce_price_list_prices_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_commerce_price_list_prices")),
        sa.UniqueConstraint(
            "price_list_id",
            "variant_id",
            "currency_code",
            "min_quantity",
            name=op.f(
                "uq_commerce_price_list_prices_price_list_id_variant_id_currency_code_min_quantity"
            ),
        ),
    )
    op.create_index(
        op.f("ix_commerce_price_list_prices_price_list_id"),
        "commerce_price_list_prices",
        ["price_list_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_commerce_price_list_prices_tenant_id"),
        "commerce_price_list_prices",
        ["tenant_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_commerce_price_list_prices_variant_id"),
        "commerce_price_list_prices",
        ["variant_id"],
        unique=False,
    )

    op.create_table(
        "commerce_variant_prices",
        sa.Column("variant_id", sa.Uuid(), nullable=False),
        sa.Column("currency_code", sa.String(length=3), nullable=False),
        sa.Column("amount", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "compare_at_amount", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "variant_id"],
            ["commerce_variants.tenant_id", "commerce_variants.id"],
            name="fk_commerce_variants_variant_id",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_commerce_variant_prices_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_commerce_variant_prices")),
        sa.UniqueConstraint(
            "variant_id",
            "currency_code",
            name=op.f("uq_commerce_variant_prices_variant_id_currency_code"),
        ),
    )
    op.create_index(
        op.f("ix_commerce_variant_prices_tenant_id"),
        "commerce_variant_prices",
        ["tenant_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_commerce_variant_prices_variant_id"),
        "commerce_variant_prices",
        ["variant_id"],
        unique=False,
    )

    op.create_table(
        "commerce_variant_option_values",
        sa.Column("variant_id", sa.Uuid(), nullable=False),
        sa.Column("option_value_id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "option_value_id"],
            ["commerce_option_values.tenant_id", "commerce_option_values.id"],
            name="fk_commerce_option_values_option_value_id",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "variant_id"],
            ["commerce_variants.tenant_id", "commerce_variants.id"],
            name="fk_commerce_variants_variant_id",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_commerce_variant_option_values_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "variant_id", "option_value_id", name=op.f("pk_commerce_variant_option_values")
        ),
    )
    op.create_index(
        op.f("ix_commerce_variant_option_values_option_value_id"),
        "commerce_variant_option_values",
        ["option_value_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_commerce_variant_option_values_tenant_id"),
        "commerce_variant_option_values",
        ["tenant_id"],
        unique=False,
    )
    for table in TABLES:
        enable_tenant_wall(table)


def downgrade() -> None:
    for table in reversed(TABLES):
        disable_tenant_wall(table)
        op.drop_table(table)
