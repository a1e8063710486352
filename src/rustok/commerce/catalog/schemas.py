"""Catalog DTOs: what clients send (…Create / …Update) and what they get back (…Read).

Amounts are integers of the currency's minor units (`rustok.core.money`), never floats: a
JSON `12.5` is refused, not rounded.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    ValidationInfo,
    field_validator,
)

from rustok.commerce.catalog.handles import HANDLE_PATTERN, MAX_HANDLE_LENGTH, check_handle
from rustok.core.money import EXPONENTS, check_currency_code
from rustok.core.numbers import WholeNumber
from rustok.core.text import JsonObject, PlainText, ProseText
from rustok.tenancy.schemas import Locale

MAX_AMOUNT = 10**13
"""Far above any real price (10^11 EUR), far below what a 64-bit column holds."""

CurrencyCode = Annotated[
    str,
    AfterValidator(check_currency_code),
    Field(
        min_length=3,
        max_length=3,
        examples=["EUR"],
        json_schema_extra={"enum": sorted(EXPONENTS)},
        description="ISO 4217 code; amounts are in its minor units (0, 2 or 3 decimals).",
    ),
]
Amount = Annotated[
    WholeNumber,
    Field(ge=0, le=MAX_AMOUNT, examples=[1999], description="Minor units (cents), never a float."),
]
Handle = Annotated[
    str,
    AfterValidator(check_handle),
    Field(
        min_length=1,
        max_length=MAX_HANDLE_LENGTH,
        examples=["green-shirt"],
        json_schema_extra={"pattern": HANDLE_PATTERN},
    ),
]
Title = Annotated[PlainText, Field(min_length=1, max_length=255, examples=["Green shirt"])]
Label = Annotated[PlainText, Field(min_length=1, max_length=100, examples=["Size"])]
Sku = Annotated[PlainText, Field(min_length=1, max_length=64, examples=["SHIRT-GREEN-M"])]
Measure = Annotated[WholeNumber, Field(ge=0, le=10**9)]
Rank = Annotated[WholeNumber, Field(ge=0, le=10**6)]
LocalizedLabels = Annotated[dict[Locale, Label], Field(max_length=50, examples=[{"de": "Größe"}])]


class ProductStatus(StrEnum):
    DRAFT = "draft"
    ACTIVE = "active"
    ARCHIVED = "archived"


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class PriceInput(_Input):
    """A base price of a variant in one currency; `compare_at_amount` (the "was" price) must
    not be below `amount`."""

    currency_code: CurrencyCode
    amount: Amount
    compare_at_amount: Amount | None = None

    @field_validator("compare_at_amount")
    @classmethod
    def _not_below_amount(cls, value: int | None, info: ValidationInfo) -> int | None:
        amount = info.data.get("amount")
        if value is not None and isinstance(amount, int) and value < amount:
            raise ValueError("must not be below amount")
        return value


def _unique_currencies(prices: list[PriceInput]) -> list[PriceInput]:
    seen: set[str] = set()
    for price in prices:
        if price.currency_code in seen:
            raise ValueError(f"currency {price.currency_code} is given twice")
        seen.add(price.currency_code)
    return prices


Prices = Annotated[list[PriceInput], AfterValidator(_unique_currencies), Field(max_length=50)]


class TranslationInput(_Input):
    """A product's words in one locale; `handle` is made from the title when absent."""

    locale: Locale
    title: Title
    handle: Handle | None = None
    subtitle: Annotated[PlainText, Field(max_length=255)] | None = None
    description: Annotated[ProseText, Field(max_length=20_000)] | None = None


def _unique_locales(translations: list[TranslationInput]) -> list[TranslationInput]:
    locales = [translation.locale for translation in translations]
    if len(set(locales)) != len(locales):
        raise ValueError("each locale may appear once")
    return translations


Translations = Annotated[
    list[TranslationInput], AfterValidator(_unique_locales), Field(max_length=50)
]


class OptionValueInput(_Input):
    value: Label
    translations: LocalizedLabels = Field(default_factory=dict)


class OptionInput(_Input):
    """An option such as Size with its values; a variant names one value of each option."""

    title: Label
    translations: LocalizedLabels = Field(default_factory=dict)
    values: Annotated[list[OptionValueInput | Label], Field(min_length=1, max_length=100)]

    def value_inputs(self) -> list[OptionValueInput]:
        return [
            v if isinstance(v, OptionValueInput) else OptionValueInput(value=v) for v in self.values
        ]

    @field_validator("values")
    @classmethod
    def _distinct(cls, values: list[OptionValueInput | str]) -> list[OptionValueInput | str]:
        texts = [v.value if isinstance(v, OptionValueInput) else v for v in values]
        if len(set(texts)) != len(texts):
            raise ValueError("each value may appear once")
        return values


