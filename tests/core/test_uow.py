"""The unit of work: one transaction per use case; nested use is an error; hooks after commit."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import func, select, text

from rustok.core.ids import new_id
from rustok.core.uow import (
    EventsWithoutOutbox,
    NestedUnitOfWork,
    ReadOnlyUnitOfWork,
    UnitOfWork,
)
from rustok.tenancy.models import Tenant

if TYPE_CHECKING:
    from rustok.bootstrap import Container
    from rustok.tenancy.schemas import TenantDetail


async def _tenants(container: Container) -> int:
    async with container.platform_sessions() as session:
        return await session.scalar(select(func.count()).select_from(Tenant)) or 0


async def test_leaving_without_commit_rolls_back(container: Container) -> None:
    async with container.uow.platform() as uow:
        uow.session.add(Tenant(name="A", slug="a"))
        await uow.session.flush()

    assert await _tenants(container) == 0


async def test_commit_keeps_the_write_and_runs_the_hooks_after(container: Container) -> None:
    seen: list[int] = []

    async def hook() -> None:
        seen.append(await _tenants(container))

    async with container.uow.platform() as uow:
        uow.session.add(Tenant(name="A", slug="a"))
        uow.on_commit(hook)
        await uow.commit()

    assert seen == [1]  # the hook saw the committed row


async def test_hooks_do_not_run_on_rollback(container: Container) -> None:
    seen: list[str] = []

    async def hook() -> None:
        seen.append("ran")

    async def failing_use_case() -> None:
        async with container.uow.platform() as uow:
            uow.on_commit(hook)
            raise RuntimeError("use case failed")

    with pytest.raises(RuntimeError):
        await failing_use_case()

    assert seen == []


async def test_a_unit_of_work_cannot_be_nested(container: Container) -> None:
    uow = container.uow.platform()

    async with uow:
        with pytest.raises(NestedUnitOfWork):
            await uow.__aenter__()


async def test_events_need_an_outbox(container: Container) -> None:
    bare = UnitOfWork(container.session_factory, tenant_id=None)

    async def emit_and_commit() -> None:
        async with bare:
            bare.emit(object(), tenant_id=None)
            await bare.commit()

    with pytest.raises(EventsWithoutOutbox):
        await emit_and_commit()


def test_ids_are_time_ordered_uuid7() -> None:
    ids = [new_id() for _ in range(1000)]

    assert all(value.version == 7 for value in ids)
    assert [value.int >> 80 for value in ids] == sorted(value.int >> 80 for value in ids)
    assert len(set(ids)) == 1000


async def test_a_read_does_not_queue_behind_a_writer(
    container: Container, tenant: TenantDetail
) -> None:
    async with container.uow(tenant.id) as writer:
        # The writer holds the write turn (SQLite: this process's gate and the file's lock).
        await writer.session.execute(text("UPDATE tenant_locales SET name = name"))

        roles = await asyncio.wait_for(container.roles.list_roles(tenant.id), timeout=10)
        modules = await asyncio.wait_for(container.modules.list_modules(tenant.id), timeout=10)

    assert {role.slug for role in roles} == {"admin", "manager", "customer"}
    assert modules


async def test_a_read_only_unit_of_work_neither_emits_nor_commits(
    container: Container, tenant: TenantDetail
) -> None:
    async with container.uow(tenant.id, read_only=True) as uow:
        with pytest.raises(ReadOnlyUnitOfWork):
            uow.emit(object(), tenant_id=tenant.id)
        with pytest.raises(ReadOnlyUnitOfWork):
            await uow.commit()
