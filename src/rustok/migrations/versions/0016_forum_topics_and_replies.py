"""forum topics and replies: the forum's state beside its content nodes (pinned, locked,
status, reply count and last reply of a topic; thread position and moderation of a reply)

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-01 22:16:14

Both tables are tenant-owned: each gets the tenant wall (row-level security on PostgreSQL), and
every foreign key includes tenant_id (a topic or reply row is keyed by its node's id).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from rustok.core.walls import disable_tenant_wall, enable_tenant_wall

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("forum_topics", "forum_replies")
"""In the order they are created (a table after those it refers to)."""


def upgrade() -> None:
    op.create_table(
        "forum_topics",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("category_id", sa.Uuid(), nullable=False),
        sa.Column("author_id", sa.Uuid(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("pinned", sa.Boolean(), nullable=False),
        sa.Column("locked", sa.Boolean(), nullable=False),
        sa.Column("reply_count", sa.Integer(), nullable=False),
        sa.Column("last_reply_id", sa.Uuid(), nullable=True),
        sa.Column("last_reply_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_reply_author_id", sa.Uuid(), nullable=True),
        sa.Column("last_activity_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.CheckConstraint("status IN ('open', 'closed')", name=op.f("ck_forum_topics_status")),
        sa.CheckConstraint("reply_count >= 0", name=op.f("ck_forum_topics_reply_count")),
        sa.ForeignKeyConstraint(
            ["tenant_id", "category_id"],
            ["content_nodes.tenant_id", "content_nodes.id"],
            name="fk_forum_topics_category",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "id"],
            ["content_nodes.tenant_id", "content_nodes.id"],
            name="fk_forum_topics_node",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_forum_topics_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_forum_topics")),
        sa.UniqueConstraint("tenant_id", "id", name="uq_forum_topics_tenant_id_id"),
    )
    with op.batch_alter_table("forum_topics", schema=None) as batch_op:
        batch_op.create_index(
            "ix_forum_topics_listing",
            ["tenant_id", "category_id", "pinned", "last_activity_at", "id"],
            unique=False,
        )
        batch_op.create_index(batch_op.f("ix_forum_topics_tenant_id"), ["tenant_id"], unique=False)

    op.create_table(
        "forum_replies",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("topic_id", sa.Uuid(), nullable=False),
        sa.Column("parent_id", sa.Uuid(), nullable=True),
        sa.Column("root_id", sa.Uuid(), nullable=False),
        sa.Column("depth", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("author_id", sa.Uuid(), nullable=True),
        sa.Column("locale", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("edited_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("moderated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("moderated_by", sa.Uuid(), nullable=True),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.CheckConstraint(
            "status IN ('pending', 'approved', 'rejected', 'hidden')",
            name=op.f("ck_forum_replies_status"),
        ),
        sa.CheckConstraint("depth >= 1", name=op.f("ck_forum_replies_depth")),
        sa.ForeignKeyConstraint(
            ["tenant_id", "id"],
            ["content_nodes.tenant_id", "content_nodes.id"],
            name="fk_forum_replies_node",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "parent_id"],
            ["forum_replies.tenant_id", "forum_replies.id"],
            name="fk_forum_replies_parent",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "topic_id"],
            ["forum_topics.tenant_id", "forum_topics.id"],
            name="fk_forum_replies_topic",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_forum_replies_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_forum_replies")),
        sa.UniqueConstraint("tenant_id", "id", name="uq_forum_replies_tenant_id_id"),
    )
    with op.batch_alter_table("forum_replies", schema=None) as batch_op:
        batch_op.create_index("ix_forum_replies_root", ["tenant_id", "root_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_forum_replies_tenant_id"), ["tenant_id"], unique=False)
        batch_op.create_index(
            "ix_forum_replies_topic", ["tenant_id", "topic_id", "created_at", "id"], unique=False
        )
    for table in TABLES:
        enable_tenant_wall(table)


def downgrade() -> None:
    for table in TABLES:
        disable_tenant_wall(table)
    with op.batch_alter_table("forum_replies", schema=None) as batch_op:
        batch_op.drop_index("ix_forum_replies_topic")
        batch_op.drop_index(batch_op.f("ix_forum_replies_tenant_id"))
        batch_op.drop_index("ix_forum_replies_root")

    op.drop_table("forum_replies")
    with op.batch_alter_table("forum_topics", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_forum_topics_tenant_id"))
        batch_op.drop_index("ix_forum_topics_listing")

    op.drop_table("forum_topics")
