"""Containers with the probe consumer, fast retries, on every database backend."""

from __future__ import annotations

import contextlib
import uuid
from typing import TYPE_CHECKING

import pytest

from rustok.bootstrap import default_modules
from rustok.core.settings import EventTransportKind
from rustok.testing.app import running_container
from rustok.testing.services import nats_url, need
from tests.events.probe import PROBE_MODULE, Probe, fresh_probe

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from rustok.bootstrap import Container
    from rustok.core.settings import Settings


@pytest.fixture
def probe() -> Probe:
    return fresh_probe()


@pytest.fixture
def transport_kind(backend: str) -> str:
    """The two stacks the spine must hold on: SQLite + memory, PostgreSQL + NATS JetStream."""
    return "nats" if backend == "postgres" else "memory"


@pytest.fixture
async def spine_settings(settings: Settings, transport_kind: str) -> AsyncIterator[Settings]:
    update: dict[str, object] = {
        "handler_retry_base_seconds": 0.01,
        "handler_retry_cap_seconds": 0.05,
        "relay_poll_interval_seconds": 0.05,
        "dispatcher_lanes": 4,
    }
    if transport_kind == "nats":
        need("NATS", nats_url(), 4222)
        suffix = uuid.uuid4().hex[:10]
        update |= {
            "event_transport": EventTransportKind.NATS,
            "nats_url": nats_url(),
            "nats_stream": f"RUSTOK_TEST_{suffix}",
            "nats_subject_prefix": f"test{suffix}.events",
        }
    configured = settings.model_copy(update=update)
    yield configured
    if transport_kind == "nats":
        await delete_stream(configured.nats_stream)


async def delete_stream(stream: str) -> None:
    import nats
    from nats.js.errors import NotFoundError

    connection = await nats.connect(nats_url())
    try:
        with contextlib.suppress(NotFoundError):
            await connection.jetstream().delete_stream(stream)
    finally:
        await connection.close()


@pytest.fixture
async def spine(spine_settings: Settings, probe: Probe) -> AsyncIterator[Container]:
    async with running_container(
        spine_settings, modules=[*default_modules(), PROBE_MODULE]
    ) as container:
        yield container


@pytest.fixture
async def quiet(spine_settings: Settings, probe: Probe) -> AsyncIterator[Container]:
    """A container running no relay or consumers: tests drive the relay by hand."""
    settings = spine_settings.model_copy(update={"embedded_workers": False})
    async with running_container(settings, modules=[*default_modules(), PROBE_MODULE]) as container:
        yield container
