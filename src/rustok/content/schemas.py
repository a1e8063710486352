"""Content DTOs: what the API takes and answers for nodes, categories, tags and revisions."""

from __future__ import annotations

import unicodedata
import uuid
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    model_validator,
)

from rustok.core.text import JsonObject, PlainText, ProseText, check_prose
from rustok.tenancy.schemas import Locale

SLUG_PATTERN = r"^[\w]+(?:-[\w]+)*$"
"""Lower-case letters and digits of any script, `_`, and single dashes between them."""
KIND_PATTERN = r"^[a-z][a-z0-9_]{0,63}$"
MAX_TRANSLATIONS = 50
MAX_TAGS = 50


def normalise_slug(value: object) -> object:
    """Slugs compare as NFKC lower case, so `Straße` and `straße` are one slug."""
    if isinstance(value, str):
        return unicodedata.normalize("NFKC", value).strip().lower()
    return value


class NodeStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    ARCHIVED = "archived"
    SCHEDULED = "scheduled"


class BodyFormat(StrEnum):
    MARKDOWN = "markdown"
    HTML = "html"
    PLAIN = "plain"
    JSON = "json"


class NodeSort(StrEnum):
    NEWEST = "-created_at"
    OLDEST = "created_at"
    RECENTLY_UPDATED = "-updated_at"
    RECENTLY_PUBLISHED = "-published_at"
    POSITION = "position"


Slug = Annotated[
    str,
    BeforeValidator(normalise_slug),
    Field(pattern=SLUG_PATTERN, min_length=1, max_length=255, examples=["hello-world"]),
]
Kind = Annotated[str, Field(pattern=KIND_PATTERN, examples=["article"])]
Title = Annotated[PlainText, Field(min_length=1, max_length=255, examples=["Hello, world"])]
Excerpt = Annotated[ProseText, Field(max_length=1000, examples=["The first post."])]
Body = Annotated[
    str,
    AfterValidator(check_prose),
    Field(examples=["# Hello\n\nThe **first** post."]),
]
Position = Annotated[int, Field(ge=0, le=1_000_000)]
Name = Annotated[PlainText, Field(min_length=1, max_length=255, examples=["News"])]
Description = Annotated[ProseText, Field(max_length=5000, examples=["What happened."])]


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class SeoInput(_Input):
    title: PlainText | None = Field(default=None, max_length=255, examples=["Hello | Acme"])
    description: ProseText | None = Field(
        default=None, max_length=1000, examples=["Our first post."]
    )
    canonical_url: str | None = Field(
        default=None,
        max_length=2048,
        pattern=r"^https?://[^\s]+$",
        examples=["https://acme.example/blog/hello-world"],
    )
    robots: str | None = Field(
        default=None, max_length=64, pattern=r"^[a-z, -]+$", examples=["index, follow"]
    )
    og_image_id: uuid.UUID | None = None


class TranslationInput(_Input):
    locale: Locale
    title: Title
    slug: Slug | None = None
    excerpt: Excerpt = ""
    body: Body | None = None
    format: BodyFormat = BodyFormat.MARKDOWN
    seo: SeoInput | None = None


class TranslationPatch(_Input):
    """A locale's changes; a locale the node lacks is added (then `title` is required)."""

    locale: Locale
    title: Title | None = None
    slug: Slug | None = None
    excerpt: Excerpt | None = None
    body: Body | None = None
    format: BodyFormat | None = None
    seo: SeoInput | None = None


def _unique_locales(translations: list[Any] | None) -> None:
    if translations is None:
        return
    seen = [item.locale for item in translations]
    if len(set(seen)) != len(seen):
        raise ValueError("each locale may appear once in translations")


class NodeCreate(_Input):
    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        json_schema_extra={
            "examples": [
                {
                    "kind": "article",
                    "status": "published",
                    "metadata": {},
                    "translations": [
                        {
                            "locale": "en",
                            "title": "Hello, world",
                            "excerpt": "The first post.",
                            "body": "# Hello\n\nThe **first** post.",
                            "format": "markdown",
                        }
                    ],
                }
            ]
        },
    )

    kind: Kind
    status: NodeStatus = NodeStatus.DRAFT
    publish_at: AwareDatetime | None = None
    parent_id: uuid.UUID | None = None
    category_id: uuid.UUID | None = None
    position: Position = 0
    metadata: JsonObject = Field(default_factory=dict)
    translations: list[TranslationInput] = Field(min_length=1, max_length=MAX_TRANSLATIONS)
    tag_ids: list[uuid.UUID] = Field(default_factory=list, max_length=MAX_TAGS)

    @model_validator(mode="after")
    def _check(self) -> NodeCreate:
        _unique_locales(self.translations)
        if (self.status is NodeStatus.SCHEDULED) != (self.publish_at is not None):
            raise ValueError("publish_at is given exactly when status is scheduled")
        return self


