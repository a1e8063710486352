"""The pages module's settings (`RUSTOK_MODULES__PAGES__<FIELD>`, docs/pages.md)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class PagesSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    max_blocks_per_page: int = Field(default=100, ge=1, le=1000)
    """How many blocks one page may hold."""
    max_menu_depth: int = Field(default=3, ge=1, le=10)
    """How deep menu items may nest (1: a flat menu)."""
    max_menu_items: int = Field(default=200, ge=1, le=2000)
    """How many items one menu may hold, at every depth."""
