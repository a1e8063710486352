"""media: uploaded files and their alt texts and captions per locale

Revision ID: 0009
Revises: 0007
Create Date: 2026-12-01 20:00:00

`media` holds one row per stored file (the bytes live in the storage backend under
`storage_key`, which the platform generates); `media_translations` its texts per locale,
pointing at (tenant_id, media_id) so a text can never hang under another tenant's file.
Both get the tenant wall.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from rustok.core.walls import disable_tenant_wall, enable_tenant_wall

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TENANT_TABLES = ("media", "media_translations")


def upgrade() -> None:
    op.create_table(
        "media",
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("storage_key", sa.String(length=255), nullable=False),
        sa.Column("mime_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("width", sa.Integer(), nullable=True),
        sa.Column("height", sa.Integer(), nullable=True),
        sa.Column("checksum_sha256", sa.String(length=64), nullable=False),
        sa.Column("uploaded_by", sa.Uuid(), nullable=True),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name="fk_media_tenant_id_tenants", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_media"),
        sa.UniqueConstraint("storage_key", name="uq_media_storage_key"),
        sa.UniqueConstraint("tenant_id", "id", name="uq_media_tenant_id_id"),
    )
    op.create_index("ix_media_tenant_id", "media", ["tenant_id"])
    op.create_table(
        "media_translations",
        sa.Column("media_id", sa.Uuid(), nullable=False),
        sa.Column("locale", sa.String(length=16), nullable=False),
        sa.Column("alt_text", sa.Text(), nullable=False),
        sa.Column("caption", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "media_id"],
            ["media.tenant_id", "media.id"],
            name="fk_media_translations_tenant_id_media",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name="fk_media_translations_tenant_id_tenants",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_media_translations"),
        sa.UniqueConstraint("media_id", "locale", name="uq_media_translations_media_id_locale"),
    )
    op.create_index("ix_media_translations_media_id", "media_translations", ["media_id"])
    op.create_index("ix_media_translations_tenant_id", "media_translations", ["tenant_id"])
    for table in TENANT_TABLES:
        enable_tenant_wall(table)


def downgrade() -> None:
    for table in TENANT_TABLES:
        disable_tenant_wall(table)
    op.drop_table("media_translations")
    op.drop_table("media")
