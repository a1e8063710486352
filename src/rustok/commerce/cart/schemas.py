"""Cart DTOs: the cart, its lines with their prices and warnings, and what checkout takes.

Amounts are `MoneyRead`s (integer minor units with their currency), as pricing answers them;
each line is priced by `PricingService` and rounded there (half to even); the cart's totals are
the sums of its lines'.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from rustok.auth.schemas import Email
from rustok.commerce.catalog.schemas import CurrencyCode
from rustok.commerce.pricing.schemas import Country, MoneyRead
from rustok.core.numbers import WHOLE_NUMBER
from rustok.core.text import PlainText

Quantity = Annotated[int, Field(ge=1, le=1_000_000, examples=[2]), WHOLE_NUMBER]
"""At least one unit; the cart's `max_quantity_per_line` setting caps it further."""
Line = Annotated[PlainText, Field(min_length=1, max_length=200)]
Optional = Annotated[PlainText, Field(max_length=200)]


@dataclass(frozen=True, slots=True)
class CartCaller:
    """Who uses a cart: a logged-in user (or nobody), and whether they are staff holding the
    `carts` resource (who may use any cart of the tenant)."""

    user_id: uuid.UUID | None = None
    staff: bool = False


class CartStatus(StrEnum):
    ACTIVE = "active"
    COMPLETED = "completed"
    EXPIRED = "expired"


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Address(_Input):
    """A postal address; `country_code` is ISO 3166-1 alpha-2."""

    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        json_schema_extra={
            "examples": [
                {
                    "first_name": "Ada",
                    "last_name": "Lovelace",
                    "address_1": "Unter den Linden 1",
                    "city": "Berlin",
                    "postal_code": "10117",
                    "country_code": "DE",
                }
            ]
        },
    )

    first_name: Annotated[PlainText, Field(min_length=1, max_length=100, examples=["Ada"])]
    last_name: Annotated[PlainText, Field(min_length=1, max_length=100, examples=["Lovelace"])]
    company: Optional | None = None
    address_1: Annotated[Line, Field(examples=["Unter den Linden 1"])]
    address_2: Optional | None = None
    city: Annotated[PlainText, Field(min_length=1, max_length=100, examples=["Berlin"])]
    postal_code: Annotated[
        str, Field(min_length=2, max_length=16, pattern=r"^[A-Za-z0-9][A-Za-z0-9 -]*$")
    ] = Field(examples=["10117"])
    province: Annotated[PlainText, Field(max_length=100)] | None = None
    country_code: Country
    phone: (
        Annotated[str, Field(min_length=4, max_length=32, pattern=r"^\+?[0-9 ()/-]+$")] | None
    ) = None


class CartCreate(_Input):
    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        json_schema_extra={"examples": [{"currency_code": "EUR"}]},
    )

    currency_code: CurrencyCode
    region_id: uuid.UUID | None = Field(
        default=None, description="Its tax applies; its currency must be `currency_code`."
    )
    email: Email | None = None


class CartUpdate(_Input):
    """Fields to change; `null` clears `region_id`, `email` and the addresses."""

    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        json_schema_extra={"examples": [{"email": "ada@example.com"}]},
    )

    currency_code: CurrencyCode | None = None
    region_id: uuid.UUID | None = None
    email: Email | None = None
    shipping_address: Address | None = None
    billing_address: Address | None = None


class CartLineAdd(_Input):
    """Add `quantity` units of a variant; a variant already in the cart gets them added."""

    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        json_schema_extra={
            "examples": [{"variant_id": "7f3b1c2e-5d4a-4e8b-9c1d-2a3b4c5d6e7f", "quantity": 2}]
        },
    )

    variant_id: uuid.UUID
    quantity: Quantity = 1


class CartLineUpdate(_Input):
    """The line's new quantity; 0 removes the line (as DELETE does)."""

    model_config = ConfigDict(
        extra="forbid", str_strip_whitespace=True, json_schema_extra={"examples": [{"quantity": 3}]}
    )

    quantity: Annotated[int, Field(ge=0, le=1_000_000, examples=[3]), WHOLE_NUMBER]


class WarningCode(StrEnum):
    PRICE_CHANGED = "price_changed"
    INSUFFICIENT_STOCK = "insufficient_stock"
    UNAVAILABLE = "unavailable"


class LineWarning(BaseModel):
    """Something changed since the customer set the line: its unit price (`old_unit_price` is
    the one they saw, `new_unit_price` the one checkout charges), the stock (`available`
    units are left), or the variant cannot be bought any more (`unavailable`)."""

    code: WarningCode
    message: str
    old_unit_price: MoneyRead | None = None
    new_unit_price: MoneyRead | None = None
    available: int | None = None


class CartLineRead(BaseModel):
    """A line priced now: `unit_price` after price lists, `original_unit_price` the base
    price, `subtotal` = unit x quantity, `tax` (inside the subtotal when the region's prices
    include it), `total`. The money fields are null for an `unavailable` line, which counts
    in no total."""

    id: uuid.UUID
    variant_id: uuid.UUID
    product_id: uuid.UUID
    sku: str
    title: str
    quantity: int
    added_unit_price: MoneyRead = Field(description="The unit price when the line was last set.")
    unit_price: MoneyRead | None
    original_unit_price: MoneyRead | None
    compare_at_amount: int | None
    price_list_id: uuid.UUID | None
    subtotal: MoneyRead | None
    discount: MoneyRead | None
    tax: MoneyRead | None
    total: MoneyRead | None
    warnings: list[LineWarning]


class CartRead(BaseModel):
    id: uuid.UUID
    status: CartStatus
    customer_id: uuid.UUID | None
    currency_code: str
    region_id: uuid.UUID | None
    tax_inclusive: bool = Field(description="Whether the region's prices include its tax.")
    tax_rate_bp: int = Field(description="The region's tax rate in basis points (0: none).")
    email: str | None
    shipping_address: Address | None
    billing_address: Address | None
    lines: list[CartLineRead]
    item_count: int = Field(description="Units in the cart, over all lines.")
    subtotal: MoneyRead
    discount_total: MoneyRead
    tax_total: MoneyRead
    total: MoneyRead
    has_warnings: bool
    version: int
    expires_at: datetime
    completed_at: datetime | None
    order_id: uuid.UUID | None
    created_at: datetime
    updated_at: datetime


class CartSnapshot(BaseModel):
    """A cart frozen for checkout (`CartService.checkout_snapshot_in`): active, not expired,
    not empty, every line buyable, priced now. Its warnings say what changed since the
    customer looked (the order helper decides whether they stop the checkout)."""

    cart: CartRead
    lines: list[CartSnapshotLine]


class CartSnapshotLine(BaseModel):
    """One line with its current price, every amount present."""

    line_id: uuid.UUID
    variant_id: uuid.UUID
    product_id: uuid.UUID
    sku: str
    title: str
    quantity: int
    unit_price: MoneyRead
    original_unit_price: MoneyRead
    price_list_id: uuid.UUID | None
    subtotal: MoneyRead
    discount: MoneyRead
    tax: MoneyRead
    total: MoneyRead
    tax_rate_bp: int
    tax_inclusive: bool
    warnings: list[LineWarning]


CartSnapshot.model_rebuild()
