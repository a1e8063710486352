"""Running the spine: health, metrics, graceful shutdown, cache invalidation across replicas."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

import pytest

from rustok.bootstrap import default_modules
from rustok.stores.redis import RedisStores
from rustok.tenancy.identifiers import TenantKey
from rustok.tenancy.schemas import TenantUpdate
from rustok.testing.app import client_for, running_container
from rustok.testing.events import drain
from rustok.testing.factories import make_tenant
from rustok.testing.services import need, redis_url, wait_until_async
from tests.events.probe import PROBE_MODULE, emit_things, new_thing

if TYPE_CHECKING:
    from rustok.bootstrap import Container
    from rustok.core.settings import Settings
    from tests.events.probe import Probe


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


async def test_shutdown_finishes_the_delivery_in_hand(
    spine_settings: Settings, probe: Probe
) -> None:
    probe.release = asyncio.Event()
    thing = new_thing()
    container_cm = running_container(spine_settings, modules=[*default_modules(), PROBE_MODULE])
    spine = await container_cm.__aenter__()
    try:
        await emit_things(spine, [(thing, 1)])
        await wait_until_async(lambda: probe.attempts[f"{thing}:1"] == 1, timeout=10)
        closing = asyncio.ensure_future(container_cm.__aexit__(None, None, None))
        await asyncio.sleep(0)  # let shutdown begin while the handler is mid-way
        probe.release.set()
        await asyncio.wait_for(closing, timeout=15)
    finally:
        probe.release.set()

    assert probe.effects(thing) == [1]


async def test_a_tenant_change_reaches_every_replica_through_redis(settings: Settings) -> None:
    need("Redis", redis_url(), 6379)
    shared = settings.model_copy(update={"redis_url": redis_url()})
    namespace = new_thing()
    async with (
        running_container(shared, stores=RedisStores(redis_url(), namespace=namespace)) as first,
        running_container(shared, stores=RedisStores(redis_url(), namespace=namespace)) as second,
    ):
        tenant = await make_tenant(first, slug="acme")
        before = await second.tenant_resolver.resolve(TenantKey("slug", "acme"))

        await first.tenants.update_tenant(tenant.id, TenantUpdate(name="Acme Renamed"))

        async def renamed_on_second() -> bool:
            seen = await second.tenant_resolver.resolve(TenantKey("slug", "acme"))
            return seen.name == "Acme Renamed"

        await wait_until_async(renamed_on_second, timeout=5)
    assert before.name == "Acme"


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
