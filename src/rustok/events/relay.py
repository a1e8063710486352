"""The outbox relay: moves pending `sys_events` rows to the transport, at least once, in order.

It wakes right after a commit (the unit of work pokes it) and also polls. It claims a batch by
status, never by "ids above the last one seen" (ids can commit out of order): on PostgreSQL
with `FOR UPDATE SKIP LOCKED`, so several relays share the work. A claimed batch is leased
(`next_attempt_at` moves forward) before it is published, so a crash mid-batch re-sends it
after the lease, and never loses it. A failed publish records the error on its rows and backs
them off with exponential, jittered delay; the relay pauses as long, so nothing overtakes them.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
from datetime import timedelta
from typing import TYPE_CHECKING

import structlog
from sqlalchemy import func, select, update
from sqlalchemy.orm import aliased

from rustok.core.clock import utcnow
from rustok.core.db import write_transaction
from rustok.events.metrics import OUTBOX_PUBLISH_FAILURES, OUTBOX_PUBLISHED
from rustok.events.models import SysEvent
from rustok.events.outbox import row_envelope

if TYPE_CHECKING:
    import uuid
    from collections.abc import Sequence

    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

    from rustok.events.envelope import EventEnvelope
    from rustok.events.outbox import Outbox
    from rustok.events.transport.base import EventTransport

log = structlog.get_logger(__name__)


def backoff_seconds(attempt: int, *, base: float, cap: float) -> float:
    """Exponential backoff with full jitter: uniform in [0, min(cap, base * 2**(attempt-1))]."""
    ceiling = min(cap, base * (2 ** max(attempt - 1, 0)))
    return random.uniform(0, ceiling)  # noqa: S311 - jitter, not cryptography


class OutboxRelay:
    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        transport: EventTransport,
        outbox: Outbox,
        *,
        batch_size: int = 500,
        poll_interval: float = 1.0,
        lease_seconds: float = 30.0,
        retry_base_seconds: float = 0.5,
        retry_cap_seconds: float = 60.0,
    ) -> None:
        self._session_factory = session_factory
        self._transport = transport
        self._outbox = outbox
        self._batch_size = batch_size
        self._poll_interval = poll_interval
        self._lease = timedelta(seconds=lease_seconds)
        self._retry_base = retry_base_seconds
        self._retry_cap = retry_cap_seconds
        self._is_postgres = session_factory.kw["bind"].dialect.name == "postgresql"
        self._task: asyncio.Task[None] | None = None
        self._stopping = asyncio.Event()
        self._failures = 0
        self._paused_for = 0.0
        # Settled events are marked published in batches: one UPDATE per event would cost a
        # write transaction each and cap the embedded stack at a few hundred events/s.
        self._settled: list[uuid.UUID] = []
        self._settled_signal = asyncio.Event()
        self._marker: asyncio.Task[None] | None = None
        if not transport.durable:
            transport.on_settled(self._collect_settled)

    async def start(self) -> None:
        if self._task is None:
            self._stopping.clear()
            self._task = asyncio.create_task(self._run(), name="outbox-relay")
            if not self._transport.durable:
                self._marker = asyncio.create_task(self._mark_settled(), name="outbox-marker")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is None:
            return
        self._stopping.set()
        self._outbox.wake()
        try:
            await asyncio.wait_for(task, timeout=10)
        except TimeoutError:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
        marker, self._marker = self._marker, None
        if marker is not None:
            marker.cancel()
            await asyncio.gather(marker, return_exceptions=True)
        await self._flush_settled()  # what settled meanwhile is not re-sent after a restart

    async def _collect_settled(self, envelopes: Sequence[EventEnvelope]) -> None:
        self._settled.extend(envelope.id for envelope in envelopes)
        if self._marker is None:
            await self._flush_settled()  # driven by hand (relay_once), not by start()
        else:
            self._settled_signal.set()

    async def _mark_settled(self) -> None:
        while True:
            await self._settled_signal.wait()
            self._settled_signal.clear()
            try:
                await self._flush_settled()
            except Exception:
                # The rows stay leased and are re-sent after the lease: at-least-once holds.
                log.exception("outbox.mark_published_failed")

    async def _flush_settled(self) -> None:
        while self._settled:
            ids = self._settled[:1000]
            await self._mark_ids_published(ids)
            # Drop the ids only once marked: a flush cancelled midway (stop) keeps them.
            del self._settled[: len(ids)]
            # Marking may unblock later events of the same aggregates: claim them now.
            self._outbox.wake()

    async def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                published = await self.relay_once()
            except Exception:
                log.exception("outbox.relay_failed")
                published = 0
            if self._paused_for:
                # A failed batch pauses the whole relay: publishing later events meanwhile
                # would overtake the failed ones and break the order per aggregate.
                pause, self._paused_for = self._paused_for, 0.0
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stopping.wait(), timeout=pause)
                continue
            if published >= self._batch_size:
                continue  # more may be waiting: go again without sleeping
            wakeup = self._outbox.wakeup
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(wakeup.wait(), timeout=self._poll_interval)
            wakeup.clear()

    async def relay_once(self) -> int:
        """Claim one batch, publish it; returns how many events were handed to the transport.

        The claim is its own short transaction (rows leased, locks released), so publishing,
        which may wait on backpressure, never holds database locks.
        """
        async with write_transaction(self._session_factory) as session:
            rows = await self._claim(session)
            if not rows:
                return 0
            await session.execute(
                update(SysEvent)
                .where(SysEvent.seq.in_([row.seq for row in rows]))
                .values(attempts=SysEvent.attempts + 1, next_attempt_at=utcnow() + self._lease)
                .execution_options(synchronize_session=False)
            )
            envelopes = [row_envelope(row) for row in rows]
            attempts = {row.id: row.attempts + 1 for row in rows}
        try:
            await self._transport.publish(envelopes)
        except Exception as error:
            await self._record_failure(attempts, error)
            return 0
        self._failures = 0
        if self._transport.durable:
            await self._mark_published(envelopes)
        return len(envelopes)

    async def _record_failure(self, attempts: dict[uuid.UUID, int], error: Exception) -> None:
        """Back the batch off, all of it by the same jittered delay so it stays in order, and
        pause this relay for as long."""
        OUTBOX_PUBLISH_FAILURES.inc(len(attempts))
        self._failures += 1
        delay = backoff_seconds(self._failures, base=self._retry_base, cap=self._retry_cap)
        message = f"{type(error).__name__}: {error}"[:2000]
        log.warning(
            "outbox.publish_failed",
            count=len(attempts),
            error=message[:500],
            retry_in_seconds=round(delay, 3),
        )
        async with write_transaction(self._session_factory) as session:
            await session.execute(
                update(SysEvent)
                .where(SysEvent.id.in_(list(attempts)), SysEvent.published_at.is_(None))
                .values(last_error=message, next_attempt_at=utcnow() + timedelta(seconds=delay))
            )
        self._paused_for = delay

    async def _claim(self, session: AsyncSession) -> Sequence[SysEvent]:
        now = utcnow()
        earlier = aliased(SysEvent)
        # An event waits while an earlier event of its aggregate is still out (leased by a relay
        # that may have died, or backing off): a newer one must not overtake it.
        blocked = (
            select(earlier.seq)
            .where(
                earlier.aggregate_type == SysEvent.aggregate_type,
                earlier.aggregate_id == SysEvent.aggregate_id,
                earlier.seq < SysEvent.seq,
                earlier.published_at.is_(None),
                earlier.next_attempt_at > now,
            )
            .exists()
        )
        query = (
            select(SysEvent)
            .where(SysEvent.published_at.is_(None), SysEvent.next_attempt_at <= now, ~blocked)
            .order_by(SysEvent.seq)
            .limit(self._batch_size)
        )
        if self._is_postgres:
            query = query.with_for_update(skip_locked=True)
        result = await session.scalars(query)
        return result.all()

    async def _mark_published(self, envelopes: Sequence[EventEnvelope]) -> None:
        await self._mark_ids_published([envelope.id for envelope in envelopes])

    async def _mark_ids_published(self, ids: Sequence[uuid.UUID]) -> None:
        async with write_transaction(self._session_factory) as session:
            await session.execute(
                update(SysEvent)
                .where(SysEvent.id.in_(ids), SysEvent.published_at.is_(None))
                .values(published_at=utcnow())
            )
        OUTBOX_PUBLISHED.inc(len(ids))


async def outbox_stats(session: AsyncSession) -> tuple[int, float]:
    """(pending count, age in seconds of the oldest pending event)."""
    count, oldest = (
        await session.execute(
            select(func.count(), func.min(SysEvent.occurred_at)).where(
                SysEvent.published_at.is_(None)
            )
        )
    ).one()
    if not count or oldest is None:
        return 0, 0.0
    return int(count), max((utcnow() - oldest).total_seconds(), 0.0)
