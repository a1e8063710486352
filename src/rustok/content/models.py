"""Tables of the content module.

Every row belongs to one tenant, and every reference between content rows carries the tenant:
a composite foreign key `(tenant_id, x_id) -> (tenant_id, id)`, so a node can never point at a
parent, category or tag of another tenant, whatever the code above does.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from rustok.core.db import Base, IdMixin, TenantOwned, TimestampMixin

STATUSES = ("draft", "published", "archived", "scheduled")
FORMATS = ("markdown", "html", "plain", "json")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(value) for value in values)})"


def _tenant_fk(
    column: str, table: str, *, name: str, ondelete: str | None = None
) -> ForeignKeyConstraint:
    return ForeignKeyConstraint(
        ["tenant_id", column],
        [f"{table}.tenant_id", f"{table}.id"],
        name=name,
        ondelete=ondelete,
    )


class Category(TenantOwned, IdMixin, TimestampMixin, Base):
    __tablename__ = "content_categories"
    __table_args__ = (
        UniqueConstraint("tenant_id", "id", name="uq_content_categories_tenant_id_id"),
        _tenant_fk("parent_id", "content_categories", name="fk_content_categories_parent"),
    )

    parent_id: Mapped[uuid.UUID | None]
    position: Mapped[int] = mapped_column(Integer, default=0)


class CategoryTranslation(TenantOwned, IdMixin, TimestampMixin, Base):
    __tablename__ = "content_category_translations"
    __table_args__ = (
        UniqueConstraint("tenant_id", "category_id", "locale", name="uq_content_cat_tr_locale"),
        UniqueConstraint("tenant_id", "locale", "slug", name="uq_content_cat_tr_slug"),
        _tenant_fk(
            "category_id", "content_categories", name="fk_content_cat_tr_cat", ondelete="CASCADE"
        ),
    )

    category_id: Mapped[uuid.UUID]
    locale: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(255))
    slug: Mapped[str] = mapped_column(String(255))
    description: Mapped[str] = mapped_column(Text, default="")


class Tag(TenantOwned, IdMixin, TimestampMixin, Base):
    __tablename__ = "content_tags"
    __table_args__ = (UniqueConstraint("tenant_id", "id", name="uq_content_tags_tenant_id_id"),)


class TagTranslation(TenantOwned, IdMixin, TimestampMixin, Base):
    __tablename__ = "content_tag_translations"
    __table_args__ = (
        UniqueConstraint("tenant_id", "tag_id", "locale", name="uq_content_tag_tr_locale"),
        UniqueConstraint("tenant_id", "locale", "slug", name="uq_content_tag_tr_slug"),
        _tenant_fk("tag_id", "content_tags", name="fk_content_tag_tr_tag", ondelete="CASCADE"),
    )

    tag_id: Mapped[uuid.UUID]
    locale: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(255))
    slug: Mapped[str] = mapped_column(String(255))


class Node(TenantOwned, IdMixin, TimestampMixin, Base):
    __tablename__ = "content_nodes"
    __table_args__ = (
        UniqueConstraint("tenant_id", "id", name="uq_content_nodes_tenant_id_id"),
        _tenant_fk("parent_id", "content_nodes", name="fk_content_nodes_parent"),
        _tenant_fk("category_id", "content_categories", name="fk_content_nodes_category"),
        CheckConstraint(_in("status", STATUSES), name="status"),
        Index("ix_content_nodes_listing", "tenant_id", "kind", "status", "created_at"),
        # The scheduler's claim crosses tenants: it looks only at due scheduled nodes.
        Index("ix_content_nodes_due", "status", "publish_at"),
    )

    kind: Mapped[str] = mapped_column(String(64))
    parent_id: Mapped[uuid.UUID | None]
    author_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    """A user of the tenant; no foreign key: users belong to the auth module, and content
    outlives the account that wrote it."""
    category_id: Mapped[uuid.UUID | None]
    status: Mapped[str] = mapped_column(String(16), default="draft")
    publish_at: Mapped[datetime | None]
    published_at: Mapped[datetime | None]
    position: Mapped[int] = mapped_column(Integer, default=0)
    metadata_: Mapped[dict[str, Any]] = mapped_column("metadata", default=dict)
    version: Mapped[int] = mapped_column(Integer, default=1)
    deleted_at: Mapped[datetime | None]


class NodeTranslation(TenantOwned, IdMixin, TimestampMixin, Base):
    __tablename__ = "content_node_translations"
    __table_args__ = (
        UniqueConstraint("tenant_id", "node_id", "locale", name="uq_content_node_tr_locale"),
        # `kind` is the node's, copied here so that the database holds slugs unique per kind.
        UniqueConstraint("tenant_id", "kind", "locale", "slug", name="uq_content_node_tr_slug"),
        _tenant_fk("node_id", "content_nodes", name="fk_content_node_tr_node", ondelete="CASCADE"),
    )

    node_id: Mapped[uuid.UUID]
    kind: Mapped[str] = mapped_column(String(64))
    locale: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(255))
    slug: Mapped[str] = mapped_column(String(255))
    excerpt: Mapped[str] = mapped_column(Text, default="")


class NodeBody(TenantOwned, IdMixin, TimestampMixin, Base):
    __tablename__ = "content_node_bodies"
    __table_args__ = (
        UniqueConstraint("tenant_id", "node_id", "locale", name="uq_content_node_body_locale"),
        _tenant_fk(
            "node_id", "content_nodes", name="fk_content_node_body_node", ondelete="CASCADE"
        ),
        CheckConstraint(_in("format", FORMATS), name="format"),
    )

    node_id: Mapped[uuid.UUID]
    locale: Mapped[str] = mapped_column(String(16))
    body: Mapped[str] = mapped_column(Text, default="")
    format: Mapped[str] = mapped_column(String(16), default="markdown")


class NodeRevision(TenantOwned, IdMixin, Base):
    """The translation and body of one locale as they were before an update."""

    __tablename__ = "content_node_revisions"
    __table_args__ = (
        Index("ix_content_node_revisions_node", "tenant_id", "node_id", "created_at"),
        _tenant_fk("node_id", "content_nodes", name="fk_content_node_rev_node", ondelete="CASCADE"),
    )

    node_id: Mapped[uuid.UUID]
    locale: Mapped[str] = mapped_column(String(16))
    node_version: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(255))
    slug: Mapped[str] = mapped_column(String(255))
    excerpt: Mapped[str] = mapped_column(Text, default="")
    body: Mapped[str | None] = mapped_column(Text)
    format: Mapped[str | None] = mapped_column(String(16))
    created_by: Mapped[uuid.UUID | None]
    created_at: Mapped[datetime]


class NodeTag(TenantOwned, IdMixin, Base):
    __tablename__ = "content_node_tags"
    __table_args__ = (
        UniqueConstraint("tenant_id", "node_id", "tag_id", name="uq_content_node_tags_link"),
        _tenant_fk(
            "node_id", "content_nodes", name="fk_content_node_tags_node", ondelete="CASCADE"
        ),
        _tenant_fk("tag_id", "content_tags", name="fk_content_node_tags_tag", ondelete="CASCADE"),
        Index("ix_content_node_tags_tag", "tenant_id", "tag_id"),
    )

    node_id: Mapped[uuid.UUID]
    tag_id: Mapped[uuid.UUID]
    created_at: Mapped[datetime]


class NodeSeo(TenantOwned, IdMixin, TimestampMixin, Base):
    __tablename__ = "content_node_seo"
    __table_args__ = (
        UniqueConstraint("tenant_id", "node_id", "locale", name="uq_content_node_seo_locale"),
        _tenant_fk("node_id", "content_nodes", name="fk_content_node_seo_node", ondelete="CASCADE"),
    )

    node_id: Mapped[uuid.UUID]
    locale: Mapped[str] = mapped_column(String(16))
    title: Mapped[str | None] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(String(1000))
    canonical_url: Mapped[str | None] = mapped_column(String(2048))
    robots: Mapped[str | None] = mapped_column(String(64))
    og_image_id: Mapped[uuid.UUID | None]
    """A media id (the media module's); a plain column until that module's table exists."""
