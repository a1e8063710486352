"""Inventory DTOs: stock locations, levels, adjustments, transfers, availability checks,
reservations and stock movements. Quantities are whole numbers of units."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StrictBool, computed_field

from rustok.core.numbers import WHOLE_NUMBER
from rustok.core.text import PlainText

MAX_UNITS = 1_000_000_000
"""The largest quantity one request moves (a level holds at most this much more)."""

# Bounds before the whole-number check, so the JSON Schema says minimum / maximum.
Units = Annotated[int, Field(ge=0, le=MAX_UNITS, examples=[10]), WHOLE_NUMBER]
PositiveUnits = Annotated[int, Field(ge=1, le=MAX_UNITS, examples=[1]), WHOLE_NUMBER]
Adjustment = Annotated[
    int,
    Field(
        ge=-MAX_UNITS, le=MAX_UNITS, examples=[5], description="Units to add (negative: remove)."
    ),
    WHOLE_NUMBER,
]
Reason = Annotated[PlainText, Field(min_length=1, max_length=200, examples=["received"])]
Reference = Annotated[PlainText, Field(min_length=1, max_length=200, examples=["PO-1042"])]
LocationName = Annotated[PlainText, Field(min_length=1, max_length=100, examples=["Warehouse"])]
AddressLine = Annotated[PlainText, Field(min_length=1, max_length=200)]
Country = Annotated[str, Field(pattern=r"^[A-Z]{2}$", examples=["DE"], description="ISO 3166-1.")]


class OwnerKind(StrEnum):
    """Who holds a reservation."""

    CART = "cart"
    ORDER = "order"


class ReservationStatus(StrEnum):
    LIVE = "live"
    RELEASED = "released"
    COMMITTED = "committed"


class MovementKind(StrEnum):
    ADJUST = "adjust"
    SET = "set"
    TRANSFER = "transfer"
    COMMIT = "commit"
    RESTOCK = "restock"


@dataclass(frozen=True, slots=True)
class StockLine:
    """Units of one variant, as a cart or an order asks for them."""

    variant_id: uuid.UUID
    quantity: int


@dataclass(frozen=True, slots=True)
class Availability:
    """What can be sold of a variant, summed over locations. `managed` False: not counted,
    always available; `backorder` True: may be sold below zero."""

    variant_id: uuid.UUID
    available: int
    managed: bool
    backorder: bool

    def serves(self, quantity: int) -> bool:
        return not self.managed or self.backorder or self.available >= quantity


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class StockLocationCreate(_Input):
    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        json_schema_extra={
            "examples": [
                {
                    "name": "Hamburg warehouse",
                    "address_line1": "Hafenstraße 7",
                    "city": "Hamburg",
                    "postal_code": "20359",
                    "country_code": "DE",
                    "is_default": False,
                }
            ]
        },
    )
    name: LocationName
    address_line1: AddressLine | None = None
    address_line2: AddressLine | None = None
    city: Annotated[PlainText, Field(min_length=1, max_length=100)] | None = None
    postal_code: Annotated[PlainText, Field(min_length=1, max_length=20)] | None = None
    country_code: Country | None = None
    is_default: StrictBool = Field(
        default=False, description="Make it the tenant's default location."
    )


class StockLocationUpdate(_Input):
    """Fields to change; `is_default: true` moves the default here (it cannot be unset: make
    another location the default instead)."""

    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        json_schema_extra={"examples": [{"name": "Main warehouse", "is_default": True}]},
    )
    name: LocationName | None = None
    address_line1: AddressLine | None = None
    address_line2: AddressLine | None = None
    city: Annotated[PlainText, Field(min_length=1, max_length=100)] | None = None
    postal_code: Annotated[PlainText, Field(min_length=1, max_length=20)] | None = None
    country_code: Country | None = None
    is_default: StrictBool | None = None


class StockLocationRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str
    address_line1: str | None
    address_line2: str | None
    city: str | None
    postal_code: str | None
    country_code: str | None
    is_default: bool
    created_at: datetime


class LevelRead(BaseModel):
    """A variant's stock at one location."""

    model_config = ConfigDict(from_attributes=True)

    location_id: uuid.UUID
    stocked: int
    reserved: int
    incoming: int
    low_stock_threshold: int | None

    @computed_field  # type: ignore[prop-decorator]  # mypy cannot type pydantic's documented form
    @property
    def available(self) -> int:
        return self.stocked - self.reserved


class VariantInventory(BaseModel):
    """A variant's stock at each of its locations, and summed."""

    variant_id: uuid.UUID
    sku: str
    manage_inventory: bool
    allow_backorder: bool
    stocked: int
    reserved: int
    available: int
    levels: list[LevelRead]


class InventoryAdjust(_Input):
    """Add (or with a negative `adjustment` remove) units at a location (the default one when
    none is named). Removing more than is available is refused."""

    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        json_schema_extra={"examples": [{"adjustment": 10, "reason": "received"}]},
    )
    adjustment: Adjustment
    reason: Reason
    location_id: uuid.UUID | None = None
    reference: Reference | None = None


class InventorySet(_Input):
    """Set the units on hand at a location (a stock count); `low_stock_threshold`, when given,
    is set too (`null` keeps it)."""

    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        json_schema_extra={"examples": [{"quantity": 25, "reason": "stock count"}]},
    )
    quantity: Units
    reason: Reason = "set"
    location_id: uuid.UUID | None = None
    low_stock_threshold: Units | None = None
    incoming: Units | None = None


class InventoryTransfer(_Input):
    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        json_schema_extra={
            "examples": [
                {
                    "variant_id": "0192f3a0-0000-7000-8000-000000000001",
                    "from_location_id": "0192f3a0-0000-7000-8000-000000000002",
                    "to_location_id": "0192f3a0-0000-7000-8000-000000000003",
                    "quantity": 5,
                }
            ]
        },
    )
    variant_id: uuid.UUID
    from_location_id: uuid.UUID
    to_location_id: uuid.UUID
    quantity: PositiveUnits
    reason: Reason = "transfer"


class TransferRead(BaseModel):
    variant_id: uuid.UUID
    quantity: int
    source: LevelRead
    destination: LevelRead


class CheckLine(_Input):
    variant_id: uuid.UUID
    quantity: PositiveUnits


class InventoryCheck(_Input):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"lines": [{"variant_id": "0192f3a0-0000-7000-8000-000000000001", "quantity": 2}]}
            ]
        },
    )
    lines: Annotated[list[CheckLine], Field(min_length=1, max_length=100)]


class CheckLineRead(BaseModel):
    variant_id: uuid.UUID
    quantity: int
    available: int = Field(description="Units available over all locations.")
    managed: bool
    backorder: bool
    ok: bool


class CheckRead(BaseModel):
    ok: bool = Field(description="Whether every line can be served.")
    lines: list[CheckLineRead]


class ReservationRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    owner_kind: OwnerKind
    owner_id: uuid.UUID
    variant_id: uuid.UUID
    location_id: uuid.UUID
    quantity: int
    expires_at: datetime | None
    status: ReservationStatus


class MovementRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    variant_id: uuid.UUID
    location_id: uuid.UUID
    kind: MovementKind
    delta: int
    stocked: int
    reason: str
    reference: str | None
    actor_id: uuid.UUID | None
    created_at: datetime


class MovementFilter(BaseModel):
    """What `GET /api/commerce/inventory/movements` narrows by."""

    variant_id: uuid.UUID | None = None
    location_id: uuid.UUID | None = None
