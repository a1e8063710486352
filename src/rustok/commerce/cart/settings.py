"""The cart module's settings (`RUSTOK_MODULES__COMMERCE_CART__<FIELD>`, docs/commerce.md)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class CartSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    ttl_seconds: int = Field(default=7 * 24 * 3600, ge=60)
    """A cart expires this long after it was last written to."""
    max_quantity_per_line: int = Field(default=1000, ge=1, le=1_000_000)
    """The most units of one variant one cart may hold."""
    max_lines: int = Field(default=100, ge=1, le=1000)
    """The most distinct variants one cart may hold."""
    expiry_interval_seconds: float = Field(default=300.0, gt=0)
    """How often carts past `expires_at` are marked expired (and expired idempotency keys
    deleted), by every process that runs the relay."""
