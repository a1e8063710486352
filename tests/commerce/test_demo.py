"""`rustok seed --demo` gives the demo tenant a shop, and running it again changes nothing."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rustok.cli.seed import seed_demo
from rustok.commerce.catalog.models import Category, Collection, Product, Variant, VariantPrice
from rustok.commerce.inventory.models import InventoryLevel, StockLocation, StockMovement
from rustok.commerce.pricing.models import PriceList, Region
from tests.commerce.conftest import count

if TYPE_CHECKING:
    import httpx

    from rustok.bootstrap import Container


async def _counts(container: Container) -> list[int]:
    models = (
        Product,
        Variant,
        VariantPrice,
        Collection,
        Category,
        Region,
        PriceList,
        StockLocation,
        InventoryLevel,
        StockMovement,
    )
    return [await count(container, model) for model in models]


async def test_the_demo_shop_is_seeded_once(
    container: Container, client: httpx.AsyncClient
) -> None:
    await seed_demo(container)
    first = await _counts(container)
    await seed_demo(container)

    listed = await client.get(
        "/api/commerce/products?limit=100&locale=de", headers={"X-Tenant-ID": "demo"}
    )
    regions = await client.get("/api/commerce/regions", headers={"X-Tenant-ID": "demo"})
    variant = listed.json()["items"][0]["variants"][0]  # the sale is on the newest
    price = await client.get(
        f"/api/commerce/variants/{variant['id']}/price?currency=EUR&quantity=10"
        f"&region_id={regions.json()[0]['id']}",
        headers={"X-Tenant-ID": "demo"},
    )

    assert await _counts(container) == first
    assert first[0] == 24
    assert first[5:8] == [2, 2, 2]
    # every counted variant has a level in Berlin, many one in Vienna; one movement per level
    assert first[8:] == [192, 192]
    assert len(listed.json()["items"]) == 22  # two drafts are hidden from shoppers
    assert listed.json()["items"][0]["locale"] == "de"
    assert [r["name"] for r in regions.json()] == ["Europe", "United States"]
    assert price.json()["price_list_type"] == "sale"
    assert price.json()["tax_inclusive"] is True
