"""Events the cart emits. Amounts are integers of minor units with the cart's currency; the
cart's `version` orders them (one aggregate per cart)."""

from __future__ import annotations

import uuid
from typing import ClassVar

from rustok.events.registry import EVENTS, DomainEvent


class _CartEvent(DomainEvent):
    aggregate_type: ClassVar[str] = "cart"
    aggregate_field: ClassVar[str] = "cart_id"

    cart_id: uuid.UUID
    customer_id: uuid.UUID | None
    currency_code: str
    version: int


class _LineEvent(_CartEvent):
    line_id: uuid.UUID
    variant_id: uuid.UUID
    sku: str
    quantity: int
    unit_price: int


@EVENTS.register
class CartCreated(_CartEvent):
    event_type: ClassVar[str] = "commerce.cart.created"
    schema_version: ClassVar[int] = 1

    region_id: uuid.UUID | None


@EVENTS.register
class CartUpdated(_CartEvent):
    """The cart's currency, region, e-mail or addresses changed (`fields` names which)."""

    event_type: ClassVar[str] = "commerce.cart.updated"
    schema_version: ClassVar[int] = 1

    fields: list[str]


@EVENTS.register
class CartLineAdded(_LineEvent):
    """A variant was put in the cart, or more units of one already in it (`added`)."""

    event_type: ClassVar[str] = "commerce.cart.line_added"
    schema_version: ClassVar[int] = 1

    added: int


@EVENTS.register
class CartLineUpdated(_LineEvent):
    event_type: ClassVar[str] = "commerce.cart.line_updated"
    schema_version: ClassVar[int] = 1

    previous_quantity: int


@EVENTS.register
class CartLineRemoved(_LineEvent):
    """The line is gone; `quantity` and `unit_price` are what it held."""

    event_type: ClassVar[str] = "commerce.cart.line_removed"
    schema_version: ClassVar[int] = 1


@EVENTS.register
class CartCompleted(_CartEvent):
    """Checked out: the cart became `order_id`."""

    event_type: ClassVar[str] = "commerce.cart.completed"
    schema_version: ClassVar[int] = 1

    order_id: uuid.UUID


@EVENTS.register
class CartExpired(_CartEvent):
    """The cart passed its `expires_at` unbought; it refuses writes from now on."""

    event_type: ClassVar[str] = "commerce.cart.expired"
    schema_version: ClassVar[int] = 1