class VariantInput(_Input):
    """A variant: its SKU, one value per product option (`{"Size": "M"}`), measures in grams
    and millimetres, inventory flags and base prices."""

    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        json_schema_extra={
            "examples": [
                {
                    "sku": "SHIRT-GREEN-L",
                    "options": {"Size": "L"},
                    "weight_g": 220,
                    "prices": [{"currency_code": "EUR", "amount": 2199}],
                }
            ]
        },
    )

    sku: Sku
    barcode: Annotated[PlainText, Field(max_length=64)] | None = None
    title: Annotated[PlainText, Field(max_length=255)] | None = None
    options: Annotated[dict[Label, Label], Field(max_length=20)] = Field(
        default_factory=dict, examples=[{"Size": "M"}]
    )
    weight_g: Measure | None = None
    length_mm: Measure | None = None
    width_mm: Measure | None = None
    height_mm: Measure | None = None
    manage_inventory: StrictBool = True
    allow_backorder: StrictBool = False
    rank: Rank | None = None
    metadata: JsonObject = Field(default_factory=dict)
    prices: Prices = Field(default_factory=list)


class VariantUpdate(_Input):
    """Fields to change; prices, when given, replace the variant's base prices."""

    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        json_schema_extra={"examples": [{"weight_g": 250, "allow_backorder": True}]},
    )

    sku: Sku | None = None
    barcode: Annotated[PlainText, Field(max_length=64)] | None = None
    title: Annotated[PlainText, Field(max_length=255)] | None = None
    weight_g: Measure | None = None
    length_mm: Measure | None = None
    width_mm: Measure | None = None
    height_mm: Measure | None = None
    manage_inventory: StrictBool | None = None
    allow_backorder: StrictBool | None = None
    rank: Rank | None = None
    metadata: JsonObject | None = None
    prices: Prices | None = None


class ImageInput(_Input):
    media_id: uuid.UUID
    rank: Rank | None = None
    alt: Annotated[
        dict[Locale, Annotated[PlainText, Field(max_length=500)]], Field(max_length=50)
    ] = Field(default_factory=dict)


Ids = Annotated[list[uuid.UUID], Field(max_length=100)]


class ProductCreate(_Input):
    status: ProductStatus = ProductStatus.DRAFT
    translations: Annotated[Translations, Field(min_length=1)]
    options: Annotated[list[OptionInput], Field(max_length=10)] = Field(default_factory=list)
    variants: Annotated[list[VariantInput], Field(max_length=500)] = Field(default_factory=list)
    images: Annotated[list[ImageInput], Field(max_length=50)] = Field(default_factory=list)
    collection_ids: Ids = Field(default_factory=list)
    category_ids: Ids = Field(default_factory=list)
    metadata: JsonObject = Field(default_factory=dict)

    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        json_schema_extra={
            "examples": [
                {
                    "status": "active",
                    "translations": [
                        {"locale": "en", "title": "Green shirt", "description": "Organic."},
                        {"locale": "de", "title": "Grünes Hemd", "handle": "gruenes-hemd"},
                    ],
                    "options": [
                        {"title": "Size", "translations": {"de": "Größe"}, "values": ["S", "M"]}
                    ],
                    "variants": [
                        {
                            "sku": "SHIRT-GREEN-S",
                            "options": {"Size": "S"},
                            "prices": [
                                {"currency_code": "EUR", "amount": 1999},
                                {"currency_code": "USD", "amount": 2199},
                            ],
                        },
                        {
                            "sku": "SHIRT-GREEN-M",
                            "options": {"Size": "M"},
                            "prices": [{"currency_code": "EUR", "amount": 1999}],
                        },
                    ],
                }
            ]
        },
    )

    @field_validator("options")
    @classmethod
    def _distinct_options(cls, options: list[OptionInput]) -> list[OptionInput]:
        titles = [option.title for option in options]
        if len(set(titles)) != len(titles):
            raise ValueError("each option title may appear once")
        return options


class ProductUpdate(_Input):
    """Fields to change, with the `version` read last (a stale one is a 409). Translations
    given replace those of their locales; lists given replace the product's."""

    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        json_schema_extra={
            "examples": [
                {
                    "version": 1,
                    "translations": [
                        {"locale": "en", "title": "Green shirt", "subtitle": "Organic"}
                    ],
                    "metadata": {"season": "summer"},
                }
            ]
        },
    )

    version: Annotated[WholeNumber, Field(ge=1, examples=[1])]
    translations: Translations | None = None
    images: Annotated[list[ImageInput], Field(max_length=50)] | None = None
    collection_ids: Ids | None = None
    category_ids: Ids | None = None
    metadata: JsonObject | None = None


class ProductFilter(BaseModel):
    """What a product list may be narrowed to."""

    status: ProductStatus | None = None
    collection_id: uuid.UUID | None = None
    category_id: uuid.UUID | None = None
    q: str | None = None
    currency_code: str | None = None
    price_min: int | None = None
    price_max: int | None = None


class PriceRead(BaseModel):
    currency_code: str
    amount: int
    compare_at_amount: int | None


