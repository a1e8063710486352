"""Invariants 2-4 on the embedded stack: once per consumer, retries, DLQ, versions, order."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from sqlalchemy import func, insert, select

from rustok.core.clock import utcnow
from rustok.events.models import DeadLetter, HandledEvent, SysEvent
from rustok.events.outbox import outbox_values, row_envelope
from rustok.observability.metrics import REGISTRY
from rustok.testing.events import drain, outbox_rows
from rustok.testing.services import nats_url, wait_until_async
from tests.events.probe import emit_things, new_thing

if TYPE_CHECKING:
    from rustok.bootstrap import Container
    from rustok.core.settings import Settings
    from rustok.events.envelope import EventEnvelope
    from tests.events.probe import Probe


async def _dead_letters(container: Container) -> list[DeadLetter]:
    async with container.platform_sessions() as session:
        return list((await session.scalars(select(DeadLetter))).all())


async def _ledger_count(container: Container) -> int:
    async with container.platform_sessions() as session:
        query = select(func.count()).select_from(HandledEvent)
        return await session.scalar(query.where(HandledEvent.consumer == "probe.recorder")) or 0


async def test_every_committed_event_is_handled_once(spine: Container, probe: Probe) -> None:
    thing = new_thing()

    await emit_things(spine, [(thing, n) for n in range(1, 21)])
    await drain(spine)

    assert probe.effects(thing) == list(range(1, 21))
    assert await _ledger_count(spine) == 20
    assert all(row.published_at is not None for row in await outbox_rows(spine))


async def test_a_redelivered_event_is_a_no_op(spine: Container, probe: Probe) -> None:
    thing = new_thing()
    await emit_things(spine, [(thing, 1)])
    await drain(spine)
    row = next(r for r in await outbox_rows(spine) if r.payload.get("thing") == thing)

    # The relay crashed after publishing, before marking, and its lease ran out.
    async with spine.platform_sessions() as session, session.begin():
        stored = await session.get(type(row), row.seq)
        assert stored is not None
        stored.published_at = None
        stored.next_attempt_at = utcnow()
    await drain(spine)

    assert probe.effects(thing) == [1]
    assert probe.attempts[f"{thing}:1"] == 1  # the ledger stopped it before the handler ran


def _handled(outcome: str) -> float:
    labels = {"consumer": "probe.recorder", "outcome": outcome}
    return REGISTRY.get_sample_value("rustok_events_handled_total", labels) or 0.0


def _settled_by_recorder() -> float:
    """Deliveries the probe consumer finished, whatever the outcome (not counting retries)."""
    return sum(_handled(outcome) for outcome in ("ok", "duplicate", "dead_lettered"))


async def _redeliver(spine: Container, envelope: EventEnvelope) -> None:
    """Hand the consumer a second copy of an event it has handled, past the transport's own
    de-duplication, as a broker does after a lost ack or a re-send past JetStream's window."""
    if not spine.transport.durable:
        await spine.transport.publish([envelope])  # memory keeps no ids once settled
        return
    import nats

    connection = await nats.connect(nats_url())
    try:
        await connection.jetstream().publish(
            f"{spine.settings.nats_subject_prefix}.{envelope.event_type}",
            envelope.to_bytes(),
            stream=spine.settings.nats_stream,
            headers={"Nats-Msg-Id": f"{envelope.id}:again"},
        )
    finally:
        await connection.close()


async def test_a_copy_that_gets_past_the_transport_is_stopped_by_the_ledger(
    spine: Container, probe: Probe
) -> None:
    thing = new_thing()
    await emit_things(spine, [(thing, 1)])
    await drain(spine)
    row = next(r for r in await outbox_rows(spine) if r.payload.get("thing") == thing)
    settled_before = _settled_by_recorder()
    duplicates_before = _handled("duplicate")

    await _redeliver(spine, row_envelope(row))
    await wait_until_async(
        lambda: _settled_by_recorder() > settled_before,
        timeout=10,
        message="the copy never reached the dispatcher",
    )

    assert _handled("duplicate") - duplicates_before == 1
    assert probe.attempts[f"{thing}:1"] == 1  # the ledger stopped it before the handler ran
    assert probe.effects(thing) == [1]
    assert await _ledger_count(spine) == 1
    assert await _dead_letters(spine) == []


async def test_events_of_one_aggregate_are_handled_in_order(spine: Container, probe: Probe) -> None:
    first, second = new_thing(), new_thing()
    probe.delay_for = {1: 0.05, 2: 0.02}  # early events are slow: a race would reorder them

    await emit_things(spine, [(first, n) for n in range(1, 6)] + [(second, n) for n in range(1, 6)])
    await drain(spine)

    assert probe.effects(first) == [1, 2, 3, 4, 5]
    assert probe.effects(second) == [1, 2, 3, 4, 5]


