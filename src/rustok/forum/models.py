"""Tables of the forum module: what a forum adds to its content nodes.

A topic's and a reply's text, translations, author and revisions are content nodes (kinds
`forum_topic` and `forum_reply`); these rows hold the forum's own state beside them, keyed by
the node's id: pinned, locked, open or closed, the reply count and the last reply of a topic;
the thread position and moderation status of a reply. Counts are changed by atomic `UPDATE ...
SET reply_count = reply_count + :n` on the topic row, never by reading and writing them back.
Every reference carries the tenant (`(tenant_id, x_id) -> (tenant_id, id)`).
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from rustok.core.db import Base, TenantOwned

TOPIC_STATUSES = ("open", "closed")
REPLY_STATUSES = ("pending", "approved", "rejected", "hidden")


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


class Topic(TenantOwned, Base):
    __tablename__ = "forum_topics"
    __table_args__ = (
        UniqueConstraint("tenant_id", "id", name="uq_forum_topics_tenant_id_id"),
        _tenant_fk("id", "content_nodes", name="fk_forum_topics_node", ondelete="CASCADE"),
        _tenant_fk("category_id", "content_nodes", name="fk_forum_topics_category"),
        CheckConstraint(_in("status", TOPIC_STATUSES), name="status"),
        CheckConstraint("reply_count >= 0", name="reply_count"),
        # The category's list: pinned first, then the latest activity.
        Index(
            "ix_forum_topics_listing",
            "tenant_id",
            "category_id",
            "pinned",
            "last_activity_at",
            "id",
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    """The topic's node id."""
    category_id: Mapped[uuid.UUID]
    """The node id of its `forum_category`."""
    author_id: Mapped[uuid.UUID | None]
    status: Mapped[str] = mapped_column(String(16), default="open")
    pinned: Mapped[bool] = mapped_column(Boolean, default=False)
    locked: Mapped[bool] = mapped_column(Boolean, default=False)
    reply_count: Mapped[int] = mapped_column(Integer, default=0)
    """Approved replies that are not deleted."""
    last_reply_id: Mapped[uuid.UUID | None]
    last_reply_at: Mapped[datetime | None]
    last_reply_author_id: Mapped[uuid.UUID | None]
    last_activity_at: Mapped[datetime]
    """The topic's creation or its latest approved reply, whichever is later."""
    created_at: Mapped[datetime]
    deleted_at: Mapped[datetime | None]


class Reply(TenantOwned, Base):
    __tablename__ = "forum_replies"
    __table_args__ = (
        UniqueConstraint("tenant_id", "id", name="uq_forum_replies_tenant_id_id"),
        _tenant_fk("id", "content_nodes", name="fk_forum_replies_node", ondelete="CASCADE"),
        _tenant_fk("topic_id", "forum_topics", name="fk_forum_replies_topic", ondelete="CASCADE"),
        _tenant_fk("parent_id", "forum_replies", name="fk_forum_replies_parent"),
        CheckConstraint(_in("status", REPLY_STATUSES), name="status"),
        CheckConstraint("depth >= 1", name="depth"),
        Index("ix_forum_replies_topic", "tenant_id", "topic_id", "created_at", "id"),
        Index("ix_forum_replies_root", "tenant_id", "root_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    """The reply's node id."""
    topic_id: Mapped[uuid.UUID]
    parent_id: Mapped[uuid.UUID | None]
    """The reply it answers; None for a reply to the topic itself."""
    root_id: Mapped[uuid.UUID]
    """The reply at depth 1 its thread starts from (itself at depth 1)."""
    depth: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16))
    author_id: Mapped[uuid.UUID | None]
    locale: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime]
    edited_at: Mapped[datetime | None]
    moderated_at: Mapped[datetime | None]
    moderated_by: Mapped[uuid.UUID | None]
    deleted_at: Mapped[datetime | None]
