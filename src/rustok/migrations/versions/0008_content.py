"""content: nodes, their translations, bodies, revisions and SEO; categories and tags

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 19:38:00

Every table is tenant-owned and walled (row-level security on PostgreSQL). References between
content rows are composite `(tenant_id, x_id)` foreign keys, so no row can point into another
tenant. Node translations carry the node's kind, so slugs are unique per tenant, kind and locale
by a real unique constraint.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from rustok.core.walls import disable_tenant_wall, enable_tenant_wall

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = (
    "content_categories",
    "content_category_translations",
    "content_tags",
    "content_tag_translations",
    "content_nodes",
    "content_node_translations",
    "content_node_bodies",
    "content_node_revisions",
    "content_node_tags",
    "content_node_seo",
)


def upgrade() -> None:
    op.create_table(
        "content_categories",
        sa.Column("parent_id", sa.Uuid(), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "parent_id"],
            ["content_categories.tenant_id", "content_categories.id"],
            name="fk_content_categories_parent",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_content_categories_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_content_categories")),
        sa.UniqueConstraint("tenant_id", "id", name="uq_content_categories_tenant_id_id"),
    )
    with op.batch_alter_table("content_categories", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_content_categories_tenant_id"), ["tenant_id"], unique=False
        )

    op.create_table(
        "content_tags",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_content_tags_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_content_tags")),
        sa.UniqueConstraint("tenant_id", "id", name="uq_content_tags_tenant_id_id"),
    )
    with op.batch_alter_table("content_tags", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_content_tags_tenant_id"), ["tenant_id"], unique=False)

    op.create_table(
        "content_category_translations",
        sa.Column("category_id", sa.Uuid(), nullable=False),
        sa.Column("locale", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("slug", sa.String(length=255), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "category_id"],
            ["content_categories.tenant_id", "content_categories.id"],
            name="fk_content_cat_tr_cat",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_content_category_translations_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_content_category_translations")),
        sa.UniqueConstraint("tenant_id", "category_id", "locale", name="uq_content_cat_tr_locale"),
        sa.UniqueConstraint("tenant_id", "locale", "slug", name="uq_content_cat_tr_slug"),
    )
    with op.batch_alter_table("content_category_translations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_content_category_translations_tenant_id"), ["tenant_id"], unique=False
        )

    op.create_table(
        "content_nodes",
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("parent_id", sa.Uuid(), nullable=True),
        sa.Column("author_id", sa.Uuid(), nullable=True),
        sa.Column("category_id", sa.Uuid(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("publish_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column(
            "metadata", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False
        ),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('draft', 'published', 'archived', 'scheduled')",
            name=op.f("ck_content_nodes_status"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "category_id"],
            ["content_categories.tenant_id", "content_categories.id"],
            name="fk_content_nodes_category",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "parent_id"],
            ["content_nodes.tenant_id", "content_nodes.id"],
            name="fk_content_nodes_parent",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_content_nodes_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_content_nodes")),
        sa.UniqueConstraint("tenant_id", "id", name="uq_content_nodes_tenant_id_id"),
    )
    with op.batch_alter_table("content_nodes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_content_nodes_author_id"), ["author_id"], unique=False)
        batch_op.create_index("ix_content_nodes_due", ["status", "publish_at"], unique=False)
        batch_op.create_index(
            "ix_content_nodes_listing", ["tenant_id", "kind", "status", "created_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_content_nodes_tenant_id"), ["tenant_id"], unique=False)

    op.create_table(
        "content_tag_translations",
        sa.Column("tag_id", sa.Uuid(), nullable=False),
        sa.Column("locale", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("slug", sa.String(length=255), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "tag_id"],
            ["content_tags.tenant_id", "content_tags.id"],
            name="fk_content_tag_tr_tag",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_content_tag_translations_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_content_tag_translations")),
        sa.UniqueConstraint("tenant_id", "locale", "slug", name="uq_content_tag_tr_slug"),
        sa.UniqueConstraint("tenant_id", "tag_id", "locale", name="uq_content_tag_tr_locale"),
    )
    with op.batch_alter_table("content_tag_translations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_content_tag_translations_tenant_id"), ["tenant_id"], unique=False
        )

    op.create_table(
        "content_node_bodies",
        sa.Column("node_id", sa.Uuid(), nullable=False),
        sa.Column("locale", sa.String(length=16), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("format", sa.String(length=16), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "format IN ('markdown', 'html', 'plain', 'json')",
            name=op.f("ck_content_node_bodies_format"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "node_id"],
            ["content_nodes.tenant_id", "content_nodes.id"],
            name="fk_content_node_body_node",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_content_node_bodies_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_content_node_bodies")),
        sa.UniqueConstraint("tenant_id", "node_id", "locale", name="uq_content_node_body_locale"),
    )
    with op.batch_alter_table("content_node_bodies", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_content_node_bodies_tenant_id"), ["tenant_id"], unique=False
        )

    op.create_table(
        "content_node_revisions",
        sa.Column("node_id", sa.Uuid(), nullable=False),
        sa.Column("locale", sa.String(length=16), nullable=False),
        sa.Column("node_version", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=255), nullable=False),
        sa.Column("slug", sa.String(length=255), nullable=False),
        sa.Column("excerpt", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=True),
        sa.Column("format", sa.String(length=16), nullable=True),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "node_id"],
            ["content_nodes.tenant_id", "content_nodes.id"],
            name="fk_content_node_rev_node",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_content_node_revisions_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_content_node_revisions")),
    )
    with op.batch_alter_table("content_node_revisions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_content_node_revisions_node", ["tenant_id", "node_id", "created_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_content_node_revisions_tenant_id"), ["tenant_id"], unique=False
        )

    op.create_table(
        "content_node_seo",
        sa.Column("node_id", sa.Uuid(), nullable=False),
        sa.Column("locale", sa.String(length=16), nullable=False),
        sa.Column("title", sa.String(length=255), nullable=True),
        sa.Column("description", sa.String(length=1000), nullable=True),
        sa.Column("canonical_url", sa.String(length=2048), nullable=True),
        sa.Column("robots", sa.String(length=64), nullable=True),
        sa.Column("og_image_id", sa.Uuid(), nullable=True),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "node_id"],
            ["content_nodes.tenant_id", "content_nodes.id"],
            name="fk_content_node_seo_node",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_content_node_seo_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_content_node_seo")),
        sa.UniqueConstraint("tenant_id", "node_id", "locale", name="uq_content_node_seo_locale"),
    )
    with op.batch_alter_table("content_node_seo", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_content_node_seo_tenant_id"), ["tenant_id"], unique=False
        )

    op.create_table(
        "content_node_tags",
        sa.Column("node_id", sa.Uuid(), nullable=False),
        sa.Column("tag_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "node_id"],
            ["content_nodes.tenant_id", "content_nodes.id"],
            name="fk_content_node_tags_node",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "tag_id"],
            ["content_tags.tenant_id", "content_tags.id"],
            name="fk_content_node_tags_tag",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_content_node_tags_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_content_node_tags")),
        sa.UniqueConstraint("tenant_id", "node_id", "tag_id", name="uq_content_node_tags_link"),
    )
    with op.batch_alter_table("content_node_tags", schema=None) as batch_op:
        batch_op.create_index("ix_content_node_tags_tag", ["tenant_id", "tag_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_content_node_tags_tenant_id"), ["tenant_id"], unique=False
        )

    op.create_table(
        "content_node_translations",
        sa.Column("node_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("locale", sa.String(length=16), nullable=False),
        sa.Column("title", sa.String(length=255), nullable=False),
        sa.Column("slug", sa.String(length=255), nullable=False),
        sa.Column("excerpt", sa.Text(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "node_id"],
            ["content_nodes.tenant_id", "content_nodes.id"],
            name="fk_content_node_tr_node",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_content_node_translations_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_content_node_translations")),
        sa.UniqueConstraint("tenant_id", "kind", "locale", "slug", name="uq_content_node_tr_slug"),
        sa.UniqueConstraint("tenant_id", "node_id", "locale", name="uq_content_node_tr_locale"),
    )
    with op.batch_alter_table("content_node_translations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_content_node_translations_tenant_id"), ["tenant_id"], unique=False
        )

    for table in TABLES:
        enable_tenant_wall(table)


def downgrade() -> None:
    for table in TABLES:
        disable_tenant_wall(table)
    with op.batch_alter_table("content_node_translations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_content_node_translations_tenant_id"))

    op.drop_table("content_node_translations")
    with op.batch_alter_table("content_node_tags", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_content_node_tags_tenant_id"))
        batch_op.drop_index("ix_content_node_tags_tag")

    op.drop_table("content_node_tags")
    with op.batch_alter_table("content_node_seo", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_content_node_seo_tenant_id"))

    op.drop_table("content_node_seo")
    with op.batch_alter_table("content_node_revisions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_content_node_revisions_tenant_id"))
        batch_op.drop_index("ix_content_node_revisions_node")

    op.drop_table("content_node_revisions")
    with op.batch_alter_table("content_node_bodies", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_content_node_bodies_tenant_id"))

    op.drop_table("content_node_bodies")
    with op.batch_alter_table("content_tag_translations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_content_tag_translations_tenant_id"))

    op.drop_table("content_tag_translations")
    with op.batch_alter_table("content_nodes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_content_nodes_tenant_id"))
        batch_op.drop_index("ix_content_nodes_listing")
        batch_op.drop_index("ix_content_nodes_due")
        batch_op.drop_index(batch_op.f("ix_content_nodes_author_id"))

    op.drop_table("content_nodes")
    with op.batch_alter_table("content_category_translations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_content_category_translations_tenant_id"))

    op.drop_table("content_category_translations")
    with op.batch_alter_table("content_tags", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_content_tags_tenant_id"))

    op.drop_table("content_tags")
    with op.batch_alter_table("content_categories", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_content_categories_tenant_id"))

    op.drop_table("content_categories")
