"""Invariant 1: a write and its events are atomic; a committed event survives a crash."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import func, select, text

from rustok.core.context import RequestContext, set_context
from rustok.tenancy.errors import TenantSlugTaken
from rustok.tenancy.identifiers import TenantKey
from rustok.tenancy.models import Tenant
from rustok.tenancy.schemas import TenantCreate
from rustok.testing.app import running_container
from rustok.testing.events import outbox_rows, wait_for_event
from rustok.testing.factories import make_tenant
from rustok.testing.services import wait_until_async
from tests.events.probe import emit_things, new_thing

if TYPE_CHECKING:
    from rustok.bootstrap import Container
    from rustok.core.settings import Settings
    from tests.events.probe import Probe


async def _count(container: Container, model: type) -> int:
    async with container.platform_sessions() as session:
        return await session.scalar(select(func.count()).select_from(model)) or 0


async def test_transactional_event_publishing(container: Container) -> None:
    set_context(RequestContext(request_id="req-1", correlation_id="corr-1"))
    try:
        tenant = await make_tenant(container, slug="acme")
    finally:
        set_context(None)

    created = [
        row for row in await outbox_rows(container) if row.event_type == "tenancy.tenant.created"
    ]

    assert len(created) == 1
    row = created[0]
    assert row.schema_version == 1
    assert row.tenant_id == tenant.id
    assert row.aggregate_type == "tenant"
    assert row.aggregate_id == str(tenant.id)
    assert row.payload == {
        "tenant_id": str(tenant.id),
        "slug": "acme",
        "name": "Acme",
        "domain": None,
    }
    assert row.headers["correlation_id"] == "corr-1"
    assert row.headers["trace_id"] == "req-1"


async def test_a_rolled_back_write_leaves_neither_row_nor_event(container: Container) -> None:
    emitted: list[object] = []

    async def create_then_fail() -> None:
        async with container.uow.platform() as uow:
            await container.tenants.create_tenant_in(uow, TenantCreate(name="Acme", slug="acme"))
            emitted.extend(uow.pending_events)  # the event was emitted ...
            raise RuntimeError("boom")  # ... but the use case fails before commit

    with pytest.raises(RuntimeError, match="boom"):
        await create_then_fail()

    assert len(emitted) == 2  # rbac.role.changed and tenancy.tenant.created
    assert await _count(container, Tenant) == 0
    assert await outbox_rows(container) == []


async def test_a_refused_write_emits_no_event(container: Container) -> None:
    await make_tenant(container, slug="acme")
    events_before = len(await outbox_rows(container))

    with pytest.raises(TenantSlugTaken):
        await make_tenant(container, slug="acme")

    assert len(await outbox_rows(container)) == events_before


async def test_the_checklist_query_works(container: Container) -> None:
    await make_tenant(container, slug="acme")

    async with container.platform_sessions() as session:
        rows = (
            await session.execute(text("SELECT event_type, schema_version FROM sys_events LIMIT 5"))
        ).all()

    assert ("tenancy.tenant.created", 1) in [tuple(row) for row in rows]
    assert ("rbac.role.changed", 1) in [tuple(row) for row in rows]


async def test_events_carry_what_the_foundation_did(container: Container) -> None:
    tenant = await make_tenant(container, slug="acme")
    from rustok.tenancy.schemas import TenantUpdate

    await container.tenants.update_tenant(tenant.id, TenantUpdate(name="Acme Inc"))
    await container.tenants.set_active(tenant.id, active=False)

    await wait_for_event(container, "tenancy.tenant.updated", changes=["name"])
    await wait_for_event(container, "tenancy.tenant.deactivated", slug="acme")
    await wait_for_event(container, "rbac.role.changed", change="installed")


ROOT = str(Path(__file__).resolve().parents[2])

CRASHING_WRITER = textwrap.dedent(
    """
    import asyncio, sys
    from rustok.bootstrap import build_container
    from rustok.testing.app import settings_for_tests
    from tests.events.probe import emit_things

    async def main():
        settings = settings_for_tests(sys.argv[1], embedded_workers=False)
        container = build_container(settings)
        await emit_things(container, [(sys.argv[2], 1), (sys.argv[2], 2)])
        print("committed", flush=True)
        await asyncio.Event().wait()  # hang here until SIGKILL: the relay never ran

    asyncio.run(main())
    """
)


async def test_an_event_committed_before_a_crash_is_delivered_after_restart(
    spine_settings: Settings, probe: Probe
) -> None:
    from rustok.bootstrap import default_modules
    from tests.events.probe import PROBE_MODULE

    thing = new_thing()
    root = ROOT
    writer = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        CRASHING_WRITER,
        spine_settings.database_url,
        thing,
        stdout=asyncio.subprocess.PIPE,
        cwd=root,
        env={**os.environ, "PYTHONPATH": root},
    )
    try:
        assert writer.stdout is not None
        line = await asyncio.wait_for(writer.stdout.readline(), timeout=30)
        assert line.strip() == b"committed"
        writer.send_signal(signal.SIGKILL)
        assert await asyncio.wait_for(writer.wait(), timeout=10) == -signal.SIGKILL
    finally:
        if writer.returncode is None:
            writer.kill()
            await writer.wait()

    async with running_container(spine_settings, modules=[*default_modules(), PROBE_MODULE]):
        await wait_until_async(lambda: probe.effects(thing) == [1, 2], timeout=10)
    assert probe.attempts == {f"{thing}:1": 1, f"{thing}:2": 1}


async def test_emitting_without_an_open_unit_of_work_is_impossible(spine: Container) -> None:
    uow = spine.uow.platform()

    with pytest.raises(RuntimeError, match="not open"):
        await uow.commit()
    await emit_things(spine, [("x", 1)])  # the same factory works inside `async with`


async def test_auth_writes_emit_their_events(container: Container) -> None:
    from rustok.testing.factories import DEFAULT_PASSWORD

    tenant = await make_tenant(container, slug="acme")
    user = await container.auth.create_user(
        tenant_id=tenant.id, email="Jo@Example.com", password=DEFAULT_PASSWORD
    )
    tokens = await container.auth.login(
        tenant_id=tenant.id, email="jo@example.com", password=DEFAULT_PASSWORD
    )
    snapshot = await container.tenant_resolver.resolve(TenantKey("slug", "acme"))
    principal = await container.auth.authenticate(tokens.access_token, snapshot)
    await container.auth.change_password(
        principal, current_password=DEFAULT_PASSWORD, new_password="another-long-secret"
    )

    registered = await wait_for_event(container, "auth.user.registered", user_id=str(user.id))
    await wait_for_event(container, "auth.user.logged_in", user_id=str(user.id))
    await wait_for_event(container, "auth.user.updated", changes=["password"])
    assert registered.payload == {
        "user_id": str(user.id),
        "email": "jo@example.com",
        "roles": ["customer"],
    }
    assert registered.tenant_id == tenant.id
