"""PricingService: regions and their tax, price lists in force (window, status, groups,
regions, tiers), base prices; the answer of `calculate` in minor units."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import pytest

from rustok.commerce.catalog.errors import VariantNotFound
from rustok.commerce.catalog.schemas import PriceInput, ProductCreate
from rustok.commerce.pricing.errors import (
    PriceListStale,
    PriceNotFound,
    RegionCurrencyMismatch,
    RegionNotFound,
    UnknownVariant,
)
from rustok.commerce.pricing.models import PriceList, PriceListPrice
from rustok.commerce.pricing.schemas import PriceListCreate, PriceListUpdate, RegionCreate
from rustok.core.money import UnknownCurrency
from tests.commerce.conftest import count, events, product_body

if TYPE_CHECKING:
    import uuid

    from rustok.bootstrap import Container
    from rustok.commerce.catalog.service import CatalogService
    from rustok.commerce.pricing.service import PricingService
    from rustok.core.tenant import TenantSnapshot

NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)


async def _variant(catalog: CatalogService, shop: TenantSnapshot, **overrides: Any) -> uuid.UUID:
    product = await catalog.create_product(
        shop, ProductCreate.model_validate(product_body(status="active", **overrides))
    )
    return product.variants[0].id


async def _list(pricing: PricingService, shop: TenantSnapshot, **fields: Any) -> uuid.UUID:
    created = await pricing.create_price_list(
        shop, PriceListCreate.model_validate({"name": "List", "status": "active", **fields})
    )
    return created.id


async def test_a_region_adds_or_includes_its_tax(
    catalog: CatalogService, pricing: PricingService, shop: TenantSnapshot
) -> None:
    variant = await _variant(catalog, shop, eur=1999, usd=2199)
    europe = await pricing.create_region(
        shop,
        RegionCreate.model_validate(
            {
                "name": "Europe",
                "currency_code": "EUR",
                "tax_rate_bp": 1900,
                "tax_inclusive": True,
                "countries": ["DE", "AT"],
            }
        ),
    )
    america = await pricing.create_region(
        shop,
        RegionCreate.model_validate(
            {"name": "US", "currency_code": "USD", "tax_rate_bp": 725, "countries": ["US"]}
        ),
    )

    eur = await pricing.calculate(shop, variant, 3, "EUR", region_id=europe.id)
    usd = await pricing.calculate(shop, variant, 3, "USD", region_id=america.id)

    assert (eur.subtotal.amount, eur.tax.amount, eur.total.amount) == (5997, 958, 5997)
    assert eur.tax_inclusive is True
    assert (usd.subtotal.amount, usd.tax.amount, usd.total.amount) == (6597, 478, 7075)
    assert usd.total.currency_code == "USD"
    with pytest.raises(RegionCurrencyMismatch) as mismatch:
        await pricing.calculate(shop, variant, 1, "USD", region_id=europe.id)
    assert mismatch.value.fields[0].field == "currency"


async def test_sale_lists_apply_in_their_window_only_when_cheaper(
    catalog: CatalogService, pricing: PricingService, shop: TenantSnapshot
) -> None:
    variant = await _variant(catalog, shop, eur=2000)
    sale = await _list(
        pricing,
        shop,
        starts_at=(NOW - timedelta(days=1)).isoformat(),
        ends_at=(NOW + timedelta(days=1)).isoformat(),
        prices=[
            {
                "variant_id": str(variant),
                "currency_code": "EUR",
                "kind": "percent_off",
                "value": 2500,
            }
        ],
    )
    await _list(
        pricing,
        shop,
        name="Dearer",
        prices=[{"variant_id": str(variant), "currency_code": "EUR", "value": 2500}],
    )

    during = await pricing.calculate(shop, variant, 2, "EUR", at=NOW)
    after = await pricing.calculate(shop, variant, 2, "EUR", at=NOW + timedelta(days=2))

    assert (during.unit_price.amount, during.original_unit_price.amount) == (1500, 2000)
    assert (during.discount.amount, during.price_list_id) == (1000, sale)
    assert (after.unit_price.amount, after.price_list_id) == (2000, None)


async def test_override_lists_win_and_rules_limit_who_gets_them(
    catalog: CatalogService, pricing: PricingService, shop: TenantSnapshot
) -> None:
    variant = await _variant(catalog, shop, eur=1000)
    region = await pricing.create_region(
        shop, RegionCreate.model_validate({"name": "EU", "currency_code": "EUR"})
    )
    vip = await _list(
        pricing,
        shop,
        type="override",
        customer_groups=["vip"],
        region_ids=[str(region.id)],
        prices=[{"variant_id": str(variant), "currency_code": "EUR", "value": 1200}],
    )
    await _list(
        pricing,
        shop,
        name="Draft",
        status="draft",
        prices=[{"variant_id": str(variant), "currency_code": "EUR", "value": 1}],
    )

    as_vip = await pricing.calculate(
        shop, variant, 1, "EUR", region_id=region.id, customer_group="vip"
    )
    elsewhere = await pricing.calculate(shop, variant, 1, "EUR", customer_group="vip")
    as_anyone = await pricing.calculate(shop, variant, 1, "EUR", region_id=region.id)

    assert (as_vip.unit_price.amount, as_vip.price_list_id) == (1200, vip)
    assert as_vip.price_list_type == "override"
    assert elsewhere.unit_price.amount == as_anyone.unit_price.amount == 1000


async def test_quantity_tiers_pick_the_most_specific_tier(
    catalog: CatalogService, pricing: PricingService, shop: TenantSnapshot
) -> None:
    variant = await _variant(catalog, shop, eur=1000)
    tiers = [
        {"variant_id": str(variant), "currency_code": "EUR", "value": 900, "max_quantity": 9},
        {"variant_id": str(variant), "currency_code": "EUR", "value": 800, "min_quantity": 10},
    ]
    await _list(pricing, shop, prices=tiers)

    units = [
        (await pricing.calculate(shop, variant, quantity, "EUR")).unit_price.amount
        for quantity in (1, 9, 10, 500)
    ]

    assert units == [900, 900, 800, 800]


async def test_zero_and_three_decimal_currencies(
    catalog: CatalogService, pricing: PricingService, shop: TenantSnapshot
) -> None:
    variant = await _variant(catalog, shop)
    await pricing.set_variant_prices(
        shop,
        variant,
        [
            PriceInput(currency_code="JPY", amount=1005),
            PriceInput(currency_code="KWD", amount=1234),
        ],
    )
    await pricing.create_region(
        shop,
        RegionCreate.model_validate({"name": "JP", "currency_code": "JPY", "tax_rate_bp": 1000}),
    )
    [japan] = await pricing.list_regions(shop)

    yen = await pricing.calculate(shop, variant, 1, "JPY", region_id=japan.id)
    dinar = await pricing.calculate(shop, variant, 2, "KWD")

    assert (yen.exponent, yen.tax.amount, yen.total.amount) == (0, 100, 1105)
    assert (dinar.exponent, dinar.total.amount) == (3, 2468)
    with pytest.raises(PriceNotFound):
        await pricing.calculate(shop, variant, 1, "EUR")
    with pytest.raises(UnknownCurrency):
        await pricing.calculate(shop, variant, 1, "XYZ")


async def test_base_prices_are_replaced_and_announced(
    catalog: CatalogService, pricing: PricingService, shop: TenantSnapshot, container: Container
) -> None:
    variant = await _variant(catalog, shop)

    prices = await pricing.set_variant_prices(
        shop, variant, [PriceInput(currency_code="EUR", amount=2500, compare_at_amount=3000)]
    )

    assert [(p.currency_code, p.amount, p.compare_at_amount) for p in prices.prices] == [
        ("EUR", 2500, 3000)
    ]
    [event] = await events(container, "commerce.price.")
    assert event.payload["prices"] == [
        {
            "variant_id": str(variant),
            "currency_code": "EUR",
            "kind": "base",
            "value": 2500,
            "compare_at_amount": 3000,
            "min_quantity": 1,
            "max_quantity": None,
        }
    ]


async def test_price_list_writes_refuse_unknown_references_and_stale_versions(
    catalog: CatalogService, pricing: PricingService, shop: TenantSnapshot, container: Container
) -> None:
    variant = await _variant(catalog, shop)
    list_id = await _list(pricing, shop)
    await pricing.update_price_list(shop, list_id, PriceListUpdate(version=1, name="Renamed"))
    before = len(await events(container))

    with pytest.raises(UnknownVariant) as unknown:
        await _list(
            pricing,
            shop,
            prices=[
                {"variant_id": str(variant), "currency_code": "EUR", "value": 1},
                {"variant_id": str(list_id), "currency_code": "EUR", "value": 1},
            ],
        )
    with pytest.raises(RegionNotFound):
        await _list(pricing, shop, region_ids=[str(list_id)])
    with pytest.raises(PriceListStale):
        await pricing.update_price_list(shop, list_id, PriceListUpdate(version=1, name="Late"))

    assert unknown.value.fields[0].field == "body.prices.1.variant_id"
    assert await count(container, PriceList) == 1
    assert await count(container, PriceListPrice) == 0
    assert len(await events(container)) == before
    assert (await pricing.get_price_list(shop, list_id)).name == "Renamed"


async def test_another_tenant_reaches_no_price_region_or_list(
    catalog: CatalogService,
    pricing: PricingService,
    shop: TenantSnapshot,
    other_shop: TenantSnapshot,
    container: Container,
) -> None:
    variant = await _variant(catalog, shop)
    region = await pricing.create_region(
        shop, RegionCreate.model_validate({"name": "EU", "currency_code": "EUR"})
    )
    list_id = await _list(pricing, shop)

    with pytest.raises(VariantNotFound):
        await pricing.calculate(other_shop, variant, 1, "EUR")
    with pytest.raises(VariantNotFound):
        await pricing.set_variant_prices(other_shop, variant, [])
    with pytest.raises(RegionNotFound):
        await pricing.get_region(other_shop, region.id)
    with pytest.raises(RegionNotFound):
        await pricing.delete_region(other_shop, region.id)
    with pytest.raises(UnknownVariant):
        await _list(
            pricing,
            other_shop,
            prices=[{"variant_id": str(variant), "currency_code": "EUR", "value": 1}],
        )

    assert await pricing.list_price_lists(other_shop) == []
    assert [r.id for r in await pricing.list_regions(shop)] == [region.id]
    assert (await pricing.get_price_list(shop, list_id)).id == list_id
    assert (await pricing.calculate(shop, variant, 1, "EUR")).total.amount == 1999
