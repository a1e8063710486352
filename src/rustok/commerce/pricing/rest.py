"""REST of pricing under `/api/commerce/`: regions, price lists, base prices, the price.

The price calculation and the regions are public (the storefront shows them); the calculation
serves variants of active products only. Everything else needs `prices:<action>`.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response

from rustok.commerce.catalog.schemas import CurrencyCode
from rustok.commerce.pricing.permissions import PRICES
from rustok.commerce.pricing.schemas import (
    PriceCalculationRead,
    PriceListCreate,
    PriceListRead,
    PriceListUpdate,
    RegionCreate,
    RegionRead,
    RegionUpdate,
    VariantPrices,
    VariantPricesUpdate,
)
from rustok.commerce.pricing.service import PricingService
from rustok.core.permissions import Action
from rustok.web.access import Access, ContainerDep, TenantDep, get_principal, public, require

router = APIRouter(prefix="/commerce")


# `async` though it does no I/O: FastAPI runs a plain `def` dependency in a worker thread.
async def _pricing(container: ContainerDep) -> PricingService:
    return container.service(PricingService)


Pricing = Annotated[PricingService, Depends(_pricing)]


async def _token_if_sent(request: Request) -> None:
    """Public routes still refuse a token that is sent and not valid (as the catalog's do)."""
    if "authorization" in request.headers:
        await get_principal(request)


TokenChecked = Annotated[None, Depends(_token_if_sent)]
BAD_TOKEN: dict[int | str, dict[str, Any]] = {
    401: {"description": "A token was sent and is not valid (`UNAUTHENTICATED`); send none."}
}


@router.get(
    "/variants/{variant_id}/price",
    response_model=PriceCalculationRead,
    summary="What a quantity of a variant costs: price lists, tiers and the region's tax applied",
    responses=BAD_TOKEN,
)
async def calculate_price(
    variant_id: uuid.UUID,
    pricing: Pricing,
    tenant: TenantDep,
    _: Annotated[None, public()],
    __: TokenChecked,
    currency: Annotated[CurrencyCode, Query(description="ISO 4217 code, e.g. EUR.")],
    quantity: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    region_id: Annotated[
        uuid.UUID | None, Query(description="Its tax applies; its currency must be `currency`.")
    ] = None,
) -> PriceCalculationRead:
    return await pricing.calculate(tenant, variant_id, quantity, currency, region_id=region_id)


@router.get(
    "/variants/{variant_id}/prices", response_model=VariantPrices, summary="A variant's base prices"
)
async def get_variant_prices(
    variant_id: uuid.UUID,
    pricing: Pricing,
    tenant: TenantDep,
    _: Annotated[Access, require(PRICES, Action.READ)],
) -> VariantPrices:
    return await pricing.get_variant_prices(tenant, variant_id)


@router.put(
    "/variants/{variant_id}/prices",
    response_model=VariantPrices,
    summary="Replace a variant's base prices (one per currency)",
)
async def set_variant_prices(
    variant_id: uuid.UUID,
    data: VariantPricesUpdate,
    pricing: Pricing,
    tenant: TenantDep,
    _: Annotated[Access, require(PRICES, Action.UPDATE)],
) -> VariantPrices:
    return await pricing.set_variant_prices(tenant, variant_id, data.prices)


@router.get(
    "/regions", response_model=list[RegionRead], summary="Regions, by name", responses=BAD_TOKEN
)
async def list_regions(
    pricing: Pricing, tenant: TenantDep, _: Annotated[None, public()], __: TokenChecked
) -> list[RegionRead]:
    return await pricing.list_regions(tenant)


@router.post("/regions", response_model=RegionRead, status_code=201, summary="Create a region")
async def create_region(
    data: RegionCreate,
    pricing: Pricing,
    tenant: TenantDep,
    _: Annotated[Access, require(PRICES, Action.CREATE)],
) -> RegionRead:
    return await pricing.create_region(tenant, data)


@router.get(
    "/regions/{region_id}", response_model=RegionRead, summary="One region", responses=BAD_TOKEN
)
async def get_region(
    region_id: uuid.UUID,
    pricing: Pricing,
    tenant: TenantDep,
    _: Annotated[None, public()],
    __: TokenChecked,
) -> RegionRead:
    return await pricing.get_region(tenant, region_id)


@router.patch("/regions/{region_id}", response_model=RegionRead, summary="Change a region")
async def update_region(
    region_id: uuid.UUID,
    data: RegionUpdate,
    pricing: Pricing,
    tenant: TenantDep,
    _: Annotated[Access, require(PRICES, Action.UPDATE)],
) -> RegionRead:
    return await pricing.update_region(tenant, region_id, data)


@router.delete("/regions/{region_id}", status_code=204, summary="Delete a region")
async def delete_region(
    region_id: uuid.UUID,
    pricing: Pricing,
    tenant: TenantDep,
    _: Annotated[Access, require(PRICES, Action.DELETE)],
) -> Response:
    await pricing.delete_region(tenant, region_id)
    return Response(status_code=204)


@router.get("/price-lists", response_model=list[PriceListRead], summary="Price lists")
async def list_price_lists(
    pricing: Pricing,
    tenant: TenantDep,
    _: Annotated[Access, require(PRICES, Action.LIST)],
) -> list[PriceListRead]:
    return await pricing.list_price_lists(tenant)


@router.post(
    "/price-lists",
    response_model=PriceListRead,
    status_code=201,
    summary="Create a sale or override price list with its prices and tiers",
)
async def create_price_list(
    data: PriceListCreate,
    pricing: Pricing,
    tenant: TenantDep,
    _: Annotated[Access, require(PRICES, Action.CREATE)],
) -> PriceListRead:
    return await pricing.create_price_list(tenant, data)


@router.get("/price-lists/{price_list_id}", response_model=PriceListRead, summary="One price list")
async def get_price_list(
    price_list_id: uuid.UUID,
    pricing: Pricing,
    tenant: TenantDep,
    _: Annotated[Access, require(PRICES, Action.READ)],
) -> PriceListRead:
    return await pricing.get_price_list(tenant, price_list_id)


@router.patch(
    "/price-lists/{price_list_id}",
    response_model=PriceListRead,
    summary="Change a price list at the version read (stale: 409 VERSION_CONFLICT)",
)
async def update_price_list(
    price_list_id: uuid.UUID,
    data: PriceListUpdate,
    pricing: Pricing,
    tenant: TenantDep,
    _: Annotated[Access, require(PRICES, Action.UPDATE)],
) -> PriceListRead:
    return await pricing.update_price_list(tenant, price_list_id, data)


@router.delete("/price-lists/{price_list_id}", status_code=204, summary="Delete a price list")
async def delete_price_list(
    price_list_id: uuid.UUID,
    pricing: Pricing,
    tenant: TenantDep,
    _: Annotated[Access, require(PRICES, Action.DELETE)],
) -> Response:
    await pricing.delete_price_list(tenant, price_list_id)
    return Response(status_code=204)
