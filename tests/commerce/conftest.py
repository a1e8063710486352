"""Fixtures of the commerce tests: a shop tenant with English and German, callers of each kind,
and direct reads of what was (not) written."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import func, select

from rustok.commerce.catalog.service import CatalogService
from rustok.commerce.inventory.service import InventoryService
from rustok.commerce.pricing.service import PricingService
from rustok.core.tenant import LocaleSnapshot, TenantSnapshot
from rustok.events.models import SysEvent
from rustok.tenancy.schemas import TenantLocaleUpsert
from rustok.testing.factories import auth_headers, user_token

if TYPE_CHECKING:
    import httpx

    from rustok.bootstrap import Container
    from rustok.tenancy.schemas import TenantDetail


def snapshot_of(tenant: TenantDetail) -> TenantSnapshot:
    """What the tenant middleware hands a route for this tenant."""
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


async def with_german(container: Container, tenant: TenantDetail) -> TenantDetail:
    """The tenant with `de` (falling back to `en`) and `de-AT` (falling back to `de`)."""
    await container.tenants.upsert_locale(
        tenant.id, "de", TenantLocaleUpsert(name="Deutsch", fallback_locale="en")
    )
    await container.tenants.upsert_locale(
        tenant.id, "de-AT", TenantLocaleUpsert(name="Österreich", fallback_locale="de")
    )
    return await container.tenants.get_tenant(tenant.id)


@pytest.fixture
async def shop(container: Container, tenant: TenantDetail) -> TenantSnapshot:
    return snapshot_of(await with_german(container, tenant))


@pytest.fixture
async def other_shop(container: Container, other_tenant: TenantDetail) -> TenantSnapshot:
    return snapshot_of(other_tenant)


@pytest.fixture
def catalog(container: Container) -> CatalogService:
    return container.service(CatalogService)


@pytest.fixture
def pricing(container: Container) -> PricingService:
    return container.service(PricingService)


@pytest.fixture
def inventory(container: Container) -> InventoryService:
    return container.service(InventoryService)


@pytest.fixture
async def admin(
    unlimited_client: httpx.AsyncClient,
    container: Container,
    tenant: TenantDetail,
    shop: TenantSnapshot,
) -> dict[str, str]:
    token = await user_token(
        unlimited_client, container, tenant, email="admin@acme.test", roles=("admin",)
    )
    return auth_headers(tenant, token)


@pytest.fixture
async def manager(
    unlimited_client: httpx.AsyncClient, container: Container, tenant: TenantDetail
) -> dict[str, str]:
    token = await user_token(
        unlimited_client, container, tenant, email="manager@acme.test", roles=("manager",)
    )
    return auth_headers(tenant, token)


@pytest.fixture
async def customer(
    unlimited_client: httpx.AsyncClient, container: Container, tenant: TenantDetail
) -> dict[str, str]:
    token = await user_token(unlimited_client, container, tenant, email="buyer@acme.test")
    return auth_headers(tenant, token)


@pytest.fixture
def anonymous(tenant: TenantDetail) -> dict[str, str]:
    return auth_headers(tenant)


@pytest.fixture
async def intruder(
    unlimited_client: httpx.AsyncClient, container: Container, other_tenant: TenantDetail
) -> dict[str, str]:
    """The admin of another tenant, calling its own tenant with this tenant's ids."""
    token = await user_token(
        unlimited_client, container, other_tenant, email="admin@globex.test", roles=("admin",)
    )
    return auth_headers(other_tenant, token)


@pytest.fixture
def http(unlimited_client: httpx.AsyncClient) -> httpx.AsyncClient:
    return unlimited_client


async def count(container: Container, model: type[Any]) -> int:
    async with container.platform_sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def events(container: Container, prefix: str = "commerce.") -> list[SysEvent]:
    async with container.platform_sessions() as session:
        rows = await session.scalars(
            select(SysEvent).where(SysEvent.event_type.like(f"{prefix}%")).order_by(SysEvent.seq)
        )
        return list(rows.all())


def product_body(
    sku: str = "SHIRT",
    *,
    title: str = "Green shirt",
    status: str = "draft",
    sizes: tuple[str, ...] = ("S", "M"),
    eur: int = 1999,
    usd: int = 2199,
    **extra: Any,
) -> dict[str, Any]:
    """A product with a Size option and one variant per size, priced in EUR and USD."""
    return {
        "status": status,
        "translations": [
            {"locale": "en", "title": title, "description": "Organic cotton."},
            {"locale": "de", "title": f"{title} (de)"},
        ],
        "options": [{"title": "Size", "translations": {"de": "Größe"}, "values": list(sizes)}],
        "variants": [
            {
                "sku": f"{sku}-{size}",
                "options": {"Size": size},
                "weight_g": 200,
                "prices": [
                    {"currency_code": "EUR", "amount": eur},
                    {"currency_code": "USD", "amount": usd},
                ],
            }
            for size in sizes
        ],
        **extra,
    }
