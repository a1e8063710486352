"""Faults around processes and the broker: a relay killed mid-batch, NATS stopped mid-stream.

Both end with every event handled exactly once: nothing lost, nothing done twice.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import func, insert, select

from rustok.bootstrap import default_modules
from rustok.core.clock import utcnow
from rustok.core.ids import new_id
from rustok.core.settings import EventTransportKind
from rustok.events.models import SysEvent
from rustok.testing.app import running_container
from rustok.testing.events import drain
from rustok.testing.services import wait_until_async
from tests.events.nats_server import NatsServerProcess, nats_server_binary
from tests.events.probe import PROBE_MODULE, emit_things, new_thing

if TYPE_CHECKING:
    from pathlib import Path

    from rustok.bootstrap import Container
    from rustok.core.settings import Settings
    from tests.events.probe import Probe


async def _published(container: Container) -> int:
    async with container.platform_sessions() as session:
        query = select(func.count()).select_from(SysEvent).where(SysEvent.published_at.is_not(None))
        return await session.scalar(query) or 0


async def _insert_pending(container: Container, thing: str, count: int) -> None:
    now = utcnow()
    rows = [
        {
            "id": new_id(),
            "tenant_id": None,
            "event_type": "probe.thing.happened",
            "schema_version": 2,
            "aggregate_type": "thing",
            "aggregate_id": thing,
            "aggregate_version": None,
            "payload": {"thing": thing, "n": n, "label": "bulk"},
            "headers": {},
            "occurred_at": now,
            "published_at": None,
            "attempts": 0,
            "next_attempt_at": now,
        }
        for n in range(1, count + 1)
    ]
    async with container.platform_sessions() as session, session.begin():
        await session.execute(insert(SysEvent), rows)


def _worker_env(settings: Settings) -> dict[str, str]:
    return {
        **os.environ,
        "RUSTOK_ENV": "test",
        "RUSTOK_DATABASE_URL": settings.database_url,
        "RUSTOK_EVENT_TRANSPORT": "nats",
        "RUSTOK_NATS_URL": settings.nats_url,
        "RUSTOK_NATS_STREAM": settings.nats_stream,
        "RUSTOK_NATS_SUBJECT_PREFIX": settings.nats_subject_prefix,
        "RUSTOK_RELAY_BATCH_SIZE": "10",  # small batches: slow enough to die mid-way
        "RUSTOK_RELAY_LEASE_SECONDS": "1",
        "RUSTOK_LOG_FORMAT": "json",
    }


@pytest.mark.backends("postgres")  # runs with NATS: separate processes need a broker
async def test_a_relay_process_killed_mid_batch_loses_nothing_and_does_nothing_twice(
    quiet: Container, spine_settings: Settings, probe: Probe
) -> None:
    thing, total = new_thing(), 1500
    await _insert_pending(quiet, thing, total)

    relay = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "rustok.cli.main",
        "worker",
        "relay",
        env=_worker_env(spine_settings),
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    try:
        await wait_until_async(lambda: _more_than(quiet, 100), timeout=30, interval=0.005)
        relay.send_signal(signal.SIGKILL)
        await relay.wait()
    finally:
        if relay.returncode is None:
            relay.kill()
            await relay.wait()
    killed_at = await _published(quiet)

    settings = spine_settings.model_copy(update={"relay_lease_seconds": 1.0})
    async with running_container(settings, modules=[*default_modules(), PROBE_MODULE]) as spine:
        await drain(spine, timeout=60)

    assert 0 < killed_at < total  # it really died mid-way
    assert sorted(probe.effects(thing)) == list(range(1, total + 1))  # each effect exactly once
    assert probe.effects(thing) == list(range(1, total + 1))  # and in order


async def _more_than(container: Container, count: int) -> bool:
    return await _published(container) > count


@pytest.mark.backends("postgres")  # the PostgreSQL stack is the one that runs on NATS
async def test_nats_stopped_mid_stream_loses_nothing(
    spine_settings: Settings, probe: Probe, tmp_path: Path
) -> None:
    server = NatsServerProcess(nats_server_binary(), tmp_path)
    await server.start()
    settings = spine_settings.model_copy(
        update={
            "event_transport": EventTransportKind.NATS,
            "nats_url": server.url,
            "relay_lease_seconds": 1.0,
        }
    )
    thing = new_thing()
    try:
        async with running_container(settings, modules=[*default_modules(), PROBE_MODULE]) as spine:
            await emit_things(spine, [(thing, n) for n in range(1, 26)])
            await wait_until_async(lambda: len(probe.effects(thing)) == 25, timeout=15)

            await server.stop()
            await emit_things(spine, [(thing, n) for n in range(26, 51)])  # writes still commit
            await wait_until_async(lambda: _transport_down(spine), timeout=10)
            report = await spine.health_checks.run()

            await server.start()
            await drain(spine, timeout=60)
    finally:
        await server.stop()

    checks = {check.name: check.status.value for check in report.checks}
    assert checks["event_transport"] == "failing"
    assert report.ready  # a broker outage degrades the API but does not take it down
    assert probe.effects(thing) == list(range(1, 51))
    assert all(count == 1 for count in probe.attempts.values())


async def _transport_down(container: Container) -> bool:
    try:
        await container.transport.ping()
    except Exception:
        return True
    return False
