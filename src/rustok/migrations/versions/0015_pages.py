"""pages: blocks of pages, menus and their items

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-01 22:30:00

A page is a content node (kind `page`). `pages_blocks` holds its ordered, typed blocks;
`pages_menus` and `pages_menu_items` the menus and their item trees. Every reference carries
the tenant (composite foreign keys to `(tenant_id, id)`), so a block, an item or a link can
never point into another tenant, and every table gets the tenant wall.

It follows the last revision on main when written (0013); the brief places it after 0014
(blog), so the integrator re-chains it once 0014 is merged.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from rustok.core.walls import disable_tenant_wall, enable_tenant_wall

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("pages_blocks", "pages_menus", "pages_menu_items")
JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def _common(table: str) -> list[sa.Column[object] | sa.Constraint]:
    return [
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=f"fk_{table}_tenant_id_tenants", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=f"pk_{table}"),
    ]


def upgrade() -> None:
    op.create_table(
        "pages_blocks",
        sa.Column("page_id", sa.Uuid(), nullable=False),
        sa.Column("type", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("data", JSON, nullable=False),
        sa.Column("translations", JSON, nullable=False),
        *_common("pages_blocks"),
        sa.ForeignKeyConstraint(
            ["tenant_id", "page_id"],
            ["content_nodes.tenant_id", "content_nodes.id"],
            name="fk_pages_blocks_page",
            ondelete="CASCADE",
        ),
    )
    op.create_index("ix_pages_blocks_tenant_id", "pages_blocks", ["tenant_id"])
    op.create_index("ix_pages_blocks_page", "pages_blocks", ["tenant_id", "page_id", "position"])

    op.create_table(
        "pages_menus",
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("location", sa.String(length=16), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        *_common("pages_menus"),
        sa.CheckConstraint(
            "location IN ('header', 'footer', 'sidebar', 'mobile')",
            name="ck_pages_menus_location",
        ),
        sa.UniqueConstraint("tenant_id", "id", name="uq_pages_menus_tenant_id_id"),
    )
    op.create_index("ix_pages_menus_tenant_id", "pages_menus", ["tenant_id"])
    op.create_index("ix_pages_menus_location", "pages_menus", ["tenant_id", "location"])

    op.create_table(
        "pages_menu_items",
        sa.Column("menu_id", sa.Uuid(), nullable=False),
        sa.Column("parent_id", sa.Uuid(), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("labels", JSON, nullable=False),
        sa.Column("url", sa.String(length=2048), nullable=True),
        sa.Column("page_id", sa.Uuid(), nullable=True),
        *_common("pages_menu_items"),
        sa.ForeignKeyConstraint(
            ["tenant_id", "menu_id"],
            ["pages_menus.tenant_id", "pages_menus.id"],
            name="fk_pages_menu_items_menu",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "parent_id"],
            ["pages_menu_items.tenant_id", "pages_menu_items.id"],
            name="fk_pages_menu_items_parent",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "page_id"],
            ["content_nodes.tenant_id", "content_nodes.id"],
            name="fk_pages_menu_items_page",
            ondelete="CASCADE",
        ),
        sa.CheckConstraint("(url IS NULL) <> (page_id IS NULL)", name="ck_pages_menu_items_link"),
        sa.UniqueConstraint("tenant_id", "id", name="uq_pages_menu_items_tenant_id_id"),
    )
    op.create_index("ix_pages_menu_items_tenant_id", "pages_menu_items", ["tenant_id"])
    op.create_index(
        "ix_pages_menu_items_menu", "pages_menu_items", ["tenant_id", "menu_id", "position"]
    )
    for table in TABLES:
        enable_tenant_wall(table)


def downgrade() -> None:
    for table in reversed(TABLES):
        disable_tenant_wall(table)
        op.drop_table(table)
