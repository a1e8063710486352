"""Running the spine: health, metrics, graceful shutdown, cache invalidation across replicas."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

import pytest

from rustok.core.permissions import Action, Permission, Scope
from rustok.rbac.permissions import ROLES
from rustok.rbac.schemas import PermissionGrant, RoleCreate, RoleUpdate
from rustok.stores.redis import RedisStores
from rustok.tenancy.identifiers import TenantKey
from rustok.tenancy.schemas import TenantUpdate
from rustok.testing.app import client_for, running_container
from rustok.testing.events import drain, outbox_rows
from rustok.testing.factories import make_tenant
from rustok.testing.services import need, redis_url, wait_until_async
from tests.events.probe import emit_things, new_thing

if TYPE_CHECKING:
    from rustok.bootstrap import Container
    from rustok.core.settings import Settings
    from tests.events.probe import Probe

ROLES_LIST = Permission(ROLES, Action.LIST)


async def test_readiness_reports_the_transport_and_the_outbox_lag(spine: Container) -> None:
    async with client_for(spine) as http:
        response = await http.get("/api/health/ready")

    checks = response.json()["checks"]
    assert response.status_code == 200
    assert checks["event_transport"]["status"] == "ok"
    assert checks["outbox_lag"]["status"] == "ok"


async def test_a_growing_backlog_degrades_readiness_without_failing_it(
    quiet: Container,
) -> None:
    await emit_things(quiet, [(new_thing(), 1)])  # no relay runs in `quiet`: it stays pending
    lagging = quiet.settings.model_copy(update={"outbox_lag_degraded_seconds": 0.001})
    quiet.settings = lagging
    from rustok.bootstrap import build_health_checks

    checks = build_health_checks(lagging, quiet.engine, quiet.stores, quiet.events)

    async def degraded() -> bool:
        report = await checks.run()
        return report.status.value == "degraded"

    await wait_until_async(degraded, timeout=5)
    report = await checks.run()
    assert report.ready
    assert {c.name: c.status.value for c in report.checks}["outbox_lag"] == "failing"


async def test_metrics_show_the_outbox_and_the_consumers(spine: Container, probe: Probe) -> None:
    await emit_things(spine, [(new_thing(), 1)])
    await drain(spine)

    async with client_for(spine) as http:
        text = (await http.get("/metrics")).text

    assert "rustok_outbox_pending " in text
    assert "rustok_outbox_lag_seconds " in text
    assert "rustok_outbox_published_total " in text
    assert 'rustok_events_dlq_depth{consumer="probe.recorder"} 0.0' in text
    assert 'rustok_events_consumer_backlog{consumer="probe.recorder"} 0.0' in text
    assert 'rustok_db_pool_connections{state="in_use"}' in text
    assert 'rustok_events_handled_total{consumer="probe.recorder",outcome="ok"}' in text
    assert 'rustok_events_handler_duration_seconds_count{consumer="probe.recorder"}' in text


async def test_shutdown_finishes_the_delivery_in_hand(spine: Container, probe: Probe) -> None:
    probe.release = asyncio.Event()
    thing = new_thing()
    await emit_things(spine, [(thing, 1)])
    await wait_until_async(lambda: probe.attempts[f"{thing}:1"] == 1, timeout=10)

    # The dispatcher itself, not the whole container: on SQLite the relay's stop() waits for
    # the write lock the held handler owns, so the container's shutdown would only reach the
    # dispatcher once the handler was done.
    stopping = asyncio.ensure_future(spine.events.dispatcher.stop())
    try:
        # The handler is held until stop() has let go of the idle lanes (their heartbeat is
        # cancelled with them): stop() must now wait for the lane that is mid-delivery.
        await wait_until_async(
            lambda: not _live_tasks("heartbeat:probe.recorder"),
            timeout=5,
            message="stop() did not let go of the idle lanes",
        )
        probe.release.set()
        await asyncio.wait_for(stopping, timeout=15)
    finally:
        probe.release.set()

    assert probe.effects(thing) == [1]
    assert probe.attempts[f"{thing}:1"] == 1


def _live_tasks(name: str) -> list[asyncio.Task[object]]:
    return [task for task in asyncio.all_tasks() if task.get_name() == name and not task.done()]


async def test_tenant_and_role_changes_reach_every_replica_through_redis_alone(
    settings: Settings,
) -> None:
    need("Redis", redis_url(), 6379)
    # No relay runs in either replica, so no event can carry the change: only Redis can.
    shared = settings.model_copy(update={"redis_url": redis_url(), "embedded_workers": False})
    namespace = new_thing()
    async with (
        running_container(shared, stores=RedisStores(redis_url(), namespace=namespace)) as first,
        running_container(shared, stores=RedisStores(redis_url(), namespace=namespace)) as second,
    ):
        tenant = await make_tenant(first, slug="acme")
        role = await first.roles.create_role(
            tenant.id,
            RoleCreate(
                slug="auditor",
                name="Auditor",
                permissions=[PermissionGrant(permission="roles:list")],
            ),
            caller_id=None,
        )
        before = await second.tenant_resolver.resolve(TenantKey("slug", "acme"))
        granted = await second.permissions.scope_for(tenant.id, ["auditor"], ROLES_LIST)

        await first.tenants.update_tenant(tenant.id, TenantUpdate(name="Acme Renamed"))
        await first.roles.update_role(
            tenant.id, role.id, RoleUpdate(permissions=[]), caller_id=None
        )

        async def renamed_on_second() -> bool:
            seen = await second.tenant_resolver.resolve(TenantKey("slug", "acme"))
            return seen.name == "Acme Renamed"

        async def revoked_on_second() -> bool:
            scope = await second.permissions.scope_for(tenant.id, ["auditor"], ROLES_LIST)
            return scope is Scope.NONE

        await wait_until_async(renamed_on_second, timeout=5)
        await wait_until_async(revoked_on_second, timeout=5)
        # Nothing was published: the events of both changes still wait for a relay.
        assert {row.published_at for row in await outbox_rows(first)} == {None}
    assert before.name == "Acme"
    assert granted is Scope.ALL


@pytest.mark.backends("postgres")  # the PostgreSQL stack is the one that runs on NATS
async def test_a_tenant_change_reaches_an_api_only_replica_through_the_event_stream(
    spine_settings: Settings,
) -> None:
    api_only = spine_settings.model_copy(update={"embedded_workers": False})
    async with (
        running_container(spine_settings) as worker,
        running_container(api_only) as replica,
    ):
        tenant = await make_tenant(worker, slug="acme")
        before = await replica.tenant_resolver.resolve(TenantKey("slug", "acme"))

        await worker.tenants.update_tenant(tenant.id, TenantUpdate(name="Acme Renamed"))

        async def renamed_on_replica() -> bool:
            seen = await replica.tenant_resolver.resolve(TenantKey("slug", "acme"))
            return seen.name == "Acme Renamed"

        await wait_until_async(renamed_on_replica, timeout=10)
    assert before.name == "Acme"
