"""The demo shop's pricing: Europe (EUR, 19 % VAT included in prices) and the United States
(USD, prices without tax), and a summer sale. Idempotent: a tenant with a region named
Europe is left alone. Runs after the catalog's demo (modules seed in registration order)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rustok.commerce.catalog.schemas import ProductFilter
from rustok.commerce.catalog.service import CatalogService
from rustok.commerce.pricing.schemas import PriceListCreate, RegionCreate
from rustok.commerce.pricing.service import PricingService
from rustok.core.tenant import LocaleSnapshot, TenantSnapshot

if TYPE_CHECKING:
    import uuid

    from rustok.bootstrap import Container


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


async def seed(container: Container, tenant_id: uuid.UUID) -> None:
    """Add the demo regions and sale to the tenant, once."""
    pricing = container.service(PricingService)
    tenant = await _snapshot(container, tenant_id)
    if any(region.name == "Europe" for region in await pricing.list_regions(tenant)):
        return
    europe = await pricing.create_region(
        tenant,
        RegionCreate(
            name="Europe",
            currency_code="EUR",
            tax_rate_bp=1900,
            tax_inclusive=True,
            countries=["DE", "AT", "FR", "NL", "BE", "IT", "ES"],
        ),
    )
    await pricing.create_region(
        tenant,
        RegionCreate(
            name="United States", currency_code="USD", tax_inclusive=False, countries=["US"]
        ),
    )
    page = await container.service(CatalogService).list_products(
        tenant, ProductFilter(), after=None, limit=6
    )
    prices: list[dict[str, Any]] = []
    for product in page.items:
        for variant in product.variants:
            for currency in ("EUR", "USD"):
                prices.append(
                    {
                        "variant_id": str(variant.id),
                        "currency_code": currency,
                        "kind": "percent_off",
                        "value": 2000,
                    }
                )
                prices.append(
                    {
                        "variant_id": str(variant.id),
                        "currency_code": currency,
                        "kind": "percent_off",
                        "value": 3000,
                        "min_quantity": 10,
                    }
                )
    await pricing.create_price_list(
        tenant,
        PriceListCreate.model_validate(
            {
                "name": "Summer sale",
                "description": "20 % off the newest products; 30 % from ten pieces.",
                "type": "sale",
                "status": "active",
                "prices": prices,
            }
        ),
    )
    await pricing.create_price_list(
        tenant,
        PriceListCreate.model_validate(
            {
                "name": "VIP in Europe",
                "type": "override",
                "status": "active",
                "customer_groups": ["vip"],
                "region_ids": [str(europe.id)],
                "prices": [
                    {**price, "kind": "amount_off", "value": 500}
                    for price in prices
                    if price["currency_code"] == "EUR" and "min_quantity" not in price
                ],
            }
        ),
    )
