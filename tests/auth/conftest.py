"""Fixtures of the auth tests: direct database access to assert what was (not) written."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import func, select

from rustok.core.tenant import TenantSnapshot

if TYPE_CHECKING:
    from sqlalchemy.sql import ColumnElement

    from rustok.bootstrap import Container
    from rustok.tenancy.schemas import TenantDetail


class Db:
    """Reads and writes rows behind the service's back, each in its own short transaction."""

    def __init__(self, container: Container) -> None:
        self._session_factory = container.platform_sessions

    async def all(self, model: type[Any], *where: ColumnElement[bool]) -> list[Any]:
        async with self._session_factory() as session:
            rows = await session.scalars(select(model).where(*where))
            return list(rows.all())

    async def one(self, model: type[Any], *where: ColumnElement[bool]) -> Any:
        rows = await self.all(model, *where)
        assert len(rows) == 1, rows
        return rows[0]

    async def count(self, model: type[Any], *where: ColumnElement[bool]) -> int:
        async with self._session_factory() as session:
            total = await session.scalar(select(func.count()).select_from(model).where(*where))
            return int(total or 0)

    async def execute(self, statement: Any) -> None:
        async with self._session_factory() as session:
            await session.execute(statement)
            await session.commit()


@pytest.fixture
def db(container: Container) -> Db:
    return Db(container)


def snapshot_of(tenant: TenantDetail) -> TenantSnapshot:
    """What the tenant middleware would hand the service for this tenant."""
    return TenantSnapshot(
        id=tenant.id,
        slug=tenant.slug,
        name=tenant.name,
        domain=tenant.domain,
        is_active=tenant.is_active,
        default_locale=tenant.default_locale,
    )


@pytest.fixture
def tenant_snapshot(tenant: TenantDetail) -> TenantSnapshot:
    return snapshot_of(tenant)


@pytest.fixture
def other_snapshot(other_tenant: TenantDetail) -> TenantSnapshot:
    return snapshot_of(other_tenant)
