"""GraphQL of inventory: stock on the catalog's variants (one DataLoader batch per request),
stock locations, a variant's levels, movements; mutations for locations, adjust, set and
transfer. Mutation inputs are JSON objects shaped like the REST bodies, validated by the same
models."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Any

import strawberry
from strawberry.dataloader import DataLoader
from strawberry.scalars import JSON
from strawberry.types import Info

from rustok.commerce.inventory.permissions import INVENTORY
from rustok.commerce.inventory.schemas import (
    InventoryAdjust,
    InventorySet,
    InventoryTransfer,
    MovementFilter,
    StockLocationCreate,
    StockLocationUpdate,
)
from rustok.commerce.inventory.service import InventoryService
from rustok.core.cursor import DEFAULT_LIMIT
from rustok.core.modules import GraphQLPart
from rustok.core.permissions import Action
from rustok.web.graphql import GraphQLContext, page_size, parse_input, per_request, requires

if TYPE_CHECKING:
    from rustok.commerce.inventory.schemas import (
        Availability,
        LevelRead,
        MovementRead,
        StockLocationRead,
        VariantInventory,
    )


def _availability(info: Info[GraphQLContext, Any]) -> DataLoader[uuid.UUID, Availability | None]:
    """This request's loader of variants' availability."""
    inventory = info.context.container.service(InventoryService)
    tenant = info.context.tenant

    def make() -> DataLoader[uuid.UUID, Availability | None]:
        async def load(keys: list[uuid.UUID]) -> list[Availability | None]:
            answer = await inventory.availability_by_variant(tenant, keys)
            return [answer.get(key) for key in keys]

        return DataLoader(load_fn=load)

    return per_request(info, "commerce_inventory_loader", make)


@strawberry.type
class Stock:
    """What a storefront may know of a variant's stock, over all locations."""

    available: int
    managed: bool = strawberry.field(description="False: not counted, always available.")
    backorder: bool = strawberry.field(description="True: may be sold below zero.")
    in_stock: bool


@strawberry.type(name="Variant")
class VariantStockExtension:
    """Adds `stock` to the catalog's `Variant`."""

    id: uuid.UUID

    @strawberry.field(description="Stock over all locations (inventory).")
    async def stock(self, info: Info[GraphQLContext, Any]) -> Stock | None:
        found = await _availability(info).load(self.id)
        if found is None:
            return None
        return Stock(
            available=found.available,
            managed=found.managed,
            backorder=found.backorder,
            in_stock=found.serves(1),
        )


@strawberry.type
class StockLocation:
    id: uuid.UUID
    name: str
    address_line1: str | None
    address_line2: str | None
    city: str | None
    postal_code: str | None
    country_code: str | None
    is_default: bool

    @classmethod
    def of(cls, row: StockLocationRead) -> StockLocation:
        return cls(
            id=row.id,
            name=row.name,
            address_line1=row.address_line1,
            address_line2=row.address_line2,
            city=row.city,
            postal_code=row.postal_code,
            country_code=row.country_code,
            is_default=row.is_default,
        )


@strawberry.type
class InventoryLevel:
    location_id: uuid.UUID
    stocked: int
    reserved: int
    incoming: int
    available: int
    low_stock_threshold: int | None

    @classmethod
    def of(cls, level: LevelRead) -> InventoryLevel:
        return cls(
            location_id=level.location_id,
            stocked=level.stocked,
            reserved=level.reserved,
            incoming=level.incoming,
            available=level.available,
            low_stock_threshold=level.low_stock_threshold,
        )


@strawberry.type
class VariantInventoryLevels:
    variant_id: uuid.UUID
    sku: str
    stocked: int
    reserved: int
    available: int
    levels: list[InventoryLevel]

    @classmethod
    def of(cls, read: VariantInventory) -> VariantInventoryLevels:
        return cls(
            variant_id=read.variant_id,
            sku=read.sku,
            stocked=read.stocked,
            reserved=read.reserved,
            available=read.available,
            levels=[InventoryLevel.of(level) for level in read.levels],
        )


@strawberry.type
class StockTransfer:
    variant_id: uuid.UUID
    quantity: int
    source: InventoryLevel
    destination: InventoryLevel


@strawberry.type
class StockMovement:
    id: uuid.UUID
    variant_id: uuid.UUID
    location_id: uuid.UUID
    kind: str
    delta: int
    stocked: int
    reason: str
    reference: str | None
    created_at: datetime

    @classmethod
    def of(cls, row: MovementRead) -> StockMovement:
        return cls(
            id=row.id,
            variant_id=row.variant_id,
            location_id=row.location_id,
            kind=row.kind.value,
            delta=row.delta,
            stocked=row.stocked,
            reason=row.reason,
            reference=row.reference,
            created_at=row.created_at,
        )


@strawberry.type
class StockMovementConnection:
    items: list[StockMovement]
    next_cursor: str | None
    has_more: bool