class OptionValueRead(BaseModel):
    id: uuid.UUID
    value: str
    label: str
    translations: dict[str, str]


class OptionRead(BaseModel):
    id: uuid.UUID
    title: str
    label: str
    translations: dict[str, str]
    values: list[OptionValueRead]


class VariantRead(BaseModel):
    id: uuid.UUID
    product_id: uuid.UUID
    sku: str
    barcode: str | None
    title: str
    options: dict[str, str]
    option_value_ids: list[uuid.UUID]
    weight_g: int | None
    length_mm: int | None
    width_mm: int | None
    height_mm: int | None
    manage_inventory: bool
    allow_backorder: bool
    rank: int
    metadata: dict[str, Any]
    prices: list[PriceRead]
    created_at: datetime
    updated_at: datetime


class TranslationRead(BaseModel):
    locale: str
    title: str
    subtitle: str | None
    handle: str
    description: str | None


class ImageRead(BaseModel):
    id: uuid.UUID
    media_id: uuid.UUID
    rank: int
    alt: dict[str, str]


class ProductCard(BaseModel):
    """A product's own fields in one locale, without its parts (GraphQL loads those)."""

    id: uuid.UUID
    status: ProductStatus
    version: int
    locale: str
    title: str
    subtitle: str | None
    handle: str
    description: str | None
    translations: list[TranslationRead]
    metadata: dict[str, Any]
    published_at: datetime | None
    created_at: datetime
    updated_at: datetime


class ProductRead(BaseModel):
    """A product in one locale (`locale` says which one served it, along the tenant's fallback
    chain), with every translation, its options, variants with prices, and images."""

    id: uuid.UUID
    status: ProductStatus
    version: int
    locale: str
    title: str
    subtitle: str | None
    handle: str
    description: str | None
    translations: list[TranslationRead]
    options: list[OptionRead]
    variants: list[VariantRead]
    images: list[ImageRead]
    collection_ids: list[uuid.UUID]
    category_ids: list[uuid.UUID]
    metadata: dict[str, Any]
    published_at: datetime | None
    created_at: datetime
    updated_at: datetime


class VariantDetail(BaseModel):
    """A variant with what a storefront needs of its product."""

    variant: VariantRead
    product_id: uuid.UUID
    product_status: ProductStatus


class VariantStock(BaseModel):
    """What inventory needs of a variant: its SKU and whether and how its stock is counted."""

    id: uuid.UUID
    product_id: uuid.UUID
    sku: str
    manage_inventory: bool
    allow_backorder: bool
    product_status: ProductStatus


class GroupTranslationInput(_Input):
    locale: Locale
    title: Title
    handle: Handle | None = None
    description: Annotated[ProseText, Field(max_length=20_000)] | None = None


def _unique_group_locales(items: list[GroupTranslationInput]) -> list[GroupTranslationInput]:
    locales = [item.locale for item in items]
    if len(set(locales)) != len(locales):
        raise ValueError("each locale may appear once")
    return items


GroupTranslations = Annotated[
    list[GroupTranslationInput],
    AfterValidator(_unique_group_locales),
    Field(min_length=1, max_length=50),
]


class CollectionCreate(_Input):
    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        json_schema_extra={
            "examples": [
                {
                    "translations": [
                        {"locale": "en", "title": "Summer picks"},
                        {"locale": "de", "title": "Sommerauswahl"},
                    ]
                }
            ]
        },
    )
    translations: GroupTranslations
    metadata: JsonObject = Field(default_factory=dict)


class CollectionUpdate(_Input):
    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        json_schema_extra={"examples": [{"metadata": {"banner": "summer"}}]},
    )
    translations: GroupTranslations | None = None
    metadata: JsonObject | None = None


class CategoryCreate(_Input):
    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        json_schema_extra={
            "examples": [
                {
                    "translations": [{"locale": "en", "title": "Knitwear"}],
                    "parent_id": None,
                    "rank": 0,
                }
            ]
        },
    )
    translations: GroupTranslations
    parent_id: uuid.UUID | None = None
    rank: Rank = 0
    is_active: StrictBool = True


class CategoryUpdate(_Input):
    """`parent_id: null` moves the category to the top; leaving it out keeps its parent."""

    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        json_schema_extra={"examples": [{"rank": 2, "is_active": True}]},
    )

    translations: GroupTranslations | None = None
    parent_id: uuid.UUID | None = None
    rank: Rank | None = None
    is_active: StrictBool | None = None


class GroupTranslationRead(BaseModel):
    locale: str
    title: str
    handle: str
    description: str | None


class CollectionRead(BaseModel):
    id: uuid.UUID
    locale: str
    title: str
    handle: str
    translations: list[GroupTranslationRead]
    metadata: dict[str, Any]
    created_at: datetime


class CategoryRead(BaseModel):
    id: uuid.UUID
    parent_id: uuid.UUID | None
    locale: str
    title: str
    handle: str
    rank: int
    is_active: bool
    translations: list[GroupTranslationRead]
    created_at: datetime
