"""Recovery in seconds: the relay's lease is renewed while it publishes (so it can be short),
a failed publish is retried as soon as the transport reconnects, and `published_at` /
`last_error` say what the transport did."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

import pytest

from rustok.bootstrap import default_modules
from rustok.core.clock import utcnow
from rustok.core.settings import EventTransportKind
from rustok.events.outbox import Outbox
from rustok.events.relay import OutboxRelay
from rustok.testing.app import running_container
from rustok.testing.events import RecordingTransport, drain, outbox_rows
from rustok.testing.services import wait_until_async
from tests.events.nats_server import NatsServerProcess, nats_server_binary
from tests.events.probe import PROBE_MODULE, emit_things, new_thing

if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path

    from rustok.bootstrap import Container
    from rustok.core.settings import Settings
    from rustok.events.envelope import EventEnvelope
    from tests.events.probe import Probe


class _HeldTransport(RecordingTransport):
    """Publishing waits until the test lets it through: a slow broker."""

    def __init__(self) -> None:
        super().__init__()
        self.release = asyncio.Event()

    async def publish(self, envelopes: Sequence[EventEnvelope]) -> None:
        await self.release.wait()
        await super().publish(envelopes)


def _relay(container: Container, transport: RecordingTransport, **options: Any) -> OutboxRelay:
    return OutboxRelay(container.session_factory, transport, Outbox(), **options)


async def test_a_live_relay_renews_its_lease_so_no_other_relay_takes_its_batch(
    quiet: Container,
) -> None:
    await emit_things(quiet, [(new_thing(), n) for n in range(1, 4)])
    slow = _HeldTransport()
    first = _relay(quiet, slow, lease_seconds=0.3)
    publishing = asyncio.create_task(first.relay_once())
    await wait_until_async(lambda: _all_leased(quiet), timeout=5)
    leased_until = max(row.next_attempt_at for row in await outbox_rows(quiet))

    # Past the first lease, the rows are still claimed: the publish is still under way.
    await wait_until_async(lambda: _leased_beyond(quiet, leased_until), timeout=5)
    second = RecordingTransport()
    taken = await _relay(quiet, second, lease_seconds=0.3).relay_once()
    slow.release.set()
    published = await publishing

    assert taken == 0
    assert second.published == []
    assert published == 3


async def _all_leased(container: Container) -> bool:
    rows = await outbox_rows(container)
    return bool(rows) and all(row.attempts == 1 for row in rows)


async def _leased_beyond(container: Container, moment: Any) -> bool:
    rows = await outbox_rows(container)
    return all(row.next_attempt_at > moment for row in rows) and utcnow() > moment


async def test_published_at_is_the_transport_ack_and_success_clears_the_last_error(
    quiet: Container,
) -> None:
    await emit_things(quiet, [(new_thing(), 1)])
    transport = RecordingTransport()
    transport.fail_after = 0
    relay = _relay(quiet, transport, retry_base_seconds=0.001, retry_cap_seconds=0.001)
    assert await relay.relay_once() == 0
    [failed] = await outbox_rows(quiet)
    await wait_until_async(lambda: utcnow() >= failed.next_attempt_at, timeout=5)

    before = utcnow()
    assert await relay.relay_once() == 1
    after = utcnow()
    await wait_until_async(lambda: utcnow() > after, timeout=5)
    await relay.flush()  # written down later than the ack
    [row] = await outbox_rows(quiet)

    assert failed.last_error is not None
    assert row.published_at is not None
    assert before <= row.published_at <= after
    assert row.last_error is None


@pytest.mark.backends("postgres")  # the PostgreSQL stack is the one that runs on NATS
async def test_the_relay_retries_as_soon_as_nats_is_back_not_after_its_backoff(
    spine_settings: Settings, probe: Probe, tmp_path: Path
) -> None:
    server = NatsServerProcess(nats_server_binary(), tmp_path)
    await server.start()
    settings = spine_settings.model_copy(
        update={
            "event_transport": EventTransportKind.NATS,
            "nats_url": server.url,
            # A backoff far longer than the deadline below: only the reconnect can end it.
            "relay_retry_base_seconds": 600.0,
            "relay_retry_cap_seconds": 600.0,
        }
    )
    thing = new_thing()
    try:
        async with running_container(settings, modules=[*default_modules(), PROBE_MODULE]) as spine:
            await emit_things(spine, [(thing, 1)])
            await wait_until_async(lambda: probe.effects(thing) == [1], timeout=15)
            await server.stop()
            await emit_things(spine, [(thing, 2)])
            await wait_until_async(lambda: _failed_once(spine), timeout=15)

            await server.start()
            await drain(spine, timeout=30)
    finally:
        await server.stop()

    assert probe.effects(thing) == [1, 2]


async def _failed_once(container: Container) -> bool:
    rows = await outbox_rows(container)
    return any(row.last_error is not None for row in rows)
