"""Pages DTOs: pages with their blocks, blocks, menus and their item trees."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, JsonValue, model_validator

from rustok.content.schemas import (
    MAX_TRANSLATIONS,
    NodeStatus,
    TranslationInput,
    TranslationPatch,
    TranslationRead,
)
from rustok.core.text import JsonObject, PlainText
from rustok.pages.links import SafeUrl
from rustok.tenancy.schemas import Locale

MAX_BLOCKS = 1000
"""What one request may carry at most; the tenant's limit (settings) is usually lower."""
MAX_MENU_ITEMS = 2000
BlockTypeName = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,63}$", examples=["hero"])]
Template = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_-]{0,63}$", examples=["landing"])]
Label = Annotated[PlainText, Field(min_length=1, max_length=255, examples=["About us"])]
MenuName = Annotated[PlainText, Field(min_length=1, max_length=255, examples=["Main navigation"])]
Position = Annotated[int, Field(ge=0, le=1_000_000)]

_HERO: dict[str, JsonValue] = {
    "type": "hero",
    "data": {
        "heading": "Welcome",
        "subheading": "What we do",
        "cta_label": "Shop",
        "cta_url": "/shop",
    },
    "translations": [{"locale": "de", "data": {"heading": "Willkommen"}}],
}


class MenuLocation(StrEnum):
    HEADER = "header"
    FOOTER = "footer"
    SIDEBAR = "sidebar"
    MOBILE = "mobile"


def _unique_locales(items: list[Any] | None, name: str = "translations") -> None:
    if items is None:
        return
    seen = [item.locale for item in items]
    if len(set(seen)) != len(seen):
        raise ValueError(f"each locale may appear once in {name}")


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class BlockTranslationInput(_Input):
    locale: Locale
    data: JsonObject = Field(examples=[{"heading": "Willkommen"}])


class BlockInput(_Input):
    """A block of a page being created. `data` is checked by the type's schema (docs/pages.md);
    a translation's data is merged over `data` for that locale and checked the same way."""

    model_config = ConfigDict(
        extra="forbid", str_strip_whitespace=True, json_schema_extra={"examples": [_HERO]}
    )

    type: BlockTypeName
    data: JsonObject
    translations: list[BlockTranslationInput] = Field(
        default_factory=list, max_length=MAX_TRANSLATIONS
    )

    @model_validator(mode="after")
    def _check(self) -> BlockInput:
        _unique_locales(self.translations)
        return self


class BlockCreate(BlockInput):
    """One more block; `position` (0 = first) moves those at and after it down, and a block
    without one goes last."""

    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        json_schema_extra={"examples": [{**_HERO, "position": 0}]},
    )

    position: Position | None = None


class BlockUpdate(_Input):
    """`data` and `translations` given replace the block's (the type stays)."""

    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        json_schema_extra={"examples": [{"data": {"heading": "Welcome back"}}]},
    )

    data: JsonObject | None = None
    translations: list[BlockTranslationInput] | None = Field(
        default=None, max_length=MAX_TRANSLATIONS
    )

    @model_validator(mode="after")
    def _check(self) -> BlockUpdate:
        _unique_locales(self.translations)
        return self


class BlockOrder(_Input):
    block_ids: list[uuid.UUID] = Field(min_length=1, max_length=MAX_BLOCKS)


class BlockTranslationRead(BaseModel):
    locale: str
    data: dict[str, Any]


class BlockRead(BaseModel):
    id: uuid.UUID
    page_id: uuid.UUID
    type: str
    position: int
    served_locale: str | None = Field(
        description="The locale whose translation `data` shows; None: the block's own data."
    )
    data: dict[str, Any] = Field(description="As readers get it: HTML sanitized, text rendered.")
    translations: list[BlockTranslationRead]
    created_at: datetime
    updated_at: datetime


class PageCreate(_Input):
    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        json_schema_extra={
            "examples": [
                {
                    "template": "landing",
                    "status": "published",
                    "translations": [
                        {"locale": "en", "title": "Spring sale", "slug": "spring-sale"},
                        {"locale": "de", "title": "Frühlingsaktion", "slug": "fruehlingsaktion"},
                    ],
                    "blocks": [
                        _HERO,
                        {"type": "text", "data": {"body": "We make **things**."}},
                    ],
                }
            ]
        },
    )

    template: Template = "default"
    status: NodeStatus = NodeStatus.DRAFT
    translations: list[TranslationInput] = Field(min_length=1, max_length=MAX_TRANSLATIONS)
    blocks: list[BlockInput] = Field(default_factory=list, max_length=MAX_BLOCKS)

    @model_validator(mode="after")
    def _check(self) -> PageCreate:
        _unique_locales(self.translations)
        if self.status is NodeStatus.SCHEDULED:
            raise ValueError("schedule a page over /api/content/nodes/{id}/schedule")
        return self


class PageUpdate(_Input):
    """Fields left out stay; `version` is the one the caller read."""

    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        json_schema_extra={
            "examples": [
                {
                    "version": 1,
                    "template": "contact",
                    "translations": [{"locale": "en", "title": "Contact"}],
                }
            ]
        },
    )

    version: int = Field(ge=1, le=2_000_000_000, examples=[1])
    template: Template | None = None
    translations: list[TranslationPatch] | None = Field(default=None, max_length=MAX_TRANSLATIONS)

    @model_validator(mode="after")
    def _check(self) -> PageUpdate:
        _unique_locales(self.translations)
        return self


