"""Forum DTOs: what the API takes and answers for categories, topics and replies.

Titles, slugs, bodies and locales follow content's rules (the same types): a forum's text is
stored in content nodes.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from rustok.content.schemas import (
    MAX_TRANSLATIONS,
    BodyFormat,
    Excerpt,
    Position,
    Slug,
    Title,
    TranslationRead,
)
from rustok.core.text import ProseText
from rustok.tenancy.schemas import Locale

EXAMPLE_ID = "7f3b1c2e-5d4a-4e8b-9c1d-2a3b4c5d6e7f"
EXAMPLE_TIME = "2026-01-15T09:30:00Z"


class TopicStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class ReplyStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    HIDDEN = "hidden"


class PostFormat(StrEnum):
    """How a topic's or a reply's body is written (rendered and sanitized on the way out)."""

    MARKDOWN = "markdown"
    HTML = "html"
    PLAIN = "plain"


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


def _unique_locales(translations: list[Any] | None) -> None:
    if translations is None:
        return
    seen = [item.locale for item in translations]
    if len(set(seen)) != len(seen):
        raise ValueError("each locale may appear once in translations")


PostBody = Annotated[ProseText, Field(examples=["Is there a **guide**?"])]
"""A topic's or a reply's text: prose (no control characters but tabs and line breaks), within
content's body size limit."""


class ForumCategoryTranslationInput(_Input):
    locale: Locale
    title: Title = Field(examples=["General discussion"])
    slug: Slug | None = None
    description: Excerpt = ""


class ForumCategoryTranslationPatch(_Input):
    """A locale's changes; a locale the category lacks is added (then `title` is required)."""

    locale: Locale
    title: Title | None = None
    slug: Slug | None = None
    description: Excerpt | None = None


class ForumCategoryCreate(_Input):
    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        json_schema_extra={
            "examples": [
                {
                    "position": 0,
                    "translations": [
                        {
                            "locale": "en",
                            "title": "General discussion",
                            "description": "Anything about RusToK.",
                        },
                        {"locale": "de", "title": "Allgemeine Diskussion"},
                    ],
                }
            ]
        },
    )

    position: Position = 0
    translations: list[ForumCategoryTranslationInput] = Field(
        min_length=1, max_length=MAX_TRANSLATIONS
    )

    @model_validator(mode="after")
    def _check(self) -> ForumCategoryCreate:
        _unique_locales(self.translations)
        return self


class ForumCategoryUpdate(_Input):
    """Fields left out stay; `version` is the one the caller read."""

    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        json_schema_extra={
            "examples": [
                {"version": 1, "position": 1, "translations": [{"locale": "en", "title": "Help"}]}
            ]
        },
    )

    version: int = Field(ge=1, le=2_000_000_000, examples=[1])
    position: Position | None = None
    translations: list[ForumCategoryTranslationPatch] | None = Field(
        default=None, max_length=MAX_TRANSLATIONS
    )

    @model_validator(mode="after")
    def _check(self) -> ForumCategoryUpdate:
        _unique_locales(self.translations)
        return self


class ForumCategoryTranslationRead(BaseModel):
    locale: str
    title: str
    slug: str
    description: str


class ForumCategoryRead(BaseModel):
    id: uuid.UUID
    position: int
    version: int
    served_locale: str | None
    title: str | None
    slug: str | None
    description: str | None
    translations: list[ForumCategoryTranslationRead]
    created_at: datetime
    updated_at: datetime


class TopicTranslationInput(_Input):
    locale: Locale
    title: Title = Field(examples=["How do I translate a topic?"])
    slug: Slug | None = None
    body: PostBody = Field(min_length=1, examples=["Is there a **guide**?"])
    format: PostFormat = PostFormat.MARKDOWN


class TopicTranslationPatch(_Input):
    """A locale's changes; a locale the topic lacks is added (then `title` is required)."""

    locale: Locale
    title: Title | None = None
    slug: Slug | None = None
    body: PostBody | None = Field(default=None, min_length=1)
    format: PostFormat | None = None


