"""Events the forum module emits, beside the `content.node.*` events of its nodes. They carry
what a forum index needs without reading back: the topic's category, its flags and reply
count after the change, a reply's place in its thread and its moderation status."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import ClassVar

from rustok.events.registry import EVENTS, DomainEvent


class TopicEvent(DomainEvent):
    aggregate_type: ClassVar[str] = "forum_topic"
    aggregate_field: ClassVar[str] = "topic_id"

    topic_id: uuid.UUID
    category_id: uuid.UUID
    author_id: uuid.UUID | None
    status: str
    pinned: bool
    locked: bool
    reply_count: int
    last_activity_at: datetime
    actor_id: uuid.UUID
    """The moderator who made the change."""


@EVENTS.register
class TopicPinned(TopicEvent):
    event_type: ClassVar[str] = "forum.topic.pinned"
    schema_version: ClassVar[int] = 1


@EVENTS.register
class TopicUnpinned(TopicEvent):
    event_type: ClassVar[str] = "forum.topic.unpinned"
    schema_version: ClassVar[int] = 1


@EVENTS.register
class TopicLocked(TopicEvent):
    event_type: ClassVar[str] = "forum.topic.locked"
    schema_version: ClassVar[int] = 1


@EVENTS.register
class TopicUnlocked(TopicEvent):
    event_type: ClassVar[str] = "forum.topic.unlocked"
    schema_version: ClassVar[int] = 1


class ReplyEvent(DomainEvent):
    aggregate_type: ClassVar[str] = "forum_reply"
    aggregate_field: ClassVar[str] = "reply_id"

    reply_id: uuid.UUID
    topic_id: uuid.UUID
    category_id: uuid.UUID
    parent_id: uuid.UUID | None
    depth: int
    author_id: uuid.UUID | None
    locale: str
    status: str
    reply_count: int
    """The topic's count of approved replies after this change."""


@EVENTS.register
class ReplyCreated(ReplyEvent):
    event_type: ClassVar[str] = "forum.reply.created"
    schema_version: ClassVar[int] = 1

    created_at: datetime


@EVENTS.register
class ReplyModerated(ReplyEvent):
    """`status` is the new moderation status, `previous_status` the one it left."""

    event_type: ClassVar[str] = "forum.reply.moderated"
    schema_version: ClassVar[int] = 1

    previous_status: str
    moderated_by: uuid.UUID


@EVENTS.register
class ReplyDeleted(ReplyEvent):
    event_type: ClassVar[str] = "forum.reply.deleted"
    schema_version: ClassVar[int] = 1
