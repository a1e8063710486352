"""InventoryService: locations and the default one, adjust / set / transfer audited as
movements, reservations that never oversell (200 concurrent buyers for 10 units), release,
commit, expiry, backorders, unmanaged variants and the low-stock alert once per crossing."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import pytest

from rustok.commerce.catalog.schemas import ProductCreate, VariantUpdate
from rustok.commerce.inventory.errors import (
    InsufficientStock,
    InventoryNotManaged,
    SameLocation,
    StockLocationInUse,
    StockLocationNameTaken,
    StockLocationNotFound,
    UnknownVariant,
)
from rustok.commerce.inventory.models import (
    InventoryLevel,
    Reservation,
    StockLocation,
    StockMovement,
)
from rustok.commerce.inventory.schemas import (
    InventoryAdjust,
    InventoryCheck,
    InventorySet,
    InventoryTransfer,
    MovementFilter,
    StockLine,
    StockLocationCreate,
    StockLocationUpdate,
)
from rustok.core.clock import utcnow
from tests.commerce.conftest import count, events, product_body

if TYPE_CHECKING:
    from rustok.bootstrap import Container
    from rustok.commerce.catalog.service import CatalogService
    from rustok.commerce.inventory.service import InventoryService
    from rustok.core.tenant import TenantSnapshot


async def _variant(catalog: CatalogService, shop: TenantSnapshot, **overrides: Any) -> uuid.UUID:
    product = await catalog.create_product(
        shop, ProductCreate.model_validate(product_body(status="active", **overrides))
    )
    return product.variants[0].id


async def _stock(
    inventory: InventoryService,
    shop: TenantSnapshot,
    variant_id: uuid.UUID,
    units: int,
    location_id: uuid.UUID | None = None,
    threshold: int | None = None,
) -> None:
    await inventory.set_level(
        shop,
        variant_id,
        InventorySet(
            quantity=units, location_id=location_id, low_stock_threshold=threshold, reason="count"
        ),
    )


async def _reserve(
    container: Container,
    inventory: InventoryService,
    shop: TenantSnapshot,
    lines: list[StockLine],
    owner: uuid.UUID,
    **extra: Any,
) -> int:
    async with container.uow(shop.id) as uow:
        reservations = await inventory.reserve_in(
            uow, lines, owner_kind="cart", owner_id=owner, **extra
        )
        await uow.commit()
    return sum(r.quantity for r in reservations)


async def _available(
    container: Container, inventory: InventoryService, shop: TenantSnapshot, variant: uuid.UUID
) -> int:
    async with container.uow(shop.id, read_only=True) as uow:
        return (await inventory.availability_in(uow, [variant]))[variant].available


async def test_an_adjustment_without_a_location_goes_to_the_default_one_and_is_audited(
    container: Container,
    catalog: CatalogService,
    inventory: InventoryService,
    shop: TenantSnapshot,
) -> None:
    variant = await _variant(catalog, shop)

    read = await inventory.adjust(
        shop, variant, InventoryAdjust(adjustment=12, reason="received", reference="PO-1")
    )
    again = await inventory.adjust(shop, variant, InventoryAdjust(adjustment=-2, reason="damaged"))

    locations = await inventory.list_locations(shop)
    assert [(loc.name, loc.is_default) for loc in locations] == [("Default", True)]
    assert (read.stocked, read.reserved, read.available) == (12, 0, 12)
    assert (again.stocked, again.available) == (10, 10)
    assert [level.location_id for level in again.levels] == [locations[0].id]
    page = await inventory.list_movements(shop, MovementFilter(), after=None, limit=10)
    assert [(m.kind, m.delta, m.stocked, m.reason) for m in page.items] == [
        ("adjust", -2, 10, "damaged"),
        ("adjust", 12, 12, "received"),
    ]
    adjusted = [e.payload for e in await events(container, "commerce.inventory.")]
    assert [(p["delta"], p["stocked"], p["available"], p["sku"]) for p in adjusted] == [
        (12, 12, 12, "SHIRT-S"),
        (-2, 10, 10, "SHIRT-S"),
    ]


async def test_removing_more_than_is_available_is_refused_and_changes_nothing(
    container: Container,
    catalog: CatalogService,
    inventory: InventoryService,
    shop: TenantSnapshot,
) -> None:
    variant = await _variant(catalog, shop)
    await _stock(inventory, shop, variant, 3)
    before = (await count(container, StockMovement), len(await events(container)))

    with pytest.raises(InsufficientStock) as refused:
        await inventory.adjust(shop, variant, InventoryAdjust(adjustment=-4, reason="lost"))

    assert refused.value.code == "INSUFFICIENT_STOCK"
    assert refused.value.fields[0].field == "body.adjustment"
    assert (await inventory.get_inventory(shop, variant)).stocked == 3
    assert (await count(container, StockMovement), len(await events(container))) == before


@pytest.mark.parametrize("buyers", [200])
async def test_200_concurrent_reservations_of_one_unit_take_exactly_the_10_in_stock(
    container: Container,
    catalog: CatalogService,
    inventory: InventoryService,
    shop: TenantSnapshot,
    backend: str,
    buyers: int,
) -> None:
    variant = await _variant(catalog, shop)
    await _stock(inventory, shop, variant, 10)
    # Each buyer is its own unit of work. PostgreSQL runs them as far as the pool allows;
    # SQLite's writers take turns, and 200 queued at once could outwait the write gate's
    # timeout on a loaded machine, so at most 50 wait there at a time.
    turns = asyncio.Semaphore(buyers if backend == "postgres" else 50)

    async def buy() -> str:
        async with turns:
            try:
                await _reserve(container, inventory, shop, [StockLine(variant, 1)], uuid.uuid4())
            except InsufficientStock as error:
                return error.code
            return "OK"

    results = await asyncio.gather(*(buy() for _ in range(buyers)))

    assert results.count("OK") == 10
    assert results.count("INSUFFICIENT_STOCK") == buyers - 10
    stock = await inventory.get_inventory(shop, variant)
    assert (stock.stocked, stock.reserved, stock.available) == (10, 10, 0)
    assert await count(container, Reservation) == 10
    assert len(await events(container, "commerce.inventory.reserved")) == 10


async def test_a_reservation_takes_the_default_location_first_and_splits_over_others(
    container: Container,
    catalog: CatalogService,
    inventory: InventoryService,
    shop: TenantSnapshot,
) -> None:
    variant = await _variant(catalog, shop)
    await _stock(inventory, shop, variant, 2)  # the default location, made on first need
    annex = await inventory.create_location(shop, StockLocationCreate(name="Annex"))
    await _stock(inventory, shop, variant, 5, location_id=annex.id)
    default = (await inventory.list_locations(shop))[0]

    async with container.uow(shop.id) as uow:
        taken = await inventory.reserve_in(
            uow, [StockLine(variant, 4)], owner_kind="order", owner_id=uuid.UUID(int=7)
        )
        await uow.commit()

    assert [(r.location_id, r.quantity, r.status.value) for r in taken] == [
        (default.id, 2, "live"),
        (annex.id, 2, "live"),
    ]
    assert await _available(container, inventory, shop, variant) == 3
    [reserved] = await events(container, "commerce.inventory.reserved")
    assert reserved.payload["owner_kind"] == "order"
    assert [(line["quantity"], line["available"]) for line in reserved.payload["lines"]] == [
        (2, 0),
        (2, 3),
    ]


async def test_a_reservation_is_all_or_nothing_and_names_each_short_line(
    container: Container,
    catalog: CatalogService,
    inventory: InventoryService,
    shop: TenantSnapshot,
) -> None:
    plenty = await _variant(catalog, shop, sku="A")
    scarce = await _variant(catalog, shop, sku="B")
    await _stock(inventory, shop, plenty, 10)
    await _stock(inventory, shop, scarce, 1)
    before = len(await events(container))

    with pytest.raises(InsufficientStock) as refused:
        await _reserve(
            container,
            inventory,
            shop,
            [StockLine(plenty, 3), StockLine(scarce, 2), StockLine(plenty, 8)],
            uuid.uuid4(),
        )

    assert [(f.field, f.message) for f in refused.value.fields] == [
        ("lines.1", "B-S: 2 asked, 1 available"),
        ("lines.2", "A-S: 8 asked, 7 available"),
    ]
    assert await count(container, Reservation) == 0
    assert await _available(container, inventory, shop, plenty) == 10
    assert await _available(container, inventory, shop, scarce) == 1
    assert len(await events(container)) == before


async def test_backorders_go_below_zero_and_unmanaged_variants_are_never_counted(
    container: Container,
    catalog: CatalogService,
    inventory: InventoryService,
    shop: TenantSnapshot,
) -> None:
    backorder = await _variant(catalog, shop, sku="PRE")
    await catalog.update_variant(shop, backorder, VariantUpdate(allow_backorder=True))
    unmanaged = await _variant(catalog, shop, sku="DIGI")
    await catalog.update_variant(shop, unmanaged, VariantUpdate(manage_inventory=False))
    await _stock(inventory, shop, backorder, 1)

    units = await _reserve(
        container,
        inventory,
        shop,
        [StockLine(backorder, 3), StockLine(unmanaged, 50)],
        uuid.uuid4(),
    )

    assert units == 3
    async with container.uow(shop.id, read_only=True) as uow:
        found = await inventory.availability_in(uow, [backorder, unmanaged])
    assert (found[backorder].available, found[backorder].backorder) == (-2, True)
    assert (found[unmanaged].managed, found[unmanaged].serves(10**6)) == (False, True)
    with pytest.raises(InventoryNotManaged):
        await inventory.adjust(shop, unmanaged, InventoryAdjust(adjustment=1, reason="x"))


async def test_release_gives_units_back_and_commit_ships_them(
    container: Container,
    catalog: CatalogService,
    inventory: InventoryService,
    shop: TenantSnapshot,
) -> None:
    variant = await _variant(catalog, shop)
    await _stock(inventory, shop, variant, 10)
    cart, order = uuid.uuid4(), uuid.uuid4()
    await _reserve(container, inventory, shop, [StockLine(variant, 3)], cart)
    async with container.uow(shop.id) as uow:
        await inventory.reserve_in(uow, [StockLine(variant, 4)], owner_kind="order", owner_id=order)
        await uow.commit()

    async with container.uow(shop.id) as uow:
        released = await inventory.release_in(uow, owner_kind="cart", owner_id=cart)
        again = await inventory.release_in(uow, owner_kind="cart", owner_id=cart)
        committed = await inventory.commit_in(uow, owner_kind="order", owner_id=order)
        await uow.commit()

    assert (released, again, committed) == (1, 0, 1)
    stock = await inventory.get_inventory(shop, variant)
    assert (stock.stocked, stock.reserved, stock.available) == (6, 0, 6)
    movements = await inventory.list_movements(
        shop, MovementFilter(variant_id=variant), after=None, limit=1
    )
    assert [(m.kind, m.delta, m.reference) for m in movements.items] == [
        ("commit", -4, f"order:{order}")
    ]
    assert movements.has_more is True
    types = [e.event_type for e in await events(container, "commerce.inventory.")]
    assert types[-3:] == [
        "commerce.inventory.released",
        "commerce.inventory.adjusted",
        "commerce.inventory.committed",
    ]


async def test_expired_reservations_stop_counting_and_the_job_releases_them_once(
    container: Container,
    catalog: CatalogService,
    inventory: InventoryService,
    shop: TenantSnapshot,
) -> None:
    variant = await _variant(catalog, shop)
    await _stock(inventory, shop, variant, 5)
    past = utcnow() - timedelta(minutes=1)
    await _reserve(
        container,
        inventory,
        shop,
        [StockLine(variant, 1)],
        uuid.uuid4(),
        expires_at=utcnow() + timedelta(hours=1),
    )
    await _reserve(
        container, inventory, shop, [StockLine(variant, 2)], uuid.uuid4(), expires_at=past
    )

    assert await _available(container, inventory, shop, variant) == 4

    released = await asyncio.gather(inventory.release_expired(), inventory.release_expired())

    assert sorted(released) == [0, 1]
    stock = await inventory.get_inventory(shop, variant)
    assert (stock.reserved, stock.available) == (1, 4)
    [event] = await events(container, "commerce.inventory.released")
    assert (event.payload["reason"], event.payload["lines"][0]["quantity"]) == ("expired", 2)


async def test_the_low_stock_alert_fires_once_per_crossing_and_rearms(
    container: Container,
    catalog: CatalogService,
    inventory: InventoryService,
    shop: TenantSnapshot,
) -> None:
    variant = await _variant(catalog, shop)
    await _stock(inventory, shop, variant, 10, threshold=5)

    for _ in range(3):  # 10 -> 8 -> 6 -> 4: crosses once
        await inventory.adjust(shop, variant, InventoryAdjust(adjustment=-2, reason="sold"))
    await _reserve(container, inventory, shop, [StockLine(variant, 1)], uuid.uuid4())  # 3
    await inventory.adjust(shop, variant, InventoryAdjust(adjustment=10, reason="received"))
    await _reserve(container, inventory, shop, [StockLine(variant, 8)], uuid.uuid4())  # 13 -> 5

    low = [e.payload for e in await events(container, "commerce.inventory.low")]
    assert [(p["available"], p["threshold"], p["sku"]) for p in low] == [
        (4, 5, "SHIRT-S"),
        (5, 5, "SHIRT-S"),
    ]


async def test_a_transfer_moves_units_and_never_more_than_is_available(
    container: Container,
    catalog: CatalogService,
    inventory: InventoryService,
    shop: TenantSnapshot,
) -> None:
    variant = await _variant(catalog, shop)
    await _stock(inventory, shop, variant, 6)
    await _reserve(container, inventory, shop, [StockLine(variant, 2)], uuid.uuid4())
    source = (await inventory.list_locations(shop))[0]
    annex = await inventory.create_location(shop, StockLocationCreate(name="Annex"))
    before = (await count(container, StockMovement), len(await events(container)))

    with pytest.raises(InsufficientStock) as refused:
        await inventory.transfer(
            shop,
            InventoryTransfer(
                variant_id=variant, from_location_id=source.id, to_location_id=annex.id, quantity=5
            ),
        )
    assert [(f.field, f.message) for f in refused.value.fields] == [("body.quantity", "at most 4")]
    assert (await count(container, StockMovement), len(await events(container))) == before
    with pytest.raises(SameLocation):
        await inventory.transfer(
            shop,
            InventoryTransfer(
                variant_id=variant, from_location_id=annex.id, to_location_id=annex.id, quantity=1
            ),
        )

    moved = await inventory.transfer(
        shop,
        InventoryTransfer(
            variant_id=variant, from_location_id=source.id, to_location_id=annex.id, quantity=4
        ),
    )

    assert (moved.source.stocked, moved.source.available) == (2, 0)
    assert (moved.destination.stocked, moved.destination.available) == (4, 4)
    movements = await inventory.list_movements(shop, MovementFilter(), after=None, limit=10)
    assert sorted((m.kind, m.delta) for m in movements.items[:2]) == [
        ("transfer", -4),
        ("transfer", 4),
    ]


async def test_setting_below_what_is_reserved_is_refused(
    container: Container,
    catalog: CatalogService,
    inventory: InventoryService,
    shop: TenantSnapshot,
) -> None:
    variant = await _variant(catalog, shop)
    await _stock(inventory, shop, variant, 6)
    await _reserve(container, inventory, shop, [StockLine(variant, 4)], uuid.uuid4())

    with pytest.raises(InsufficientStock) as refused:
        await _stock(inventory, shop, variant, 3)

    assert [(f.field, f.message) for f in refused.value.fields] == [("body.quantity", "at least 4")]
    assert (await inventory.get_inventory(shop, variant)).stocked == 6


async def test_locations_keep_one_default_and_refuse_deleting_what_holds_stock(
    catalog: CatalogService, inventory: InventoryService, shop: TenantSnapshot
) -> None:
    first = await inventory.create_location(
        shop, StockLocationCreate(name="Berlin", city="Berlin", country_code="DE")
    )
    second = await inventory.create_location(shop, StockLocationCreate(name="Vienna"))
    assert (first.is_default, second.is_default) == (True, False)
    with pytest.raises(StockLocationNameTaken):
        await inventory.create_location(shop, StockLocationCreate(name="Berlin"))
    with pytest.raises(StockLocationInUse):
        await inventory.delete_location(shop, first.id)
    with pytest.raises(StockLocationInUse):
        await inventory.update_location(shop, first.id, StockLocationUpdate(is_default=False))

    moved = await inventory.update_location(shop, second.id, StockLocationUpdate(is_default=True))

    assert moved.is_default is True
    assert [(loc.name, loc.is_default) for loc in await inventory.list_locations(shop)] == [
        ("Vienna", True),
        ("Berlin", False),
    ]
    variant = await _variant(catalog, shop)
    await _stock(inventory, shop, variant, 1, location_id=first.id)
    with pytest.raises(StockLocationInUse):
        await inventory.delete_location(shop, first.id)
    await _stock(inventory, shop, variant, 0, location_id=first.id)
    await inventory.delete_location(shop, first.id)
    with pytest.raises(StockLocationNotFound):
        await inventory.get_location(shop, first.id)


async def test_a_check_answers_per_line_and_hides_drafts_from_shoppers(
    container: Container,
    catalog: CatalogService,
    inventory: InventoryService,
    shop: TenantSnapshot,
) -> None:
    variant = await _variant(catalog, shop)
    draft = (
        (await catalog.create_product(shop, ProductCreate.model_validate(product_body(sku="D"))))
        .variants[0]
        .id
    )
    await _stock(inventory, shop, variant, 2)

    answer = await inventory.check(
        shop,
        InventoryCheck.model_validate(
            {
                "lines": [
                    {"variant_id": str(variant), "quantity": 2},
                    {"variant_id": str(variant), "quantity": 3},
                ]
            }
        ),
    )

    assert answer.ok is False
    assert [(line.available, line.ok) for line in answer.lines] == [(2, True), (2, False)]
    with pytest.raises(UnknownVariant) as unknown:
        await inventory.check(
            shop,
            InventoryCheck.model_validate({"lines": [{"variant_id": str(draft), "quantity": 1}]}),
        )
    assert unknown.value.fields[0].field == "body.lines.0.variant_id"
    staff = await inventory.check(
        shop,
        InventoryCheck.model_validate({"lines": [{"variant_id": str(draft), "quantity": 1}]}),
        staff=True,
    )
    assert staff.lines[0].available == 0
    assert await count(container, StockLocation) == 1
    assert await count(container, InventoryLevel) == 1
