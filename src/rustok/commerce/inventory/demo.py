"""The demo shop's stock, in two locations: a Berlin warehouse (the default) and a Vienna
store. Most variants are well stocked; the first product runs low (below its threshold of 5),
the second product's first variant is out of stock, and the third product's first variant is
sold out but takes backorders. Idempotent: a tenant with the Berlin warehouse is left alone.
Runs after the catalog's demo (modules seed in registration order)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rustok.commerce.catalog.schemas import ProductFilter, VariantUpdate
from rustok.commerce.catalog.service import CatalogService
from rustok.commerce.inventory.schemas import InventorySet, StockLocationCreate
from rustok.commerce.inventory.service import InventoryService
from rustok.core.tenant import LocaleSnapshot, TenantSnapshot

if TYPE_CHECKING:
    import uuid

    from rustok.bootstrap import Container
    from rustok.commerce.catalog.schemas import ProductRead

WAREHOUSE = "Berlin warehouse"
LOW_STOCK_THRESHOLD = 5


async def _snapshot(container: Container, tenant_id: uuid.UUID) -> TenantSnapshot:
    tenant = await container.tenants.get_tenant(tenant_id)
    return TenantSnapshot(
        id=tenant.id,
        slug=tenant.slug,
        name=tenant.name,
        domain=tenant.domain,
        is_active=tenant.is_active,
        default_locale=tenant.default_locale,
        locales=tuple(
            LocaleSnapshot(
                loc.locale, loc.name, loc.is_default, loc.is_enabled, loc.fallback_locale
            )
            for loc in tenant.locales
        ),
    )


async def _products(catalog: CatalogService, tenant: TenantSnapshot) -> list[ProductRead]:
    """Every product, oldest first (the demo's order of creation)."""
    found: list[ProductRead] = []
    after: str | None = None
    while True:
        page = await catalog.list_products(
            tenant, ProductFilter(), after=after, limit=100, staff=True
        )
        found.extend(page.items)
        if page.next_cursor is None:
            return found[::-1]
        after = page.next_cursor


async def seed(container: Container, tenant_id: uuid.UUID) -> None:
    """Stock the demo shop, once."""
    inventory = container.service(InventoryService)
    catalog = container.service(CatalogService)
    tenant = await _snapshot(container, tenant_id)
    if any(loc.name == WAREHOUSE for loc in await inventory.list_locations(tenant)):
        return
    warehouse = await inventory.create_location(
        tenant,
        StockLocationCreate(
            name=WAREHOUSE,
            address_line1="Lagerstraße 1",
            city="Berlin",
            postal_code="10115",
            country_code="DE",
            is_default=True,
        ),
    )
    store = await inventory.create_location(
        tenant,
        StockLocationCreate(
            name="Vienna store",
            address_line1="Kärntner Straße 10",
            city="Wien",
            postal_code="1010",
            country_code="AT",
        ),
    )
    for index, product in enumerate(await _products(catalog, tenant)):
        for rank, variant in enumerate(product.variants):
            if not variant.manage_inventory:  # a gift card, say: never counted
                continue
            if index == 0:
                units = (3, 0)  # low: below the threshold
            elif index in (1, 2) and rank == 0:
                units = (0, 0)  # out of stock (the third's takes backorders)
            else:
                units = (20 + (index * 7 + rank * 3) % 30, (index + rank) % 4 * 2)
            if index == 2 and rank == 0:
                await catalog.update_variant(
                    tenant, variant.id, VariantUpdate(allow_backorder=True)
                )
            await inventory.set_level(
                tenant,
                variant.id,
                InventorySet(
                    quantity=units[0],
                    location_id=warehouse.id,
                    low_stock_threshold=LOW_STOCK_THRESHOLD,
                    reason="demo",
                ),
            )
            if units[1]:
                await inventory.set_level(
                    tenant,
                    variant.id,
                    InventorySet(quantity=units[1], location_id=store.id, reason="demo"),
                )