@strawberry.type
class InventoryQuery:
    @strawberry.field(extensions=[requires(INVENTORY, Action.LIST)], description="Stock locations.")
    async def stock_locations(self, info: Info[GraphQLContext, Any]) -> list[StockLocation]:
        rows = await info.context.container.service(InventoryService).list_locations(
            info.context.tenant
        )
        return [StockLocation.of(row) for row in rows]

    @strawberry.field(
        extensions=[requires(INVENTORY, Action.READ)],
        description="A variant's stock at each location.",
    )
    async def variant_inventory(
        self, info: Info[GraphQLContext, Any], variant_id: uuid.UUID
    ) -> VariantInventoryLevels:
        read = await info.context.container.service(InventoryService).get_inventory(
            info.context.tenant, variant_id
        )
        return VariantInventoryLevels.of(read)

    @strawberry.field(
        extensions=[requires(INVENTORY, Action.LIST)],
        description="Stock movements, newest first, by cursor.",
    )
    async def stock_movements(
        self,
        info: Info[GraphQLContext, Any],
        first: int = DEFAULT_LIMIT,
        after: str | None = None,
        variant_id: uuid.UUID | None = None,
    ) -> StockMovementConnection:
        page = await info.context.container.service(InventoryService).list_movements(
            info.context.tenant,
            MovementFilter(variant_id=variant_id),
            after=after,
            limit=page_size(first),
        )
        return StockMovementConnection(
            items=[StockMovement.of(row) for row in page.items],
            next_cursor=page.next_cursor,
            has_more=page.has_more,
        )


@strawberry.type
class InventoryMutation:
    @strawberry.mutation(
        extensions=[requires(INVENTORY, Action.CREATE)],
        description="Create a stock location (`input` as POST /api/commerce/stock-locations).",
    )
    async def create_stock_location(
        self, info: Info[GraphQLContext, Any], input: JSON
    ) -> StockLocation:
        inventory = info.context.container.service(InventoryService)
        return StockLocation.of(
            await inventory.create_location(
                info.context.tenant, parse_input(StockLocationCreate, input)
            )
        )

    @strawberry.mutation(
        extensions=[requires(INVENTORY, Action.UPDATE)],
        description="Change a stock location, or make it the default.",
    )
    async def update_stock_location(
        self, info: Info[GraphQLContext, Any], id: uuid.UUID, input: JSON
    ) -> StockLocation:
        inventory = info.context.container.service(InventoryService)
        return StockLocation.of(
            await inventory.update_location(
                info.context.tenant, id, parse_input(StockLocationUpdate, input)
            )
        )

    @strawberry.mutation(
        extensions=[requires(INVENTORY, Action.DELETE)],
        description="Delete a stock location that holds no stock; answers its id.",
    )
    async def delete_stock_location(
        self, info: Info[GraphQLContext, Any], id: uuid.UUID
    ) -> uuid.UUID:
        await info.context.container.service(InventoryService).delete_location(
            info.context.tenant, id
        )
        return id

    @strawberry.mutation(
        extensions=[requires(INVENTORY, Action.UPDATE)],
        description="Add or remove units (`input` as POST /variants/{id}/inventory/adjust).",
    )
    async def adjust_inventory(
        self, info: Info[GraphQLContext, Any], variant_id: uuid.UUID, input: JSON
    ) -> VariantInventoryLevels:
        access = await info.context.access(INVENTORY, Action.UPDATE)
        read = await info.context.container.service(InventoryService).adjust(
            info.context.tenant,
            variant_id,
            parse_input(InventoryAdjust, input),
            actor_id=access.principal.user_id,
        )
        return VariantInventoryLevels.of(read)

    @strawberry.mutation(
        extensions=[requires(INVENTORY, Action.UPDATE)],
        description="Set the units on hand (`input` as POST /variants/{id}/inventory/set).",
    )
    async def set_inventory(
        self, info: Info[GraphQLContext, Any], variant_id: uuid.UUID, input: JSON
    ) -> VariantInventoryLevels:
        access = await info.context.access(INVENTORY, Action.UPDATE)
        read = await info.context.container.service(InventoryService).set_level(
            info.context.tenant,
            variant_id,
            parse_input(InventorySet, input),
            actor_id=access.principal.user_id,
        )
        return VariantInventoryLevels.of(read)

    @strawberry.mutation(
        extensions=[requires(INVENTORY, Action.UPDATE)],
        description="Move units between locations (`input` as POST /inventory/transfer).",
    )
    async def transfer_inventory(
        self, info: Info[GraphQLContext, Any], input: JSON
    ) -> StockTransfer:
        access = await info.context.access(INVENTORY, Action.UPDATE)
        moved = await info.context.container.service(InventoryService).transfer(
            info.context.tenant,
            parse_input(InventoryTransfer, input),
            actor_id=access.principal.user_id,
        )
        return StockTransfer(
            variant_id=moved.variant_id,
            quantity=moved.quantity,
            source=InventoryLevel.of(moved.source),
            destination=InventoryLevel.of(moved.destination),
        )


GRAPHQL = GraphQLPart(
    query=InventoryQuery, mutation=InventoryMutation, extends=(VariantStockExtension,)
)
