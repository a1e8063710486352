"""Tenant walls kept by the platform: queries that forget the tenant still see one tenant only.

A unit of work is bound to a tenant. Its ORM statements get the tenant criterion on their own
(both databases); on PostgreSQL row-level security holds every statement, raw SQL included, to
the tenant the transaction declared, and the application works as a role that owns no table.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from sqlalchemy import select, text, update
from sqlalchemy.exc import DBAPIError

from rustok.auth.models import User
from rustok.bootstrap import import_all_models
from rustok.core.db import Base, TenantOwned, TenantWallBreach, bind_platform, bind_tenant
from rustok.core.walls import APP_ROLE, POLICY
from rustok.testing.factories import make_user

if TYPE_CHECKING:
    from rustok.bootstrap import Container
    from rustok.tenancy.schemas import TenantDetail


async def _two_tenants_with_users(
    container: Container, tenant: TenantDetail, other_tenant: TenantDetail
) -> None:
    await make_user(container, tenant, email="ann@acme.test")
    await make_user(container, other_tenant, email="bob@globex.test")


async def test_an_orm_query_without_a_tenant_filter_reads_its_own_tenant_only(
    container: Container, tenant: TenantDetail, other_tenant: TenantDetail
) -> None:
    await _two_tenants_with_users(container, tenant, other_tenant)

    async with container.uow(tenant.id) as uow:
        emails = list(await uow.session.scalars(select(User.email)))
        renamed = await uow.session.execute(update(User).values(name="Renamed"))
        await uow.commit()
    async with container.uow.platform() as uow:
        names = {row[0]: row[1] for row in await uow.session.execute(select(User.email, User.name))}

    assert emails == ["ann@acme.test"]
    assert renamed.rowcount == 1  # type: ignore[attr-defined]
    assert names == {"ann@acme.test": "Renamed", "bob@globex.test": ""}


async def test_a_unit_of_work_refuses_to_write_a_row_of_another_tenant(
    container: Container, tenant: TenantDetail, other_tenant: TenantDetail
) -> None:
    await _two_tenants_with_users(container, tenant, other_tenant)

    async def smuggle() -> None:
        async with container.uow(tenant.id) as uow:
            uow.session.add(
                User(
                    tenant_id=other_tenant.id,
                    email="mallory@globex.test",
                    password_hash="x",
                    metadata_={},
                )
            )
            await uow.session.flush()
            await uow.commit()

    with pytest.raises(TenantWallBreach):
        await smuggle()
    async with container.uow.platform() as uow:
        emails = set(await uow.session.scalars(select(User.email)))
    assert emails == {"ann@acme.test", "bob@globex.test"}


@pytest.mark.backends("postgres")
async def test_raw_sql_that_forgets_the_tenant_reads_zero_rows_of_another(
    container: Container, tenant: TenantDetail, other_tenant: TenantDetail
) -> None:
    await _two_tenants_with_users(container, tenant, other_tenant)

    async with container.uow(tenant.id) as uow:
        mine = list(await uow.session.scalars(text("SELECT email FROM users")))
        roles_elsewhere = await uow.session.scalar(
            text("SELECT count(*) FROM roles WHERE tenant_id = :other"), {"other": other_tenant.id}
        )
    async with container.session_factory() as unbound:
        nobody = await unbound.scalar(text("SELECT count(*) FROM users"))
    async with container.uow.platform() as uow:
        everyone = await uow.session.scalar(text("SELECT count(*) FROM users"))

    assert mine == ["ann@acme.test"]
    assert roles_elsewhere == 0
    assert nobody == 0
    assert everyone == 2


@pytest.mark.backends("postgres")
async def test_the_walls_hold_on_pooled_connections_after_rollbacks(
    container: Container, tenant: TenantDetail, other_tenant: TenantDetail
) -> None:
    # A role set by a statement on connect was taken back by the first ROLLBACK, and every
    # later use of the pooled connection passed the policies as the superuser that logged in.
    await _two_tenants_with_users(container, tenant, other_tenant)
    seen: list[tuple[str, list[str]]] = []
    for _ in range(3):
        async with container.uow(tenant.id) as uow:  # left without commit: a rollback
            user = await uow.session.scalar(text("SELECT current_user"))
            emails = list(await uow.session.scalars(text("SELECT email FROM users")))
            seen.append((str(user), emails))
            await uow.session.execute(text("RESET ROLE"))
    async with container.platform_sessions() as session:
        platform_user = await session.scalar(text("SELECT current_user"))

    assert seen == [(APP_ROLE, ["ann@acme.test"])] * 3
    assert platform_user == APP_ROLE  # the bypass is a setting, never the owner's role


@pytest.mark.backends("postgres")
async def test_raw_sql_cannot_write_into_another_tenant(
    container: Container, tenant: TenantDetail, other_tenant: TenantDetail
) -> None:
    await _two_tenants_with_users(container, tenant, other_tenant)

    async def rename_everyone() -> int:
        async with container.uow(tenant.id) as uow:
            result = await uow.session.execute(text("UPDATE users SET name = 'pwned'"))
            await uow.commit()
            return int(result.rowcount)  # type: ignore[attr-defined]

    async def insert_elsewhere() -> None:
        async with container.uow(tenant.id) as uow:
            await uow.session.execute(
                text(
                    "INSERT INTO tenant_locales (id, tenant_id, locale, name, is_default,"
                    " is_enabled, created_at, updated_at) VALUES (gen_random_uuid(), :other,"
                    " 'xx', 'x', false, true, now(), now())"
                ),
                {"other": other_tenant.id},
            )
            await uow.commit()

    assert await rename_everyone() == 1
    with pytest.raises(DBAPIError, match="row-level security"):
        await insert_elsewhere()
    async with container.uow.platform() as uow:
        names = {row[0]: row[1] for row in await uow.session.execute(select(User.email, User.name))}
    assert names == {"ann@acme.test": "pwned", "bob@globex.test": ""}


@pytest.mark.backends("postgres")
async def test_every_tenant_owned_table_has_a_policy_and_the_app_owns_no_table(
    container: Container,
) -> None:
    import_all_models()
    async with container.uow.platform() as uow:
        with_tenant = set(
            await uow.session.scalars(
                text(
                    "SELECT table_name FROM information_schema.columns"
                    " WHERE table_schema = 'public' AND column_name = 'tenant_id'"
                )
            )
        )
        walled = set(
            await uow.session.scalars(
                text("SELECT tablename FROM pg_policies WHERE policyname = :p"), {"p": POLICY}
            )
        )
        forced_off = set(
            await uow.session.scalars(
                text(
                    "SELECT relname FROM pg_class WHERE relkind = 'r'"
                    " AND relnamespace = 'public'::regnamespace AND NOT relrowsecurity"
                )
            )
        )
        acting_as = await uow.session.scalar(text("SELECT current_user"))
        owned = await uow.session.scalar(
            text("SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tableowner = :r"),
            {"r": APP_ROLE},
        )

    assert with_tenant, "no tenant-owned table found"
    # The outbox is the platform's alone and its relay's hot path (ADR 0006): the one exception.
    assert with_tenant - walled == {"sys_events"}, "tables with tenant_id but no policy"
    assert (with_tenant - {"sys_events"}) & forced_off == set()
    assert acting_as == APP_ROLE
    assert owned == 0
    owned_models = {
        mapper.local_table.name  # type: ignore[union-attr]
        for mapper in Base.registry.mappers
        if issubclass(mapper.class_, TenantOwned)
    }
    assert owned_models <= walled


async def test_a_platform_session_cannot_be_bound_to_a_tenant(
    container: Container, tenant: TenantDetail
) -> None:
    # Its pool's connections pass the walls for their whole life; binding would not undo that.
    async with container.platform_sessions() as session:
        with pytest.raises(TenantWallBreach, match="bound already"):
            bind_tenant(session, tenant.id)


async def test_a_session_is_bound_once_and_before_its_transaction(
    container: Container, tenant: TenantDetail, other_tenant: TenantDetail
) -> None:
    async with container.session_factory() as session:
        bind_tenant(session, tenant.id)
        with pytest.raises(TenantWallBreach, match="bound already"):
            bind_tenant(session, other_tenant.id)
        with pytest.raises(TenantWallBreach, match="bound already"):
            bind_platform(session)
    async with container.session_factory() as session:
        await session.execute(select(1))  # the transaction has begun, unwalled
        with pytest.raises(TenantWallBreach, match="before its transaction"):
            bind_tenant(session, tenant.id)
