"""commerce inventory: stock locations, inventory levels per variant and location,
reservations for carts and orders, stock movements

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 22:13:45

Every table is tenant-owned: each gets the tenant wall (row-level security on PostgreSQL), and
every foreign key between them includes tenant_id. A partial unique index keeps one default
location per tenant (created on first need by the service).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from rustok.core.walls import disable_tenant_wall, enable_tenant_wall

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


TABLES = (
    "commerce_stock_locations",
    "commerce_inventory_levels",
    "commerce_reservations",
    "commerce_stock_movements",
)
"""In the order they are created (a table after those it refers to)."""


def upgrade() -> None:
    op.create_table(
        "commerce_stock_locations",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("address_line1", sa.String(length=200), nullable=True),
        sa.Column("address_line2", sa.String(length=200), nullable=True),
        sa.Column("city", sa.String(length=100), nullable=True),
        sa.Column("postal_code", sa.String(length=20), nullable=True),
        sa.Column("country_code", sa.String(length=2), nullable=True),
        sa.Column("is_default", sa.Boolean(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_commerce_stock_locations_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_commerce_stock_locations")),
        sa.UniqueConstraint(
            "tenant_id", "id", name=op.f("uq_commerce_stock_locations_tenant_id_id")
        ),
        sa.UniqueConstraint(
            "tenant_id", "name", name=op.f("uq_commerce_stock_locations_tenant_id_name")
        ),
    )
    op.create_index(
        op.f("ix_commerce_stock_locations_tenant_id"),
        "commerce_stock_locations",
        ["tenant_id"],
        unique=False,
    )
    op.create_index(
        "uq_commerce_stock_locations_default",
        "commerce_stock_locations",
        ["tenant_id"],
        unique=True,
        sqlite_where=sa.text("is_default"),
        postgresql_where=sa.text("is_default"),
    )

    op.create_table(
        "commerce_inventory_levels",
        sa.Column("variant_id", sa.Uuid(), nullable=False),
        sa.Column("location_id", sa.Uuid(), nullable=False),
        sa.Column("stocked", sa.Integer(), nullable=False),
        sa.Column("reserved", sa.Integer(), nullable=False),
        sa.Column("incoming", sa.Integer(), nullable=False),
        sa.Column("low_stock_threshold", sa.Integer(), nullable=True),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "location_id"],
            ["commerce_stock_locations.tenant_id", "commerce_stock_locations.id"],
            name="fk_commerce_inventory_levels_location",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "variant_id"],
            ["commerce_variants.tenant_id", "commerce_variants.id"],
            name="fk_commerce_inventory_levels_variant",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_commerce_inventory_levels_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_commerce_inventory_levels")),
        sa.UniqueConstraint(
            "variant_id",
            "location_id",
            name=op.f("uq_commerce_inventory_levels_variant_id_location_id"),
        ),
    )
    op.create_index(
        op.f("ix_commerce_inventory_levels_location_id"),
        "commerce_inventory_levels",
        ["location_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_commerce_inventory_levels_tenant_id"),
        "commerce_inventory_levels",
        ["tenant_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_commerce_inventory_levels_variant_id"),
        "commerce_inventory_levels",
        ["variant_id"],
        unique=False,
    )

    op.create_table(
        "commerce_reservations",
        sa.Column("owner_kind", sa.String(length=16), nullable=False),
        sa.Column("owner_id", sa.Uuid(), nullable=False),
        sa.Column("variant_id", sa.Uuid(), nullable=False),
        sa.Column("location_id", sa.Uuid(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "location_id"],
            ["commerce_stock_locations.tenant_id", "commerce_stock_locations.id"],
            name="fk_commerce_reservations_location",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "variant_id"],
            ["commerce_variants.tenant_id", "commerce_variants.id"],
            name="fk_commerce_reservations_variant",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_commerce_reservations_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_commerce_reservations")),
    )
    op.create_index(
        "ix_commerce_reservations_expiry",
        "commerce_reservations",
        ["status", "expires_at"],
        unique=False,
    )
    op.create_index(
        "ix_commerce_reservations_owner",
        "commerce_reservations",
        ["tenant_id", "owner_kind", "owner_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_commerce_reservations_tenant_id"),
        "commerce_reservations",
        ["tenant_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_commerce_reservations_variant_id"),
        "commerce_reservations",
        ["variant_id"],
        unique=False,
    )

    op.create_table(
        "commerce_stock_movements",
        sa.Column("variant_id", sa.Uuid(), nullable=False),
        sa.Column("location_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("delta", sa.Integer(), nullable=False),
        sa.Column("stocked", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("reference", sa.String(length=200), nullable=True),
        sa.Column("actor_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "location_id"],
            ["commerce_stock_locations.tenant_id", "commerce_stock_locations.id"],
            name="fk_commerce_stock_movements_location",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "variant_id"],
            ["commerce_variants.tenant_id", "commerce_variants.id"],
            name="fk_commerce_stock_movements_variant",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_commerce_stock_movements_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_commerce_stock_movements")),
    )
    op.create_index(
        "ix_commerce_stock_movements_order",
        "commerce_stock_movements",
        ["tenant_id", "created_at", "id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_commerce_stock_movements_tenant_id"),
        "commerce_stock_movements",
        ["tenant_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_commerce_stock_movements_variant_id"),
        "commerce_stock_movements",
        ["variant_id"],
        unique=False,
    )
    for table in TABLES:
        enable_tenant_wall(table)


def downgrade() -> None:
    for table in reversed(TABLES):
        disable_tenant_wall(table)
        op.drop_table(table)
