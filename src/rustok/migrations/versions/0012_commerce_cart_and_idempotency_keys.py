"""commerce cart and idempotency keys: carts, their lines; the keys of `Idempotency-Key`

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01 22:15:29

Every table is tenant-owned: each gets the tenant wall (row-level security on PostgreSQL), and
every foreign key between them includes tenant_id.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from rustok.core.walls import disable_tenant_wall, enable_tenant_wall

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


TABLES = ("commerce_carts", "idempotency_keys", "commerce_cart_lines")
"""In the order they are created (a table after those it refers to)."""


def upgrade() -> None:
    op.create_table(
        "commerce_carts",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=True),
        sa.Column("currency_code", sa.String(length=3), nullable=False),
        sa.Column("region_id", sa.Uuid(), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column(
            "shipping_address",
            sa.JSON().with_variant(postgresql.JSONB(), "postgresql"),
            nullable=True,
        ),
        sa.Column(
            "billing_address",
            sa.JSON().with_variant(postgresql.JSONB(), "postgresql"),
            nullable=True,
        ),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("order_id", sa.Uuid(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_commerce_carts_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_commerce_carts")),
        sa.UniqueConstraint("tenant_id", "id", name=op.f("uq_commerce_carts_tenant_id_id")),
    )
    op.create_index(
        op.f("ix_commerce_carts_customer_id"), "commerce_carts", ["customer_id"], unique=False
    )
    op.create_index(
        op.f("ix_commerce_carts_expires_at"), "commerce_carts", ["expires_at"], unique=False
    )
    op.create_index(
        op.f("ix_commerce_carts_tenant_id"), "commerce_carts", ["tenant_id"], unique=False
    )

    op.create_table(
        "idempotency_keys",
        sa.Column("caller", sa.String(length=64), nullable=False),
        sa.Column("route", sa.String(length=300), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("claim", sa.Uuid(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("response_status", sa.Integer(), nullable=True),
        sa.Column("response_body", sa.Text(), nullable=True),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_idempotency_keys_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_idempotency_keys")),
        sa.UniqueConstraint(
            "tenant_id",
            "caller",
            "route",
            "key",
            name=op.f("uq_idempotency_keys_tenant_id_caller_route_key"),
        ),
    )
    op.create_index(
        op.f("ix_idempotency_keys_expires_at"), "idempotency_keys", ["expires_at"], unique=False
    )
    op.create_index(
        op.f("ix_idempotency_keys_tenant_id"), "idempotency_keys", ["tenant_id"], unique=False
    )

    op.create_table(
        "commerce_cart_lines",
        sa.Column("cart_id", sa.Uuid(), nullable=False),
        sa.Column("variant_id", sa.Uuid(), nullable=False),
        sa.Column("product_id", sa.Uuid(), nullable=False),
        sa.Column("sku", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=255), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column(
            "unit_price", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "cart_id"],
            ["commerce_carts.tenant_id", "commerce_carts.id"],
            name="fk_commerce_cart_lines_cart",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "variant_id"],
            ["commerce_variants.tenant_id", "commerce_variants.id"],
            name="fk_commerce_cart_lines_variant",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_commerce_cart_lines_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_commerce_cart_lines")),
        sa.UniqueConstraint(
            "cart_id", "variant_id", name=op.f("uq_commerce_cart_lines_cart_id_variant_id")
        ),
    )
    op.create_index(
        op.f("ix_commerce_cart_lines_cart_id"), "commerce_cart_lines", ["cart_id"], unique=False
    )
    op.create_index(
        op.f("ix_commerce_cart_lines_tenant_id"), "commerce_cart_lines", ["tenant_id"], unique=False
    )
    op.create_index(
        op.f("ix_commerce_cart_lines_variant_id"),
        "commerce_cart_lines",
        ["variant_id"],
        unique=False,
    )
    for table in TABLES:
        enable_tenant_wall(table)


def downgrade() -> None:
    for table in reversed(TABLES):
        disable_tenant_wall(table)
        op.drop_table(table)
