"""Blog DTOs: posts (content nodes of kind `post`) and their comments."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StrictBool, model_validator

from rustok.auth.schemas import Email
from rustok.blog.settings import Moderation
from rustok.content.schemas import (
    MAX_TAGS,
    MAX_TRANSLATIONS,
    BodyFormat,
    NodeStatus,
    TagRef,
    TranslationInput,
    TranslationPatch,
    TranslationRead,
)
from rustok.core.text import PlainText, ProseText
from rustok.tenancy.schemas import Locale


class CommentStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    SPAM = "spam"


def _unique_locales(translations: list[TranslationInput] | list[TranslationPatch] | None) -> None:
    if translations is None:
        return
    seen = [item.locale for item in translations]
    if len(set(seen)) != len(seen):
        raise ValueError("each locale may appear once in translations")


class PostCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        json_schema_extra={
            "examples": [
                {
                    "status": "published",
                    "comments_open": True,
                    "translations": [
                        {
                            "locale": "en",
                            "title": "Hello, blog",
                            "excerpt": "The first post.",
                            "body": "# Hello\n\nThe **first** post of the blog.",
                            "format": "markdown",
                        }
                    ],
                }
            ]
        },
    )

    status: NodeStatus = NodeStatus.DRAFT
    publish_at: AwareDatetime | None = None
    category_id: uuid.UUID | None = None
    tag_ids: list[uuid.UUID] = Field(default_factory=list, max_length=MAX_TAGS)
    featured_image_id: uuid.UUID | None = None
    comments_open: StrictBool = True
    translations: list[TranslationInput] = Field(min_length=1, max_length=MAX_TRANSLATIONS)

    @model_validator(mode="after")
    def _check(self) -> PostCreate:
        _unique_locales(self.translations)
        if (self.status is NodeStatus.SCHEDULED) != (self.publish_at is not None):
            raise ValueError("publish_at is given exactly when status is scheduled")
        return self


class PostUpdate(BaseModel):
    """Fields left out stay as they are; `version` is the one the caller read. Tags are
    attached and detached with content's `/api/content/nodes/{id}/tags`."""

    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        json_schema_extra={
            "examples": [
                {
                    "version": 1,
                    "comments_open": False,
                    "translations": [{"locale": "en", "title": "Hello again, blog"}],
                }
            ]
        },
    )

    version: int = Field(ge=1, le=2_000_000_000, examples=[1])
    category_id: uuid.UUID | None = None
    featured_image_id: uuid.UUID | None = None
    comments_open: StrictBool | None = None
    translations: list[TranslationPatch] | None = Field(default=None, max_length=MAX_TRANSLATIONS)

    @model_validator(mode="after")
    def _check(self) -> PostUpdate:
        _unique_locales(self.translations)
        return self


class PostTranslationRead(TranslationRead):
    reading_minutes: int = Field(
        description="Minutes to read this locale's body, from its word count (0 without one)."
    )


class PostRead(BaseModel):
    id: uuid.UUID
    status: NodeStatus
    author_id: uuid.UUID | None
    category_id: uuid.UUID | None
    featured_image_id: uuid.UUID | None
    comments_open: bool
    comment_count: int = Field(description="Approved comments.")
    version: int
    publish_at: datetime | None
    published_at: datetime | None
    created_at: datetime
    updated_at: datetime
    served_locale: str | None
    title: str | None
    slug: str | None
    excerpt: str | None
    reading_minutes: int = Field(description="Reading time of the served locale's body.")
    translations: list[PostTranslationRead]
    tags: list[TagRef]


class PostQuery(BaseModel):
    """Filters of the post list; every one optional."""

    model_config = ConfigDict(extra="forbid")

    tag_id: uuid.UUID | None = None
    category_id: uuid.UUID | None = None
    author_id: uuid.UUID | None = None
    locale: Locale | None = None
    status: NodeStatus | None = Field(
        default=None, description="Editors only: the public sees published posts."
    )


class CommentCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        json_schema_extra={
            "examples": [
                {
                    "body": "Thanks, this helped *a lot*.",
                    "guest_name": "Ada",
                    "guest_email": "ada@example.com",
                }
            ]
        },
    )

    body: ProseText = Field(min_length=1, examples=["Thanks, this helped *a lot*."])
    locale: Locale | None = Field(default=None, description="The tenant's default when left out.")
    guest_name: PlainText | None = Field(default=None, min_length=1, max_length=100)
    guest_email: Email | None = None


class CommentRead(BaseModel):
    id: uuid.UUID
    post_id: uuid.UUID
    status: CommentStatus
    author_id: uuid.UUID | None
    author_name: str | None = Field(description="The user's name, or the guest's.")
    guest_email: str | None = Field(description="Moderators only; None for everyone else.")
    locale: str
    body: str
    format: BodyFormat
    html: str | None = Field(description="The body as sanitized HTML.")
    created_at: datetime
    updated_at: datetime


class CommentQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: CommentStatus | None = Field(
        default=None, description="Moderators only: the public sees approved comments."
    )


class BlogSettingsRead(BaseModel):
    guest_comments: bool
    moderation: Moderation
    words_per_minute: int
    max_comment_chars: int


class BlogSettingsUpdate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"guest_comments": False, "moderation": "guests"}]},
    )

    guest_comments: StrictBool | None = None
    moderation: Moderation | None = None
