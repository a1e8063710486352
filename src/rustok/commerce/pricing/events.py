"""Events pricing emits. Amounts are integers of minor units with their currency."""

from __future__ import annotations

import uuid
from typing import ClassVar

from pydantic import BaseModel, ConfigDict

from rustok.events.registry import EVENTS, DomainEvent


class PriceChange(BaseModel):
    """One price as it is now. `kind` is `base` for a variant's base price, else how a price
    list's `value` reads (`fixed`, `percent_off` in basis points, `amount_off`)."""

    model_config = ConfigDict(frozen=True)

    variant_id: uuid.UUID
    currency_code: str
    kind: str
    value: int
    compare_at_amount: int | None = None
    min_quantity: int = 1
    max_quantity: int | None = None


@EVENTS.register
class PriceUpdated(DomainEvent):
    """Prices changed: a variant's base prices (`source` = `variant`, `source_id` its id) or a
    price list's (`source` = `price_list`; `change` says created, updated or deleted).
    `prices` lists the prices now in force for that source (empty once deleted)."""

    event_type: ClassVar[str] = "commerce.price.updated"
    schema_version: ClassVar[int] = 1
    aggregate_type: ClassVar[str] = "price_source"
    aggregate_field: ClassVar[str] = "source_id"

    source: str
    source_id: uuid.UUID
    change: str
    variant_ids: list[uuid.UUID]
    prices: list[PriceChange]
