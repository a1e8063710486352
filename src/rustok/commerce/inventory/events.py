"""Events inventory emits. Quantities are whole units; `available` = stocked - reserved."""

from __future__ import annotations

import uuid
from typing import ClassVar

from pydantic import BaseModel, ConfigDict

from rustok.events.registry import EVENTS, DomainEvent


class LevelPayload(BaseModel):
    """A level as it is after the change, and by how much it changed."""

    model_config = ConfigDict(frozen=True)

    variant_id: uuid.UUID
    sku: str
    location_id: uuid.UUID
    quantity: int
    stocked: int
    reserved: int
    available: int


@EVENTS.register
class InventoryAdjusted(DomainEvent):
    """Units on hand of a variant at a location changed (`kind`: adjust, set, transfer,
    commit, restock); `delta` is the change of `stocked`."""

    event_type: ClassVar[str] = "commerce.inventory.adjusted"
    schema_version: ClassVar[int] = 1
    aggregate_type: ClassVar[str] = "variant"
    aggregate_field: ClassVar[str] = "variant_id"

    variant_id: uuid.UUID
    sku: str
    location_id: uuid.UUID
    kind: str
    reason: str
    reference: str | None
    delta: int
    stocked: int
    reserved: int
    available: int


@EVENTS.register
class InventoryLow(DomainEvent):
    """A level's available units fell to or below its threshold (once per crossing; rising
    above it again re-arms the alert)."""

    event_type: ClassVar[str] = "commerce.inventory.low"
    schema_version: ClassVar[int] = 1
    aggregate_type: ClassVar[str] = "variant"
    aggregate_field: ClassVar[str] = "variant_id"

    variant_id: uuid.UUID
    sku: str
    location_id: uuid.UUID
    stocked: int
    reserved: int
    available: int
    threshold: int


@EVENTS.register
class StockReserved(DomainEvent):
    """Units were reserved for a cart or an order (`lines`: per variant and location)."""

    event_type: ClassVar[str] = "commerce.inventory.reserved"
    schema_version: ClassVar[int] = 1
    aggregate_type: ClassVar[str] = "stock_owner"
    aggregate_field: ClassVar[str] = "owner_id"

    owner_kind: str
    owner_id: uuid.UUID
    lines: list[LevelPayload]


@EVENTS.register
class StockReleased(DomainEvent):
    """Live reservations were released (`reason`: released, or expired by the job)."""

    event_type: ClassVar[str] = "commerce.inventory.released"
    schema_version: ClassVar[int] = 1
    aggregate_type: ClassVar[str] = "stock_owner"
    aggregate_field: ClassVar[str] = "owner_id"

    owner_kind: str
    owner_id: uuid.UUID
    reason: str
    lines: list[LevelPayload]


@EVENTS.register
class StockCommitted(DomainEvent):
    """Reserved units were shipped: taken off both `stocked` and `reserved`."""

    event_type: ClassVar[str] = "commerce.inventory.committed"
    schema_version: ClassVar[int] = 1
    aggregate_type: ClassVar[str] = "stock_owner"
    aggregate_field: ClassVar[str] = "owner_id"

    owner_kind: str
    owner_id: uuid.UUID
    lines: list[LevelPayload]
