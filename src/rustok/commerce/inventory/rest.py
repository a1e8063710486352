"""REST of inventory under `/api/commerce/`: stock locations, a variant's levels, adjust, set,
transfer, movements and the availability check.

The check is public (a storefront asks before it sells) and answers for variants of active
products only; a holder of `inventory:read` asks about any variant. Everything else needs
`inventory:<action>`.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response

from rustok.commerce.inventory.permissions import INVENTORY
from rustok.commerce.inventory.schemas import (
    CheckRead,
    InventoryAdjust,
    InventoryCheck,
    InventorySet,
    InventoryTransfer,
    MovementFilter,
    MovementRead,
    StockLocationCreate,
    StockLocationRead,
    StockLocationUpdate,
    TransferRead,
    VariantInventory,
)
from rustok.commerce.inventory.service import InventoryService
from rustok.core.cursor import CursorPage, CursorParams
from rustok.core.permissions import Action, Permission, Scope
from rustok.web.access import (
    Access,
    ContainerDep,
    TenantDep,
    container_of,
    get_principal,
    public,
    require,
)

router = APIRouter(prefix="/commerce")

_STAFF = Permission(INVENTORY, Action.READ)


# `async` though it does no I/O: FastAPI runs a plain `def` dependency in a worker thread.
async def _inventory(container: ContainerDep) -> InventoryService:
    return container.service(InventoryService)


Inventory = Annotated[InventoryService, Depends(_inventory)]


async def _is_staff(request: Request) -> bool:
    """Whether the caller may ask about any variant (holds `inventory:read`). No token: a
    storefront visitor; a bad token is still a 401."""
    if "authorization" not in request.headers:
        return False
    principal = await get_principal(request)
    scope = await container_of(request).permissions.scope_for(
        principal.tenant_id, principal.roles, _STAFF
    )
    return scope is not Scope.NONE


StaffDep = Annotated[bool, Depends(_is_staff)]
BAD_TOKEN: dict[int | str, dict[str, Any]] = {
    401: {"description": "A token was sent and is not valid (`UNAUTHENTICATED`); send none."}
}


@router.get(
    "/stock-locations",
    response_model=list[StockLocationRead],
    summary="Stock locations, the default one first",
)
async def list_stock_locations(
    inventory: Inventory,
    tenant: TenantDep,
    _: Annotated[Access, require(INVENTORY, Action.LIST)],
) -> list[StockLocationRead]:
    return await inventory.list_locations(tenant)


@router.post(
    "/stock-locations",
    response_model=StockLocationRead,
    status_code=201,
    summary="Create a stock location (the first one becomes the default)",
)
async def create_stock_location(
    data: StockLocationCreate,
    inventory: Inventory,
    tenant: TenantDep,
    _: Annotated[Access, require(INVENTORY, Action.CREATE)],
) -> StockLocationRead:
    return await inventory.create_location(tenant, data)


@router.get(
    "/stock-locations/{stock_location_id}",
    response_model=StockLocationRead,
    summary="One stock location",
)
async def get_stock_location(
    stock_location_id: uuid.UUID,
    inventory: Inventory,
    tenant: TenantDep,
    _: Annotated[Access, require(INVENTORY, Action.READ)],
) -> StockLocationRead:
    return await inventory.get_location(tenant, stock_location_id)


@router.patch(
    "/stock-locations/{stock_location_id}",
    response_model=StockLocationRead,
    summary="Change a stock location, or make it the default",
)
async def update_stock_location(
    stock_location_id: uuid.UUID,
    data: StockLocationUpdate,
    inventory: Inventory,
    tenant: TenantDep,
    _: Annotated[Access, require(INVENTORY, Action.UPDATE)],
) -> StockLocationRead:
    return await inventory.update_location(tenant, stock_location_id, data)


@router.delete(
    "/stock-locations/{stock_location_id}",
    status_code=204,
    summary="Delete a stock location that is not the default and holds no stock",
)
async def delete_stock_location(
    stock_location_id: uuid.UUID,
    inventory: Inventory,
    tenant: TenantDep,
    _: Annotated[Access, require(INVENTORY, Action.DELETE)],
) -> Response:
    await inventory.delete_location(tenant, stock_location_id)
    return Response(status_code=204)


@router.get(
    "/variants/{variant_id}/inventory",
    response_model=VariantInventory,
    summary="A variant's stock at each location, and summed",
)
async def get_variant_inventory(
    variant_id: uuid.UUID,
    inventory: Inventory,
    tenant: TenantDep,
    _: Annotated[Access, require(INVENTORY, Action.READ)],
) -> VariantInventory:
    return await inventory.get_inventory(tenant, variant_id)


@router.post(
    "/variants/{variant_id}/inventory/adjust",
    response_model=VariantInventory,
    summary="Add or remove units at a location (the default one unless named)",
)
async def adjust_variant_inventory(
    variant_id: uuid.UUID,
    data: InventoryAdjust,
    inventory: Inventory,
    tenant: TenantDep,
    access: Annotated[Access, require(INVENTORY, Action.UPDATE)],
) -> VariantInventory:
    return await inventory.adjust(tenant, variant_id, data, actor_id=access.principal.user_id)


@router.post(
    "/variants/{variant_id}/inventory/set",
    response_model=VariantInventory,
    summary="Set the units on hand at a location (a stock count) and its low-stock threshold",
)
async def set_variant_inventory(
    variant_id: uuid.UUID,
    data: InventorySet,
    inventory: Inventory,
    tenant: TenantDep,
    access: Annotated[Access, require(INVENTORY, Action.UPDATE)],
) -> VariantInventory:
    return await inventory.set_level(tenant, variant_id, data, actor_id=access.principal.user_id)


@router.post(
    "/inventory/transfer",
    response_model=TransferRead,
    summary="Move units of a variant between two locations (never more than is available)",
)
async def transfer_inventory(
    data: InventoryTransfer,
    inventory: Inventory,
    tenant: TenantDep,
    access: Annotated[Access, require(INVENTORY, Action.UPDATE)],
) -> TransferRead:
    return await inventory.transfer(tenant, data, actor_id=access.principal.user_id)


@router.post(
    "/inventory/check",
    response_model=CheckRead,
    summary="Whether each line can be served now, and what is available of it",
    responses=BAD_TOKEN,
)
async def check_inventory(
    data: InventoryCheck,
    inventory: Inventory,
    tenant: TenantDep,
    staff: StaffDep,
    _: Annotated[None, public()],
) -> CheckRead:
    return await inventory.check(tenant, data, staff=staff)


@router.get(
    "/inventory/movements",
    response_model=CursorPage[MovementRead],
    summary="Stock movements, newest first, by cursor",
)
async def list_inventory_movements(
    inventory: Inventory,
    tenant: TenantDep,
    _: Annotated[Access, require(INVENTORY, Action.LIST)],
    page: Annotated[CursorParams, Depends()],
    variant_id: uuid.UUID | None = None,
    stock_location_id: uuid.UUID | None = None,
) -> CursorPage[MovementRead]:
    return await inventory.list_movements(
        tenant,
        MovementFilter(variant_id=variant_id, location_id=stock_location_id),
        after=page.after,
        limit=page.limit,
    )
