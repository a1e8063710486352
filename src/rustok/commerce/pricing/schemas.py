"""Pricing DTOs: regions, price lists, base prices and the calculation's answer.

Amounts are integers of minor units; tax rates and percentage discounts are basis points
(1 % = 100). Rounding follows THE rule of `rustok.core.money` (half to even).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Annotated, TypeVar

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    ValidationInfo,
    field_validator,
)

from rustok.commerce.catalog.schemas import Amount, CurrencyCode, PriceRead, Prices
from rustok.commerce.pricing.calculation import PriceKind, PriceListType
from rustok.core.money import BASIS_POINTS
from rustok.core.numbers import WholeNumber
from rustok.core.text import PlainText

T = TypeVar("T")


def _codes(text: str) -> frozenset[str]:
    return frozenset(text.split())


# ISO 3166-1 alpha-2, officially assigned codes.
COUNTRIES = _codes(
    """AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO
    BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK
    DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR
    GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM
    KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP
    MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL
    PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST
    SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG
    VI VN VU WF WS YE YT ZA ZM ZW"""
)


def _country(code: str) -> str:
    if code not in COUNTRIES:
        raise ValueError("not an ISO 3166-1 alpha-2 country code")
    return code


def _distinct(items: list[T]) -> list[T]:
    if len(set(items)) != len(items):
        raise ValueError("each item may appear once")
    return items


Country = Annotated[
    str,
    AfterValidator(_country),
    Field(
        min_length=2, max_length=2, examples=["DE"], json_schema_extra={"enum": sorted(COUNTRIES)}
    ),
]
BasisPoints = Annotated[
    WholeNumber,
    Field(ge=0, le=BASIS_POINTS, examples=[1900], description="1/100 %: 1900 is 19 %."),
]
Name = Annotated[PlainText, Field(min_length=1, max_length=100, examples=["Europe"])]
CustomerGroup = Annotated[PlainText, Field(min_length=1, max_length=64, examples=["vip"])]
Quantity = Annotated[WholeNumber, Field(ge=1, le=1_000_000, examples=[1])]


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class RegionCreate(_Input):
    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        json_schema_extra={
            "examples": [
                {
                    "name": "Nordics",
                    "currency_code": "SEK",
                    "tax_rate_bp": 2500,
                    "tax_inclusive": True,
                    "countries": ["SE"],
                }
            ]
        },
    )
    name: Name
    currency_code: CurrencyCode
    tax_rate_bp: BasisPoints = 0
    tax_inclusive: StrictBool = False
    countries: Annotated[list[Country], AfterValidator(_distinct), Field(max_length=250)] = Field(
        default_factory=list
    )


class RegionUpdate(_Input):
    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        json_schema_extra={"examples": [{"tax_rate_bp": 2400, "countries": ["SE", "FI"]}]},
    )
    name: Name | None = None
    currency_code: CurrencyCode | None = None
    tax_rate_bp: BasisPoints | None = None
    tax_inclusive: StrictBool | None = None
    countries: Annotated[list[Country], AfterValidator(_distinct), Field(max_length=250)] | None = (
        None
    )


class RegionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str
    currency_code: str
    tax_rate_bp: int
    tax_inclusive: bool
    countries: list[str]
    created_at: datetime


class PriceListStatus(StrEnum):
    DRAFT = "draft"
    ACTIVE = "active"


class PriceListPriceInput(_Input):
    """One price of a list: `fixed` (`value` is the unit price), `percent_off` (`value` in basis
    points, at most 10000) or `amount_off` (`value` in minor units), for quantities from
    `min_quantity` to `max_quantity` (open-ended when absent)."""

    variant_id: uuid.UUID
    currency_code: CurrencyCode
    kind: PriceKind = PriceKind.FIXED
    value: Amount
    min_quantity: Quantity = 1
    max_quantity: Quantity | None = None

    @field_validator("value")
    @classmethod
    def _percent_at_most_all(cls, value: int, info: ValidationInfo) -> int:
        if info.data.get("kind") is PriceKind.PERCENT_OFF and value > BASIS_POINTS:
            raise ValueError("a percentage is at most 10000 basis points (100 %)")
        return value

    @field_validator("max_quantity")
    @classmethod
    def _not_below_min(cls, value: int | None, info: ValidationInfo) -> int | None:
        low = info.data.get("min_quantity")
        if value is not None and isinstance(low, int) and value < low:
            raise ValueError("must not be below min_quantity")
        return value


def _distinct_tiers(prices: list[PriceListPriceInput]) -> list[PriceListPriceInput]:
    seen: set[tuple[uuid.UUID, str, int]] = set()
    for price in prices:
        key = (price.variant_id, price.currency_code, price.min_quantity)
        if key in seen:
            raise ValueError(
                f"variant {price.variant_id} has two {price.currency_code} prices "
                f"from quantity {price.min_quantity}"
            )
        seen.add(key)
    return prices


ListPrices = Annotated[
    list[PriceListPriceInput], AfterValidator(_distinct_tiers), Field(max_length=1000)
]


class PriceListCreate(_Input):
    """A sale list applies only where it is cheaper than the base price; an override list
    applies whatever it is. Empty `customer_groups` / `region_ids` mean everyone / everywhere."""

    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        json_schema_extra={
            "examples": [
                {
                    "name": "Summer sale",
                    "type": "sale",
                    "status": "active",
                    "starts_at": "2026-06-01T00:00:00Z",
                    "ends_at": "2026-07-01T00:00:00Z",
                    "customer_groups": [],
                    "region_ids": [],
                    # Prices name variants of the catalog: {"variant_id": ..., "currency_code":
                    # "EUR", "kind": "percent_off", "value": 2000, "min_quantity": 1}.
                    "prices": [],
                }
            ]
        },
    )

    name: Annotated[PlainText, Field(min_length=1, max_length=200, examples=["Summer sale"])]
    description: Annotated[PlainText, Field(max_length=1000)] = ""
    type: PriceListType = PriceListType.SALE
    status: PriceListStatus = PriceListStatus.DRAFT
    starts_at: AwareDatetime | None = None
    ends_at: AwareDatetime | None = None
    customer_groups: Annotated[
        list[CustomerGroup], AfterValidator(_distinct), Field(max_length=50)
    ] = Field(default_factory=list)
    region_ids: Annotated[list[uuid.UUID], AfterValidator(_distinct), Field(max_length=50)] = Field(
        default_factory=list
    )
    prices: ListPrices = Field(default_factory=list)

    @field_validator("ends_at")
    @classmethod
    def _after_start(cls, value: datetime | None, info: ValidationInfo) -> datetime | None:
        start = info.data.get("starts_at")
        if value is not None and isinstance(start, datetime) and value <= start:
            raise ValueError("must be after starts_at")
        return value


class PriceListUpdate(_Input):
    """Fields to change at `version`; `prices`, when given, replace the list's prices."""

    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        json_schema_extra={"examples": [{"version": 1, "status": "active"}]},
    )

    version: Annotated[WholeNumber, Field(ge=1, examples=[1])]
    name: Annotated[PlainText, Field(min_length=1, max_length=200)] | None = None
    description: Annotated[PlainText, Field(max_length=1000)] | None = None
    status: PriceListStatus | None = None
    starts_at: AwareDatetime | None = None
    ends_at: AwareDatetime | None = None
    customer_groups: (
        Annotated[list[CustomerGroup], AfterValidator(_distinct), Field(max_length=50)] | None
    ) = None
    region_ids: (
        Annotated[list[uuid.UUID], AfterValidator(_distinct), Field(max_length=50)] | None
    ) = None
    prices: ListPrices | None = None


class PriceListPriceRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    variant_id: uuid.UUID
    currency_code: str
    kind: PriceKind
    value: int
    min_quantity: int
    max_quantity: int | None


class PriceListRead(BaseModel):
    id: uuid.UUID
    name: str
    description: str
    type: PriceListType
    status: PriceListStatus
    starts_at: datetime | None
    ends_at: datetime | None
    customer_groups: list[str]
    region_ids: list[uuid.UUID]
    version: int
    prices: list[PriceListPriceRead]
    created_at: datetime


class VariantPricesUpdate(_Input):
    """The variant's base prices, one per currency; they replace the ones it has."""

    prices: Prices


class VariantPrices(BaseModel):
    variant_id: uuid.UUID
    prices: list[PriceRead]


class PriceQuery(BaseModel):
    """What `GET /api/commerce/variants/{id}/price` asks."""

    currency: CurrencyCode
    quantity: Quantity = 1
    region_id: uuid.UUID | None = None


class MoneyRead(BaseModel):
    amount: int = Field(description="Minor units of `currency_code`.")
    currency_code: str


class PriceCalculationRead(BaseModel):
    """The price of `quantity` units: `unit_price` after price lists, `original_unit_price`
    (the base price), `subtotal` = unit x quantity, `tax` (inside the subtotal when
    `tax_inclusive`, else on top), `total`. Rounded half to even (see docs/commerce.md)."""

    variant_id: uuid.UUID
    quantity: int
    currency_code: str
    exponent: int
    unit_price: MoneyRead
    original_unit_price: MoneyRead
    compare_at_amount: int | None
    subtotal: MoneyRead
    discount: MoneyRead
    tax: MoneyRead
    total: MoneyRead
    tax_rate_bp: int
    tax_inclusive: bool
    region_id: uuid.UUID | None
    price_list_id: uuid.UUID | None
    price_list_type: PriceListType | None
    rounding: str = "half-even"
