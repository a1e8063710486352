"""Events the content module emits. Node events carry what a search index or a cache needs to
act without reading the node back: ids, kind, status, locales, slug and title, author,
category, tags, published_at and the node's version (also the event's aggregate version)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import ClassVar

from rustok.events.registry import EVENTS, DomainEvent


class NodeEvent(DomainEvent):
    aggregate_type: ClassVar[str] = "content_node"
    aggregate_field: ClassVar[str] = "node_id"

    node_id: uuid.UUID
    kind: str
    status: str
    locales: list[str]
    slugs: dict[str, str]
    """Per locale."""
    titles: dict[str, str]
    author_id: uuid.UUID | None
    category_id: uuid.UUID | None
    parent_id: uuid.UUID | None
    tag_ids: list[uuid.UUID]
    published_at: datetime | None
    version: int


@EVENTS.register
class NodeCreated(NodeEvent):
    event_type: ClassVar[str] = "content.node.created"
    schema_version: ClassVar[int] = 1


@EVENTS.register
class NodeUpdated(NodeEvent):
    """`changes` names what changed (e.g. translations, category_id, tags)."""

    event_type: ClassVar[str] = "content.node.updated"
    schema_version: ClassVar[int] = 1

    changes: list[str]


@EVENTS.register
class NodePublished(NodeEvent):
    """`scheduled`: published by the scheduler when its publish_at passed."""

    event_type: ClassVar[str] = "content.node.published"
    schema_version: ClassVar[int] = 1

    scheduled: bool = False


@EVENTS.register
class NodeUnpublished(NodeEvent):
    event_type: ClassVar[str] = "content.node.unpublished"
    schema_version: ClassVar[int] = 1


@EVENTS.register
class NodeArchived(NodeEvent):
    event_type: ClassVar[str] = "content.node.archived"
    schema_version: ClassVar[int] = 1


@EVENTS.register
class NodeDeleted(NodeEvent):
    """Soft-deleted: hidden everywhere, restorable."""

    event_type: ClassVar[str] = "content.node.deleted"
    schema_version: ClassVar[int] = 1


@EVENTS.register
class NodeRestored(NodeEvent):
    event_type: ClassVar[str] = "content.node.restored"
    schema_version: ClassVar[int] = 1


class _NodePartEvent(DomainEvent):
    aggregate_type: ClassVar[str] = "content_node"
    aggregate_field: ClassVar[str] = "node_id"

    node_id: uuid.UUID
    kind: str
    locale: str
    version: int


@EVENTS.register
class TranslationUpdated(_NodePartEvent):
    """A locale's title, slug or excerpt was written (added, changed or restored)."""

    event_type: ClassVar[str] = "content.translation.updated"
    schema_version: ClassVar[int] = 1

    title: str
    slug: str
    excerpt: str


@EVENTS.register
class BodyUpdated(_NodePartEvent):
    event_type: ClassVar[str] = "content.body.updated"
    schema_version: ClassVar[int] = 1

    format: str
    length: int


class CategoryEvent(DomainEvent):
    aggregate_type: ClassVar[str] = "content_category"
    aggregate_field: ClassVar[str] = "category_id"

    category_id: uuid.UUID
    parent_id: uuid.UUID | None
    slugs: dict[str, str]
    names: dict[str, str]


@EVENTS.register
class CategoryCreated(CategoryEvent):
    event_type: ClassVar[str] = "content.category.created"
    schema_version: ClassVar[int] = 1


@EVENTS.register
class CategoryUpdated(CategoryEvent):
    event_type: ClassVar[str] = "content.category.updated"
    schema_version: ClassVar[int] = 1


@EVENTS.register
class CategoryDeleted(CategoryEvent):
    event_type: ClassVar[str] = "content.category.deleted"
    schema_version: ClassVar[int] = 1


class _TagLinkEvent(DomainEvent):
    aggregate_type: ClassVar[str] = "content_node"
    aggregate_field: ClassVar[str] = "node_id"

    node_id: uuid.UUID
    kind: str
    tag_id: uuid.UUID
    slugs: dict[str, str]
    """The tag's slugs per locale."""
    version: int


@EVENTS.register
class TagAttached(_TagLinkEvent):
    event_type: ClassVar[str] = "content.tag.attached"
    schema_version: ClassVar[int] = 1


@EVENTS.register
class TagDetached(_TagLinkEvent):
    event_type: ClassVar[str] = "content.tag.detached"
    schema_version: ClassVar[int] = 1
