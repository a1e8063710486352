"""Events the catalog emits. Payloads are frozen and versioned; amounts are integers of minor
units with their currency."""

from __future__ import annotations

import uuid
from typing import ClassVar

from pydantic import BaseModel, ConfigDict

from rustok.events.registry import EVENTS, DomainEvent


class PricePayload(BaseModel):
    model_config = ConfigDict(frozen=True)

    currency_code: str
    amount: int
    compare_at_amount: int | None = None


class VariantPayload(BaseModel):
    model_config = ConfigDict(frozen=True)

    variant_id: uuid.UUID
    sku: str
    options: dict[str, str]
    manage_inventory: bool
    allow_backorder: bool
    prices: list[PricePayload]


class _ProductEvent(DomainEvent):
    aggregate_type: ClassVar[str] = "product"
    aggregate_field: ClassVar[str] = "product_id"

    product_id: uuid.UUID
    version: int


@EVENTS.register
class ProductCreated(_ProductEvent):
    event_type: ClassVar[str] = "commerce.product.created"
    schema_version: ClassVar[int] = 1

    status: str
    handles: dict[str, str]
    titles: dict[str, str]
    variants: list[VariantPayload]


@EVENTS.register
class ProductUpdated(_ProductEvent):
    """`changes` names what changed (translations, images, collections, categories, metadata)."""

    event_type: ClassVar[str] = "commerce.product.updated"
    schema_version: ClassVar[int] = 1

    changes: list[str]


@EVENTS.register
class ProductPublished(_ProductEvent):
    event_type: ClassVar[str] = "commerce.product.published"
    schema_version: ClassVar[int] = 1


@EVENTS.register
class ProductUnpublished(_ProductEvent):
    event_type: ClassVar[str] = "commerce.product.unpublished"
    schema_version: ClassVar[int] = 1


@EVENTS.register
class ProductArchived(_ProductEvent):
    event_type: ClassVar[str] = "commerce.product.archived"
    schema_version: ClassVar[int] = 1


@EVENTS.register
class ProductDeleted(_ProductEvent):
    event_type: ClassVar[str] = "commerce.product.deleted"
    schema_version: ClassVar[int] = 1

    variant_ids: list[uuid.UUID]


class _VariantEvent(DomainEvent):
    aggregate_type: ClassVar[str] = "product"
    aggregate_field: ClassVar[str] = "product_id"

    product_id: uuid.UUID
    variant_id: uuid.UUID


@EVENTS.register
class VariantCreated(_VariantEvent):
    event_type: ClassVar[str] = "commerce.variant.created"
    schema_version: ClassVar[int] = 1

    variant: VariantPayload


@EVENTS.register
class VariantUpdated(_VariantEvent):
    event_type: ClassVar[str] = "commerce.variant.updated"
    schema_version: ClassVar[int] = 1

    variant: VariantPayload
    changes: list[str]


@EVENTS.register
class VariantDeleted(_VariantEvent):
    event_type: ClassVar[str] = "commerce.variant.deleted"
    schema_version: ClassVar[int] = 1

    sku: str
