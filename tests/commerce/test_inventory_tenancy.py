"""Tenant walls of inventory: another tenant's variants, locations and reservations are
unknown to a tenant's units of work, and the expiry job gives stock back to its own tenant."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import TYPE_CHECKING

import pytest

from rustok.commerce.catalog.schemas import ProductCreate
from rustok.commerce.inventory.errors import StockLocationNotFound, UnknownVariant
from rustok.commerce.inventory.models import Reservation
from rustok.commerce.inventory.schemas import InventorySet, StockLine, StockLocationCreate
from rustok.core.clock import utcnow
from tests.commerce.conftest import count, events, product_body

if TYPE_CHECKING:
    from rustok.bootstrap import Container
    from rustok.commerce.catalog.service import CatalogService
    from rustok.commerce.inventory.service import InventoryService
    from rustok.core.tenant import TenantSnapshot


async def _stocked(
    catalog: CatalogService, inventory: InventoryService, shop: TenantSnapshot, units: int
) -> uuid.UUID:
    product = await catalog.create_product(
        shop, ProductCreate.model_validate(product_body(status="active"))
    )
    variant = product.variants[0].id
    await inventory.set_level(shop, variant, InventorySet(quantity=units))
    return variant


async def test_another_tenants_variant_cannot_be_reserved_checked_or_restocked(
    container: Container,
    catalog: CatalogService,
    inventory: InventoryService,
    shop: TenantSnapshot,
    other_shop: TenantSnapshot,
) -> None:
    variant = await _stocked(catalog, inventory, shop, 5)
    owner = uuid.uuid4()

    async with container.uow(other_shop.id) as uow:
        with pytest.raises(UnknownVariant) as refused:
            await inventory.reserve_in(
                uow, [StockLine(variant, 1)], owner_kind="cart", owner_id=owner
            )
        assert refused.value.fields[0].field == "lines.0.variant_id"
        assert await inventory.availability_in(uow, [variant]) == {}
        with pytest.raises(UnknownVariant):
            await inventory.restock_in(
                uow, [StockLine(variant, 3)], reason="refund", reference=None
            )

    assert await count(container, Reservation) == 0
    assert (await inventory.get_inventory(shop, variant)).stocked == 5
    location = (await inventory.list_locations(shop))[0]
    with pytest.raises(StockLocationNotFound):
        await inventory.get_location(other_shop, location.id)


async def test_another_tenant_cannot_release_or_commit_a_tenants_reservations(
    container: Container,
    catalog: CatalogService,
    inventory: InventoryService,
    shop: TenantSnapshot,
    other_shop: TenantSnapshot,
) -> None:
    variant = await _stocked(catalog, inventory, shop, 5)
    owner = uuid.uuid4()
    async with container.uow(shop.id) as uow:
        await inventory.reserve_in(uow, [StockLine(variant, 2)], owner_kind="order", owner_id=owner)
        await uow.commit()

    async with container.uow(other_shop.id) as uow:
        released = await inventory.release_in(uow, owner_kind="order", owner_id=owner)
        committed = await inventory.commit_in(uow, owner_kind="order", owner_id=owner)
        await uow.commit()

    assert (released, committed) == (0, 0)
    stock = await inventory.get_inventory(shop, variant)
    assert (stock.stocked, stock.reserved) == (5, 2)


async def test_the_expiry_job_gives_each_tenant_back_its_own_stock(
    container: Container,
    catalog: CatalogService,
    inventory: InventoryService,
    shop: TenantSnapshot,
    other_shop: TenantSnapshot,
) -> None:
    mine = await _stocked(catalog, inventory, shop, 4)
    theirs = await _stocked(catalog, inventory, other_shop, 6)
    await inventory.create_location(other_shop, StockLocationCreate(name="Annex"))
    past = utcnow() - timedelta(seconds=1)
    for tenant, variant in ((shop, mine), (other_shop, theirs)):
        async with container.uow(tenant.id) as uow:
            await inventory.reserve_in(
                uow,
                [StockLine(variant, 3)],
                owner_kind="cart",
                owner_id=uuid.uuid4(),
                expires_at=past,
            )
            await uow.commit()

    assert await inventory.release_expired() == 2

    assert (await inventory.get_inventory(shop, mine)).available == 4
    assert (await inventory.get_inventory(other_shop, theirs)).available == 6
    released = await events(container, "commerce.inventory.released")
    assert sorted((e.tenant_id, e.payload["lines"][0]["sku"]) for e in released) == sorted(
        [(shop.id, "SHIRT-S"), (other_shop.id, "SHIRT-S")]
    )
