"""The forum module's settings (`RUSTOK_MODULES__FORUM__<FIELD>`, docs/forum.md)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class ForumSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    max_reply_depth: int = Field(default=5, ge=1, le=32)
    """How deep replies nest: a reply to the topic is at depth 1, a reply to it at depth 2."""
    premoderate_replies: bool = False
    """Replies of callers who may not moderate start `pending` (else `approved`)."""
