"""The orders module's settings (`RUSTOK_MODULES__COMMERCE_ORDERS__<FIELD>`, docs/commerce.md)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class OrdersSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    payment_providers: list[str] = Field(default_factory=list)
    """Payment providers besides the built-in `manual`, as `"package.module:Class"` (a class
    implementing `rustok.commerce.orders.payments.PaymentProvider`, made without arguments)."""
    webhook_secrets: dict[str, str] = Field(default_factory=dict)
    """Signing secrets of payment providers' webhooks: `"<provider>"` for every tenant, or
    `"<provider>:<tenant slug>"` for one tenant (that one wins). A provider without a secret
    has its webhooks refused."""
    webhook_tolerance_seconds: int = Field(default=300, ge=1, le=3600)
    """How far a webhook's signed timestamp may be from now; older deliveries are replays."""
    webhook_max_bytes: int = Field(default=65_536, ge=1024)
    """The largest webhook body read; a larger one answers 413 unread."""
