"""blog: comment moderation, post comment counters, per-tenant comment rules

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-01 22:40:00

Posts and comments are content nodes; `blog_comments` holds a comment's moderation status,
author and guest details under the comment node's id, `blog_post_stats` the count of approved
comments per post (moved by atomic updates), `blog_tenant_settings` a tenant's comment rules.
References to nodes include tenant_id; every table gets the tenant wall.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from rustok.core.walls import disable_tenant_wall, enable_tenant_wall

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("blog_comments", "blog_post_stats", "blog_tenant_settings")


def _tenant_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["tenant_id"], ["tenants.id"], name=f"fk_{table}_tenant_id_tenants", ondelete="CASCADE"
    )


def _node_fk(column: str, name: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["tenant_id", column],
        ["content_nodes.tenant_id", "content_nodes.id"],
        name=name,
        ondelete="CASCADE",
    )


def upgrade() -> None:
    op.create_table(
        "blog_comments",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("post_id", sa.Uuid(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("author_id", sa.Uuid(), nullable=True),
        sa.Column("guest_name", sa.String(length=100), nullable=True),
        sa.Column("guest_email", sa.String(length=254), nullable=True),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('pending', 'approved', 'rejected', 'spam')",
            name="ck_blog_comments_status",
        ),
        _node_fk("id", "fk_blog_comments_node"),
        _node_fk("post_id", "fk_blog_comments_post"),
        _tenant_fk("blog_comments"),
        sa.PrimaryKeyConstraint("id", name="pk_blog_comments"),
    )
    op.create_index(
        "ix_blog_comments_post", "blog_comments", ["tenant_id", "post_id", "status", "created_at"]
    )
    op.create_index(
        "ix_blog_comments_status", "blog_comments", ["tenant_id", "status", "created_at"]
    )
    op.create_index("ix_blog_comments_tenant_id", "blog_comments", ["tenant_id"])
    op.create_table(
        "blog_post_stats",
        sa.Column("post_id", sa.Uuid(), nullable=False),
        sa.Column("comment_count", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        _node_fk("post_id", "fk_blog_post_stats_post"),
        _tenant_fk("blog_post_stats"),
        sa.PrimaryKeyConstraint("post_id", name="pk_blog_post_stats"),
    )
    op.create_index("ix_blog_post_stats_tenant_id", "blog_post_stats", ["tenant_id"])
    op.create_table(
        "blog_tenant_settings",
        sa.Column("guest_comments", sa.Boolean(), nullable=False),
        sa.Column("moderation", sa.String(length=16), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "moderation IN ('all', 'guests', 'none')", name="ck_blog_tenant_settings_moderation"
        ),
        _tenant_fk("blog_tenant_settings"),
        sa.PrimaryKeyConstraint("id", name="pk_blog_tenant_settings"),
        sa.UniqueConstraint("tenant_id", name="uq_blog_tenant_settings_tenant"),
    )
    op.create_index("ix_blog_tenant_settings_tenant_id", "blog_tenant_settings", ["tenant_id"])
    for table in TABLES:
        enable_tenant_wall(table)


def downgrade() -> None:
    for table in reversed(TABLES):
        disable_tenant_wall(table)
        op.drop_table(table)
