"""The demo data `make run` serves: a demo tenant, its locales and its admin, who is also a
platform operator (it may manage tenants)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from rustok.auth.errors import EmailTaken
from rustok.core.modules import load_reference
from rustok.tenancy.repository import TenantRepository
from rustok.tenancy.schemas import TenantCreate, TenantLocaleUpsert

if TYPE_CHECKING:
    from rustok.bootstrap import Container

DEMO_SLUG = "demo"
DEMO_DOMAIN = "localhost"
DEMO_LOCALES = (("en", "English"), ("de", "Deutsch"), ("ru", "Русский"))


@dataclass(frozen=True, slots=True)
class SeedResult:
    tenant_slug: str
    admin_email: str
    admin_password: str
    created: bool


async def seed_demo(container: Container) -> SeedResult:
    """Create the demo tenant and admin, then each module's demo data (`demo_seed`); running it
    again changes nothing (idempotent)."""
    settings = container.settings
    created = False
    async with container.uow.platform() as uow:
        existing = await TenantRepository(uow.session).get_by_slug(DEMO_SLUG)
        existing_id = existing.id if existing is not None else None
    if existing_id is None:
        tenant_id = (
            await container.tenants.create_tenant(
                TenantCreate(
                    name="Demo Store", slug=DEMO_SLUG, domain=DEMO_DOMAIN, default_locale="en"
                )
            )
        ).id
        for locale, name in DEMO_LOCALES:
            await container.tenants.upsert_locale(
                tenant_id,
                locale,
                TenantLocaleUpsert(
                    name=name,
                    is_default=locale == "en",
                    fallback_locale=None if locale == "en" else "en",
                ),
            )
        created = True
    else:
        tenant_id = existing_id
    try:
        await container.auth.create_user(
            tenant_id=tenant_id,
            email=settings.demo_admin_email,
            password=settings.demo_admin_password,
            name="Demo Admin",
            roles=("admin",),
        )
        created = True
    except EmailTaken:
        pass  # the admin exists already: seeding twice changes nothing
    # Also on a database migrated from before operators existed (no `super_admin` any more).
    await container.auth.set_platform_operator(
        tenant_id=tenant_id, email=settings.demo_admin_email, operator=True
    )
    for module in container.registry:
        if module.demo_seed is not None:
            seed_module = load_reference(module.demo_seed)
            await seed_module(container, tenant_id)
    return SeedResult(DEMO_SLUG, settings.demo_admin_email, settings.demo_admin_password, created)