async def _insert_raw(spine: Container, *, version: int, payload: dict[str, object]) -> None:
    from rustok.core.clock import utcnow
    from rustok.core.ids import new_id
    from rustok.events.envelope import EventEnvelope

    envelope = EventEnvelope(
        id=new_id(),
        event_type="probe.thing.happened",
        schema_version=version,
        tenant_id=None,
        aggregate_type="thing",
        aggregate_id=str(payload["thing"]),
        aggregate_version=None,
        occurred_at=utcnow(),
        payload=payload,
    )
    async with spine.platform_sessions() as session, session.begin():
        await session.execute(insert(SysEvent), [outbox_values(envelope, next_attempt_at=utcnow())])
    spine.outbox.wake()


async def test_an_old_version_is_upcast_on_read(spine: Container, probe: Probe) -> None:
    thing = new_thing()

    await _insert_raw(spine, version=1, payload={"thing": thing, "n": 7})
    await drain(spine)

    assert [(e.n, e.label) for e in probe.handled] == [(7, "unlabelled")]


async def test_a_slow_consumer_holds_events_in_the_outbox_without_dropping_any(
    spine_settings: Settings, probe: Probe
) -> None:
    import asyncio

    from rustok.bootstrap import default_modules
    from rustok.testing.app import running_container
    from tests.events.probe import PROBE_MODULE

    settings = spine_settings.model_copy(update={"memory_queue_size": 2, "dispatcher_lanes": 1})
    probe.release = asyncio.Event()
    thing = new_thing()
    async with running_container(settings, modules=[*default_modules(), PROBE_MODULE]) as spine:
        await emit_things(spine, [(thing, n) for n in range(1, 41)])
        await wait_until_async(lambda: probe.attempts[f"{thing}:1"] == 1, timeout=5)

        async def pending() -> int:
            return len([r for r in await outbox_rows(spine) if r.published_at is None])

        async def nothing_pending() -> bool:
            return await pending() == 0

        if spine.transport.durable:
            # JetStream keeps what it accepted, so the outbox hands everything over while the
            # consumer is still stuck on the first event.
            await wait_until_async(
                nothing_pending, timeout=10, message="JetStream did not take the backlog"
            )
        else:
            # In memory nothing counts as published before its consumer finished.
            assert await pending() == 40
        assert probe.attempts[f"{thing}:2"] == 0

        probe.release.set()
        await drain(spine)

    assert probe.effects(thing) == list(range(1, 41))


async def _ledger_transactions(spine: Container, consumer: str) -> int:
    """Distinct commit stamps among a consumer's ledger rows: one per unit of work."""
    async with spine.platform_sessions() as session:
        query = select(func.count(func.distinct(HandledEvent.handled_at))).where(
            HandledEvent.consumer == consumer
        )
        return int(await session.scalar(query) or 0)


async def test_a_busy_lane_handles_what_queued_up_in_one_unit_of_work(
    spine: Container, probe: Probe
) -> None:
    probe.release = asyncio.Event()
    thing = new_thing()  # one aggregate: one lane
    await emit_things(spine, [(thing, n) for n in range(1, 21)])
    # The lane holds the first event (alone, or with what had arrived by then); the rest
    # queue up behind it. (On SQLite the held handler owns the write lock: nothing more could
    # be emitted now, so all twenty go in at once.)
    await wait_until_async(lambda: probe.attempts[f"{thing}:1"] == 1, timeout=5)
    dispatcher = spine.events.dispatcher
    await wait_until_async(lambda: dispatcher.queued + dispatcher.in_flight == 20, timeout=5)

    probe.release.set()
    await drain(spine)

    assert probe.effects(thing) == list(range(1, 21))
    assert await _ledger_transactions(spine, "probe.recorder") <= 2  # one by one: 20


async def test_a_failing_batch_falls_back_to_one_by_one_and_each_effect_happens_once(
    spine: Container, probe: Probe
) -> None:
    probe.release = asyncio.Event()
    probe.fail_times = 1  # every event fails its first try, the batch's first one included
    thing = new_thing()
    await emit_things(spine, [(thing, n) for n in range(1, 11)])
    await wait_until_async(lambda: probe.attempts[f"{thing}:1"] == 1, timeout=5)

    probe.release.set()
    await drain(spine)

    assert probe.effects(thing) == list(range(1, 11))
    # Two tries each: the failed one (alone or in the rolled-back batch), then the good one.
    assert {probe.attempts[f"{thing}:{n}"] for n in range(1, 11)} == {2}
    async with spine.platform_sessions() as session:
        dead = await session.scalar(select(func.count()).select_from(DeadLetter))
    assert dead == 0
