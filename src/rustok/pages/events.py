"""Events the pages module emits (pages themselves emit content's `content.node.*`). Block
events carry the page, so a cache of the rendered page or an index can act on them; menu
events carry the location and the linked pages."""

from __future__ import annotations

import uuid
from typing import ClassVar

from rustok.events.registry import EVENTS, DomainEvent


class BlockEvent(DomainEvent):
    aggregate_type: ClassVar[str] = "page"
    aggregate_field: ClassVar[str] = "page_id"

    page_id: uuid.UUID
    block_id: uuid.UUID
    type: str
    position: int
    locales: list[str]
    """The locales the block has a translation in."""


@EVENTS.register
class BlockCreated(BlockEvent):
    event_type: ClassVar[str] = "pages.block.created"
    schema_version: ClassVar[int] = 1


@EVENTS.register
class BlockUpdated(BlockEvent):
    event_type: ClassVar[str] = "pages.block.updated"
    schema_version: ClassVar[int] = 1


@EVENTS.register
class BlockDeleted(BlockEvent):
    event_type: ClassVar[str] = "pages.block.deleted"
    schema_version: ClassVar[int] = 1


@EVENTS.register
class BlocksReordered(DomainEvent):
    """`block_ids`: every block of the page, in its new order."""

    event_type: ClassVar[str] = "pages.block.reordered"
    schema_version: ClassVar[int] = 1
    aggregate_type: ClassVar[str] = "page"
    aggregate_field: ClassVar[str] = "page_id"

    page_id: uuid.UUID
    block_ids: list[uuid.UUID]


class MenuEvent(DomainEvent):
    aggregate_type: ClassVar[str] = "menu"
    aggregate_field: ClassVar[str] = "menu_id"

    menu_id: uuid.UUID
    name: str
    location: str
    version: int
    item_count: int
    page_ids: list[uuid.UUID]
    """The pages its items link to."""


@EVENTS.register
class MenuCreated(MenuEvent):
    event_type: ClassVar[str] = "pages.menu.created"
    schema_version: ClassVar[int] = 1


@EVENTS.register
class MenuUpdated(MenuEvent):
    """Its name, location or items changed (`changes` says which)."""

    event_type: ClassVar[str] = "pages.menu.updated"
    schema_version: ClassVar[int] = 1

    changes: list[str]


@EVENTS.register
class MenuDeleted(MenuEvent):
    event_type: ClassVar[str] = "pages.menu.deleted"
    schema_version: ClassVar[int] = 1
