"""The outbox relay: order, backoff on failure, re-send after a crash, several relays at once."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import func, insert, select

from rustok.core.clock import utcnow
from rustok.core.db import create_engine, create_session_factory
from rustok.core.ids import new_id
from rustok.core.uow import UnitOfWorkFactory
from rustok.events.models import SysEvent
from rustok.events.notifications import CommitListener
from rustok.events.outbox import Outbox
from rustok.events.relay import OutboxRelay, backoff_seconds
from rustok.testing.events import RecordingTransport, outbox_rows
from rustok.testing.services import wait_until_async
from tests.events.probe import emit_into, emit_things, new_thing

if TYPE_CHECKING:
    from collections.abc import Sequence

    from rustok.bootstrap import Container
    from rustok.events.envelope import EventEnvelope


def _relay(container: Container, transport: RecordingTransport, **options: Any) -> OutboxRelay:
    return OutboxRelay(container.platform_sessions, transport, Outbox(), **options)


async def _insert_pending(container: Container, count: int, *, aggregates: int = 97) -> None:
    now = utcnow()
    rows = [
        {
            "id": new_id(),
            "tenant_id": None,
            "event_type": "probe.thing.happened",
            "schema_version": 2,
            "aggregate_type": "thing",
            "aggregate_id": f"t{n % aggregates}",
            "aggregate_version": None,
            "payload": {"thing": f"t{n % aggregates}", "n": n, "label": "bulk"},
            "headers": {},
            "occurred_at": now,
            "published_at": None,
            "attempts": 0,
            "next_attempt_at": now,
        }
        for n in range(count)
    ]
    async with container.platform_sessions() as session, session.begin():
        for start in range(0, count, 1000):
            await session.execute(insert(SysEvent), rows[start : start + 1000])


async def _pending(container: Container) -> int:
    async with container.platform_sessions() as session:
        query = select(func.count()).select_from(SysEvent).where(SysEvent.published_at.is_(None))
        return int(await session.scalar(query) or 0)


async def test_the_relay_publishes_pending_events_in_commit_order(quiet: Container) -> None:
    transport = RecordingTransport()
    relay = _relay(quiet, transport)
    thing = new_thing()
    await emit_things(quiet, [(thing, n) for n in range(1, 6)])

    while await relay.relay_once():
        pass

    published = [e.payload["n"] for e in transport.published if e.payload.get("thing") == thing]
    assert published == [1, 2, 3, 4, 5]
    assert all(row.published_at is not None for row in await outbox_rows(quiet))


async def test_a_failed_publish_backs_off_and_records_the_error(quiet: Container) -> None:
    transport = RecordingTransport()
    transport.fail_after = 0
    relay = _relay(quiet, transport, retry_base_seconds=60, retry_cap_seconds=120)
    await emit_things(quiet, [(new_thing(), 1)])
    before = utcnow()

    assert await relay.relay_once() == 0
    rows = await outbox_rows(quiet)
    again = await relay.relay_once()

    assert again == 0  # backing off: not due yet
    pending = [row for row in rows if row.event_type == "probe.thing.happened"]
    assert [(row.attempts, row.published_at) for row in pending] == [(1, None)]
    assert pending[0].last_error == "ConnectionError: broker went away mid-batch"
    assert pending[0].next_attempt_at >= before
    assert pending[0].next_attempt_at <= before + timedelta(seconds=61)
    assert transport.published == []


async def test_a_crash_mid_batch_re_sends_and_loses_nothing(quiet: Container) -> None:
    transport = RecordingTransport()
    transport.fail_after = 3  # the broker takes three events, then the connection drops
    relay = _relay(quiet, transport, retry_base_seconds=0.001, retry_cap_seconds=0.001)
    thing = new_thing()
    await emit_things(quiet, [(thing, n) for n in range(1, 11)])

    async def all_sent() -> bool:
        await relay.relay_once()  # the failed batch comes due again after its 1 ms backoff
        return all(row.published_at is not None for row in await outbox_rows(quiet))

    await wait_until_async(all_sent, timeout=5)

    counts = transport.counts
    rows = [r for r in await outbox_rows(quiet) if r.payload.get("thing") == thing]
    assert len(rows) == 10
    assert all(row.published_at is not None for row in rows)
    assert {str(row.id) for row in rows} == set(counts)  # every event reached the broker
    assert sorted(counts.values()) == [1] * 7 + [2] * 3  # the three taken early were re-sent


@pytest.mark.backends("postgres")  # SQLite runs one relay; several need SKIP LOCKED
async def test_two_relays_share_ten_thousand_events_and_none_is_sent_twice(
    quiet: Container,
) -> None:
    # As many aggregates as events: a relay must not overtake an earlier event of an aggregate
    # that another relay has out, so with few busy aggregates one relay would wait its turn.
    await _insert_pending(quiet, 10_000, aggregates=10_000)
    first, second = RecordingTransport(), RecordingTransport()
    relays = [_relay(quiet, first, batch_size=200), _relay(quiet, second, batch_size=200)]

    async def run(relay: OutboxRelay) -> None:
        # 0 means "nothing I may claim now"; the other relay may still have a batch out.
        while await relay.relay_once() or await _pending(quiet):
            pass

    async with asyncio.timeout(60):
        await asyncio.gather(*(run(relay) for relay in relays))

    combined = first.counts + second.counts
    assert len(combined) == 10_000
    assert set(combined.values()) == {1}  # no event was published by both relays
    assert first.published
    assert second.published
    assert all(row.published_at is not None for row in await outbox_rows(quiet))


def test_backoff_has_full_jitter_and_a_cap() -> None:
    samples = [
        backoff_seconds(attempt, base=1, cap=8) for attempt in (1, 3, 10) for _ in range(200)
    ]

    assert all(0 <= sample <= 8 for sample in samples)
    assert max(backoff_seconds(10, base=1, cap=8) for _ in range(200)) > 4
    assert len(set(samples)) > 100


async def test_published_events_are_pruned_after_the_retention(quiet: Container) -> None:
    await emit_things(quiet, [(new_thing(), 1), (new_thing(), 2)])
    relay = _relay(quiet, RecordingTransport())
    while await relay.relay_once():
        pass
    await emit_things(quiet, [(new_thing(), 3)])  # still pending: must survive pruning

    pruned = await quiet.events.prune(older_than=timedelta(0))

    remaining = await outbox_rows(quiet)
    assert pruned >= 2
    assert [row.payload.get("n") for row in remaining if row.published_at is None] == [3]
    assert all(row.published_at is None for row in remaining)


@pytest.mark.backends("postgres")  # SQLite has no NOTIFY: its relay runs in the writing process
async def test_a_relay_in_another_process_publishes_soon_after_the_commit_not_at_the_poll(
    quiet: Container,
) -> None:
    transport = RecordingTransport()
    relay = _relay(quiet, transport, poll_interval=60)  # it would poll once a minute
    writer_engine = create_engine(quiet.settings)  # the API process's own connections
    writer = UnitOfWorkFactory(create_session_factory(writer_engine), Outbox())
    await relay.start()
    try:
        await wait_until_async(lambda: relay.listening, timeout=5)
        thing = new_thing()
        async with writer.platform() as uow:
            emit_into(uow, [(thing, 1)])
            await uow.commit()

        await wait_until_async(
            lambda: any(e.payload.get("thing") == thing for e in transport.published), timeout=5
        )
    finally:
        await relay.stop()
        await writer_engine.dispose()

    rows = [row for row in await outbox_rows(quiet) if row.payload.get("thing") == thing]
    assert [row.published_at is not None for row in rows] == [True]


class CountingOutbox(Outbox):
    def __init__(self) -> None:
        super().__init__()
        self.wakes = 0

    def wake(self) -> None:
        self.wakes += 1
        super().wake()


@pytest.mark.backends("postgres")
async def test_commits_of_other_processes_wake_the_relay_and_its_own_do_not_twice(
    quiet: Container,
) -> None:
    outbox = CountingOutbox()  # not the writer's: only a notification can reach it
    listener = CommitListener(quiet.engine, outbox, connect_timeout=5)
    other_engine = create_engine(quiet.settings)  # another process's connections
    other = UnitOfWorkFactory(create_session_factory(other_engine), Outbox())
    listener.start()
    try:
        await wait_until_async(lambda: listener.listening and outbox.wakes == 1, timeout=5)
        # The wake-up every (re)connection gives is in; now commit here, then elsewhere.
        await emit_things(quiet, [(new_thing(), 1)])
        async with other.platform() as uow:
            emit_into(uow, [(new_thing(), 2)])
            await uow.commit()

        # Notifications arrive in commit order: once the other's is in, ours was seen too.
        await wait_until_async(lambda: outbox.wakes >= 2, timeout=5)
    finally:
        await listener.stop()
        await other_engine.dispose()

    assert outbox.wakes == 2


class FailingSecondPublish(RecordingTransport):
    """Takes the first batch, then three events of the second and drops the connection."""

    def __init__(self) -> None:
        super().__init__()
        self.calls = 0

    async def publish(self, envelopes: Sequence[EventEnvelope]) -> None:
        self.calls += 1
        if self.calls == 2:
            self.fail_after = 3
        await super().publish(envelopes)


async def test_the_batch_claimed_behind_a_failed_one_waits_for_it(quiet: Container) -> None:
    # The running relay claims the next batch while it publishes one; when that publish fails,
    # the batch claimed behind it must not go out first.
    transport = FailingSecondPublish()
    relay = _relay(
        quiet,
        transport,
        batch_size=10,
        poll_interval=0.01,
        retry_base_seconds=0.001,
        retry_cap_seconds=0.001,
    )
    thing = new_thing()
    await emit_things(quiet, [(thing, n) for n in range(1, 51)])
    await relay.start()
    try:
        await wait_until_async(
            lambda: _all_published(quiet), timeout=10, message="the relay did not finish"
        )
    finally:
        await relay.stop()

    sent = [e.payload["n"] for e in transport.published if e.payload.get("thing") == thing]
    first_copies = list(dict.fromkeys(sent))
    assert first_copies == list(range(1, 51))  # what consumers handle: the first copy of each
    assert transport.failures == 1
    assert [n for n, copies in Counter(sent).items() if copies > 1] == [11, 12, 13]


async def _all_published(container: Container) -> bool:
    return await _pending(container) == 0
