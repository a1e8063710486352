"""The blog module's settings (`RUSTOK_MODULES__BLOG__<FIELD>`, docs/blog.md).

They are the defaults of every tenant; a tenant overrides the comment rules with
`PUT /api/blog/settings`."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class Moderation(StrEnum):
    """Which new comments wait for a moderator (a moderator's own never wait)."""

    ALL = "all"
    GUESTS = "guests"
    NONE = "none"


class BlogSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    guest_comments: bool = True
    """Whether readers who are not signed in may comment (with a name and an e-mail)."""
    moderation: Moderation = Moderation.ALL
    words_per_minute: int = Field(default=200, ge=50, le=2000)
    """The reading speed behind a post's reading time."""
    max_comment_chars: int = Field(default=5000, ge=1, le=100_000)