class TopicCreate(_Input):
    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        json_schema_extra={
            "examples": [
                {
                    "category_id": EXAMPLE_ID,
                    "translations": [
                        {
                            "locale": "en",
                            "title": "How do I translate a topic?",
                            "body": "Is there a **guide**?",
                            "format": "markdown",
                        }
                    ],
                }
            ]
        },
    )

    category_id: uuid.UUID
    translations: list[TopicTranslationInput] = Field(min_length=1, max_length=MAX_TRANSLATIONS)

    @model_validator(mode="after")
    def _check(self) -> TopicCreate:
        _unique_locales(self.translations)
        return self


class TopicUpdate(_Input):
    """Fields left out stay; `version` is the one the caller read. An author may close and
    reopen its own topic."""

    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        json_schema_extra={
            "examples": [
                {
                    "version": 1,
                    "translations": [{"locale": "en", "title": "Solved: translating topics"}],
                }
            ]
        },
    )

    version: int = Field(ge=1, le=2_000_000_000, examples=[1])
    status: TopicStatus | None = None
    translations: list[TopicTranslationPatch] | None = Field(
        default=None, max_length=MAX_TRANSLATIONS
    )

    @model_validator(mode="after")
    def _check(self) -> TopicUpdate:
        _unique_locales(self.translations)
        return self


class TopicRead(BaseModel):
    id: uuid.UUID
    category_id: uuid.UUID
    author_id: uuid.UUID | None
    status: TopicStatus
    pinned: bool
    locked: bool
    reply_count: int = Field(description="Approved replies.")
    last_reply_id: uuid.UUID | None
    last_reply_at: datetime | None
    last_reply_author_id: uuid.UUID | None
    last_activity_at: datetime
    version: int
    served_locale: str | None
    title: str | None
    slug: str | None
    translations: list[TranslationRead]
    created_at: datetime
    updated_at: datetime


class TopicQuery(BaseModel):
    """Filters of the topic list (pinned first, then the latest activity)."""

    model_config = ConfigDict(extra="forbid")

    category_id: uuid.UUID | None = None
    locale: Locale | None = None


class ReplyCreate(_Input):
    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        json_schema_extra={
            "examples": [{"body": "See the **guide** in the docs.", "format": "markdown"}]
        },
    )

    body: PostBody = Field(min_length=1)
    format: PostFormat = PostFormat.MARKDOWN
    locale: Locale | None = Field(
        default=None, description="The reply's language (the tenant's default when left out)."
    )
    parent_id: uuid.UUID | None = Field(
        default=None, description="The reply this one answers (None: the topic)."
    )


class ReplyUpdate(_Input):
    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        json_schema_extra={"examples": [{"version": 1, "body": "See the *updated* guide."}]},
    )

    version: int = Field(ge=1, le=2_000_000_000, examples=[1])
    body: PostBody = Field(min_length=1)
    format: PostFormat | None = None


class ReplyModerate(_Input):
    status: ReplyStatus = Field(examples=["approved"])


class ReplyQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    view: Literal["flat", "threaded"] = Field(
        default="flat",
        description="`flat`: every reply oldest first, each with its `parent_id`; `threaded`: "
        "replies to the topic oldest first, each with the replies under it in `replies`.",
    )


class ReplyRead(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "0f5e9d3c-8b2a-4c1d-9e8f-7a6b5c4d3e2f",
                    "topic_id": "3c2b1a09-8f7e-4d6c-b5a4-9382716f5e4d",
                    "parent_id": EXAMPLE_ID,
                    "root_id": EXAMPLE_ID,
                    "depth": 2,
                    "author_id": EXAMPLE_ID,
                    "status": "approved",
                    "locale": "en",
                    "body": "See the **guide**.",
                    "format": "markdown",
                    "html": "<p>See the <strong>guide</strong>.</p>\n",
                    "version": 1,
                    "created_at": EXAMPLE_TIME,
                    "edited_at": EXAMPLE_TIME,
                    "moderated_at": EXAMPLE_TIME,
                    "replies": [],
                }
            ]
        }
    )

    id: uuid.UUID
    topic_id: uuid.UUID
    parent_id: uuid.UUID | None
    root_id: uuid.UUID
    depth: int
    author_id: uuid.UUID | None
    status: ReplyStatus
    locale: str
    body: str
    format: BodyFormat
    html: str | None = Field(description="The body as sanitized HTML.")
    version: int
    created_at: datetime
    edited_at: datetime | None
    moderated_at: datetime | None
    replies: list[ReplyRead] = Field(
        default_factory=list, description="The replies under this one (threaded view only)."
    )
