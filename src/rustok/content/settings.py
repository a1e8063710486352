"""The content module's settings (`RUSTOK_MODULES__CONTENT__<FIELD>`, docs/content.md)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class ContentSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    max_body_bytes: int = Field(default=1_048_576, ge=1)
    """The largest body of one node in one locale, in UTF-8 bytes."""
    publish_interval_seconds: float = Field(default=30.0, gt=0)
    """How often due scheduled nodes are published (by every process that runs the relay)."""
