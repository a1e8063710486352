"""Queries of the tenancy module. Locale and module rows are always filtered by tenant."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import delete, func, select

from rustok.tenancy.models import Tenant, TenantLocale, TenantModule

if TYPE_CHECKING:
    import uuid
    from collections.abc import Sequence

    from sqlalchemy.ext.asyncio import AsyncSession


class TenantRepository:
    """Tenants are the root of tenancy: only platform-level use cases list or load any tenant."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, tenant_id: uuid.UUID) -> Tenant | None:
        return await self.session.get(Tenant, tenant_id)

    async def get_by_slug(self, slug: str) -> Tenant | None:
        return await self.session.scalar(select(Tenant).where(Tenant.slug == slug))

    async def get_by_domain(self, domain: str) -> Tenant | None:
        return await self.session.scalar(select(Tenant).where(Tenant.domain == domain))

    async def list(self, *, offset: int, limit: int) -> tuple[Sequence[Tenant], int]:
        total = await self.session.scalar(select(func.count()).select_from(Tenant)) or 0
        rows = await self.session.scalars(
            select(Tenant).order_by(Tenant.created_at, Tenant.id).offset(offset).limit(limit)
        )
        return rows.all(), total

    async def add(self, tenant: Tenant) -> None:
        self.session.add(tenant)
        await self.session.flush()


class TenantScopedRepository:
    """Locales and module switches of one tenant; every query starts from `tenant_id`."""

    def __init__(self, session: AsyncSession, tenant_id: uuid.UUID) -> None:
        self.session = session
        self.tenant_id = tenant_id

    async def locales(self) -> Sequence[TenantLocale]:
        rows = await self.session.scalars(
            select(TenantLocale)
            .where(TenantLocale.tenant_id == self.tenant_id)
            .order_by(TenantLocale.locale)
        )
        return rows.all()

    async def locale(self, locale: str) -> TenantLocale | None:
        return await self.session.scalar(
            select(TenantLocale).where(
                TenantLocale.tenant_id == self.tenant_id, TenantLocale.locale == locale
            )
        )

    async def add_locale(self, row: TenantLocale) -> None:
        self.session.add(row)
        await self.session.flush()

    async def delete_locale(self, locale: str) -> None:
        await self.session.execute(
            delete(TenantLocale).where(
                TenantLocale.tenant_id == self.tenant_id, TenantLocale.locale == locale
            )
        )

    async def module_rows(self) -> Sequence[TenantModule]:
        rows = await self.session.scalars(
            select(TenantModule).where(TenantModule.tenant_id == self.tenant_id)
        )
        return rows.all()

    async def module_row(self, slug: str) -> TenantModule | None:
        return await self.session.scalar(
            select(TenantModule).where(
                TenantModule.tenant_id == self.tenant_id, TenantModule.module_slug == slug
            )
        )

    async def add_module_row(self, row: TenantModule) -> None:
        self.session.add(row)
        await self.session.flush()
