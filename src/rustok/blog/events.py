"""Events the blog module emits. Posts are content nodes and announce themselves with
`content.node.*`; comments add their moderation: each event carries the post, the status and
the post's count of approved comments after the change, so a page cache or an index can act
without reading back."""

from __future__ import annotations

import uuid
from typing import ClassVar

from rustok.events.registry import EVENTS, DomainEvent


class CommentEvent(DomainEvent):
    aggregate_type: ClassVar[str] = "blog_comment"
    aggregate_field: ClassVar[str] = "comment_id"

    comment_id: uuid.UUID
    post_id: uuid.UUID
    status: str
    author_id: uuid.UUID | None
    guest: bool
    locale: str
    comment_count: int
    """The post's approved comments after this change."""


@EVENTS.register
class CommentCreated(CommentEvent):
    event_type: ClassVar[str] = "blog.comment.created"
    schema_version: ClassVar[int] = 1


@EVENTS.register
class CommentApproved(CommentEvent):
    event_type: ClassVar[str] = "blog.comment.approved"
    schema_version: ClassVar[int] = 1


@EVENTS.register
class CommentRejected(CommentEvent):
    """`status` says `rejected` or `spam`."""

    event_type: ClassVar[str] = "blog.comment.rejected"
    schema_version: ClassVar[int] = 1


@EVENTS.register
class CommentDeleted(CommentEvent):
    event_type: ClassVar[str] = "blog.comment.deleted"
    schema_version: ClassVar[int] = 1
