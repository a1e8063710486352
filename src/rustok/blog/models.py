"""Tables of the blog module: what content's nodes do not hold.

A comment's text is a content node (kind `comment`, parent = the post); its moderation status,
author and guest details are a row here under the same id, and each post's count of approved
comments is a counter row moved by atomic updates. References to nodes carry the tenant, so a
row can never point into another tenant.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from rustok.core.db import Base, IdMixin, TenantOwned, TimestampMixin

COMMENT_STATUSES = ("pending", "approved", "rejected", "spam")
MODERATIONS = ("all", "guests", "none")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(value) for value in values)})"


def _node_fk(column: str, *, name: str) -> ForeignKeyConstraint:
    return ForeignKeyConstraint(
        ["tenant_id", column],
        ["content_nodes.tenant_id", "content_nodes.id"],
        name=name,
        ondelete="CASCADE",
    )


class Comment(TenantOwned, TimestampMixin, Base):
    __tablename__ = "blog_comments"
    __table_args__ = (
        _node_fk("id", name="fk_blog_comments_node"),
        _node_fk("post_id", name="fk_blog_comments_post"),
        CheckConstraint(_in("status", COMMENT_STATUSES), name="status"),
        Index("ix_blog_comments_post", "tenant_id", "post_id", "status", "created_at"),
        Index("ix_blog_comments_status", "tenant_id", "status", "created_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    """The comment's node id."""
    post_id: Mapped[uuid.UUID]
    status: Mapped[str] = mapped_column(String(16))
    author_id: Mapped[uuid.UUID | None]
    """The signed-in user who wrote it; None for a guest."""
    guest_name: Mapped[str | None] = mapped_column(String(100))
    guest_email: Mapped[str | None] = mapped_column(String(254))
    deleted_at: Mapped[datetime | None]


class PostStats(TenantOwned, Base):
    __tablename__ = "blog_post_stats"
    __table_args__ = (_node_fk("post_id", name="fk_blog_post_stats_post"),)

    post_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    comment_count: Mapped[int] = mapped_column(Integer, default=0)
    """Approved comments that are not deleted."""


class TenantBlogSettings(TenantOwned, IdMixin, TimestampMixin, Base):
    """A tenant's comment rules; without a row the module's settings apply."""

    __tablename__ = "blog_tenant_settings"
    __table_args__ = (
        UniqueConstraint("tenant_id", name="uq_blog_tenant_settings_tenant"),
        CheckConstraint(_in("moderation", MODERATIONS), name="moderation"),
    )

    guest_comments: Mapped[bool]
    moderation: Mapped[str] = mapped_column(String(16))