class NodeUpdate(_Input):
    """Fields left out stay as they are; `version` is the one the caller read."""

    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        json_schema_extra={
            "examples": [
                {
                    "version": 1,
                    "translations": [{"locale": "en", "title": "Hello again"}],
                }
            ]
        },
    )

    version: int = Field(ge=1, le=2_000_000_000, examples=[1])
    parent_id: uuid.UUID | None = None
    category_id: uuid.UUID | None = None
    author_id: uuid.UUID | None = None
    position: Position | None = None
    metadata: JsonObject | None = None
    translations: list[TranslationPatch] | None = Field(default=None, max_length=MAX_TRANSLATIONS)

    @model_validator(mode="after")
    def _check(self) -> NodeUpdate:
        _unique_locales(self.translations)
        return self


class ScheduleRequest(_Input):
    publish_at: AwareDatetime = Field(examples=["2030-01-15T09:30:00Z"])


class TagIds(_Input):
    tag_ids: list[uuid.UUID] = Field(min_length=1, max_length=MAX_TAGS)


class SeoRead(BaseModel):
    title: str | None
    description: str | None
    canonical_url: str | None
    robots: str | None
    og_image_id: uuid.UUID | None


class TranslationRead(BaseModel):
    locale: str
    title: str
    slug: str
    excerpt: str
    body: str | None = None
    format: BodyFormat | None = None
    html: str | None = Field(
        default=None, description="The body as sanitized HTML (None for json bodies)."
    )
    seo: SeoRead | None = None


class TagRef(BaseModel):
    id: uuid.UUID
    name: str
    slug: str
    served_locale: str


class NodeRead(BaseModel):
    id: uuid.UUID
    kind: str
    status: NodeStatus
    parent_id: uuid.UUID | None
    author_id: uuid.UUID | None
    category_id: uuid.UUID | None
    position: int
    metadata: dict[str, Any]
    version: int
    publish_at: datetime | None
    published_at: datetime | None
    deleted_at: datetime | None
    created_at: datetime
    updated_at: datetime
    served_locale: str | None = Field(
        description="The locale of `title`/`slug`: the one asked for, or the first of its "
        "fallback chain the node has."
    )
    title: str | None
    slug: str | None
    translations: list[TranslationRead]
    tags: list[TagRef]


class RevisionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    node_id: uuid.UUID
    locale: str
    node_version: int
    title: str
    slug: str
    excerpt: str
    body: str | None
    format: str | None
    created_by: uuid.UUID | None
    created_at: datetime


class CategoryTranslationInput(_Input):
    locale: Locale
    name: Name
    slug: Slug | None = None
    description: Description = ""


class CategoryCreate(_Input):
    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        json_schema_extra={
            "examples": [
                {
                    "position": 0,
                    "translations": [
                        {"locale": "en", "name": "News"},
                        {"locale": "de", "name": "Neuigkeiten"},
                    ],
                }
            ]
        },
    )

    parent_id: uuid.UUID | None = None
    position: Position = 0
    translations: list[CategoryTranslationInput] = Field(min_length=1, max_length=MAX_TRANSLATIONS)

    @model_validator(mode="after")
    def _check(self) -> CategoryCreate:
        _unique_locales(self.translations)
        return self


class CategoryUpdate(_Input):
    """Fields left out stay; a translation given replaces that locale's (or adds it)."""

    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        json_schema_extra={
            "examples": [{"position": 1, "translations": [{"locale": "en", "name": "World news"}]}]
        },
    )

    parent_id: uuid.UUID | None = None
    position: Position | None = None
    translations: list[CategoryTranslationInput] | None = Field(
        default=None, max_length=MAX_TRANSLATIONS
    )

    @model_validator(mode="after")
    def _check(self) -> CategoryUpdate:
        _unique_locales(self.translations)
        return self


class CategoryTranslationRead(BaseModel):
    locale: str
    name: str
    slug: str
    description: str


class CategoryRead(BaseModel):
    id: uuid.UUID
    parent_id: uuid.UUID | None
    position: int
    served_locale: str | None
    name: str | None
    slug: str | None
    translations: list[CategoryTranslationRead]
    created_at: datetime
    updated_at: datetime


class TagTranslationInput(_Input):
    locale: Locale
    name: Name
    slug: Slug | None = None


class TagCreate(_Input):
    translations: list[TagTranslationInput] = Field(min_length=1, max_length=MAX_TRANSLATIONS)

    @model_validator(mode="after")
    def _check(self) -> TagCreate:
        _unique_locales(self.translations)
        return self


class TagUpdate(TagCreate):
    """The translations given replace those locales' (or add them)."""


class TagTranslationRead(BaseModel):
    locale: str
    name: str
    slug: str


class TagRead(BaseModel):
    id: uuid.UUID
    served_locale: str | None
    name: str | None
    slug: str | None
    translations: list[TagTranslationRead]
    created_at: datetime


class NodeQuery(BaseModel):
    """Filters of the node list; every one optional."""

    model_config = ConfigDict(extra="forbid")

    kind: Kind | None = None
    status: NodeStatus | None = None
    author_id: uuid.UUID | None = None
    category_id: uuid.UUID | None = None
    tag_id: uuid.UUID | None = None
    parent_id: uuid.UUID | None = None
    locale: Locale | None = None
    q: PlainText | None = Field(default=None, min_length=1, max_length=200)
    deleted: Literal["exclude", "only"] = Field(
        default="exclude", description="`only`: the soft-deleted nodes (editors)."
    )
    sort: NodeSort = NodeSort.NEWEST
