"""Tunables of inventory (`RUSTOK_MODULES__COMMERCE_INVENTORY__<FIELD>`)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class InventorySettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    expiry_interval_seconds: float = Field(
        default=30.0,
        gt=0,
        description="How often expired reservations are released (they stop counting against "
        "availability as soon as they expire).",
    )