class PageRead(BaseModel):
    id: uuid.UUID
    status: NodeStatus
    template: str
    author_id: uuid.UUID | None
    version: int
    published_at: datetime | None
    created_at: datetime
    updated_at: datetime
    served_locale: str | None = Field(
        description="The locale of `title`/`slug`: the one asked for, or the first of its "
        "fallback chain the page has."
    )
    title: str | None
    slug: str | None
    translations: list[TranslationRead]
    blocks: list[BlockRead] = Field(description="In order; each served in the page's locale.")


class PageQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: NodeStatus | None = None
    locale: Locale | None = None
    q: PlainText | None = Field(default=None, min_length=1, max_length=200)


class MenuLabelInput(_Input):
    locale: Locale
    label: Label


_ITEM: dict[str, JsonValue] = {
    "labels": [{"locale": "en", "label": "About us"}, {"locale": "de", "label": "Über uns"}],
    "url": "/about",
    "children": [{"labels": [{"locale": "en", "label": "Blog"}], "url": "/blog", "children": []}],
}


class _Link(_Input):
    labels: list[MenuLabelInput] = Field(min_length=1, max_length=MAX_TRANSLATIONS)
    url: SafeUrl | None = None
    page_id: uuid.UUID | None = None

    @model_validator(mode="after")
    def _check(self) -> _Link:
        _unique_locales(self.labels, "labels")
        if (self.url is None) == (self.page_id is None):
            raise ValueError("an item links to a url or to a page_id: give exactly one")
        return self


class MenuItemInput(_Link):
    """An item of a menu tree; its place is its place in the list."""

    model_config = ConfigDict(
        extra="forbid", str_strip_whitespace=True, json_schema_extra={"examples": [_ITEM]}
    )

    children: list[MenuItemInput] = Field(default_factory=list, max_length=MAX_MENU_ITEMS)


class MenuCreate(_Input):
    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        json_schema_extra={
            "examples": [{"name": "Main navigation", "location": "header", "items": [_ITEM]}]
        },
    )

    name: MenuName
    location: MenuLocation
    items: list[MenuItemInput] = Field(default_factory=list, max_length=MAX_MENU_ITEMS)


class MenuUpdate(_Input):
    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        json_schema_extra={"examples": [{"name": "Footer links", "location": "footer"}]},
    )

    name: MenuName | None = None
    location: MenuLocation | None = None


class MenuItems(_Input):
    """The whole tree, replacing the menu's: how a menu is reordered in one request."""

    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        json_schema_extra={"examples": [{"items": [_ITEM]}]},
    )

    items: list[MenuItemInput] = Field(max_length=MAX_MENU_ITEMS)


class MenuItemCreate(_Link):
    """One more item under `parent_id` (None: the top level) at `position` (None: last)."""

    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        json_schema_extra={
            "examples": [{"labels": [{"locale": "en", "label": "Contact"}], "url": "/contact"}]
        },
    )

    parent_id: uuid.UUID | None = None
    position: Position | None = None


class MenuItemUpdate(_Input):
    """Fields left out stay. A new `parent_id` moves the item with its children (null: to the
    top level); it may not be the item itself or one of its descendants. Give `url` or
    `page_id` to change the link (the other is cleared)."""

    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        json_schema_extra={"examples": [{"parent_id": None, "position": 0}]},
    )

    labels: list[MenuLabelInput] | None = Field(
        default=None, min_length=1, max_length=MAX_TRANSLATIONS
    )
    url: SafeUrl | None = None
    page_id: uuid.UUID | None = None
    parent_id: uuid.UUID | None = None
    position: Position | None = None

    @model_validator(mode="after")
    def _check(self) -> MenuItemUpdate:
        _unique_locales(self.labels, "labels")
        if self.url is not None and self.page_id is not None:
            raise ValueError("an item links to a url or to a page_id: give at most one")
        return self


class MenuItemRead(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "7f3b1c2e-5d4a-4e8b-9c1d-2a3b4c5d6e7f",
                    "parent_id": None,
                    "position": 0,
                    "served_locale": "en",
                    "label": "About us",
                    "labels": {"en": "About us", "de": "Über uns"},
                    "url": None,
                    "page_id": "7f3b1c2e-5d4a-4e8b-9c1d-2a3b4c5d6e7f",
                    "page_slug": "about",
                    "children": [],
                }
            ]
        }
    )

    id: uuid.UUID
    parent_id: uuid.UUID | None = None
    position: int
    served_locale: str | None = None
    label: str | None = None
    labels: dict[str, str]
    url: str | None = None
    page_id: uuid.UUID | None = None
    page_slug: str | None = Field(
        default=None, description="The linked page's slug in `served_locale`'s chain."
    )
    children: list[MenuItemRead]


class MenuRead(BaseModel):
    id: uuid.UUID
    name: str
    location: MenuLocation
    version: int
    items: list[MenuItemRead] = Field(
        description="The tree; items linking to a page the caller may not see are left out."
    )
    created_at: datetime
    updated_at: datetime
