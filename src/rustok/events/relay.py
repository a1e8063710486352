"""The outbox relay: moves pending `sys_events` rows to the transport, at least once, in order.

It wakes right after a commit (the unit of work pokes it) and also polls. It claims a batch by
status, never by "ids above the last one seen" (ids can commit out of order): on PostgreSQL
with `FOR UPDATE SKIP LOCKED`, so several relays share the work. A claimed batch is leased
(`next_attempt_at` moves forward) in the claiming statement itself, so a crash mid-batch
re-sends it after the lease, and never loses it. The lease is short and renewed while the
batch is out, so a dead relay's claims come due again within seconds. A failed publish records
the error on its rows and backs them off with exponential, jittered delay; the relay pauses as
long, so nothing overtakes them, but wakes and retries at once when the transport reconnects.

`published_at` is when the transport accepted the event (JetStream's ack, or every group's
settle in memory), not when a later cycle wrote it down; publishing clears `last_error`.

One statement per cycle: the events published since the last cycle are marked in the statement
that claims the next batch (on PostgreSQL a single auto-committed statement, one round trip;
on SQLite two statements in one transaction). Round trips, not Python, are what a relay spends
its time on.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
from dataclasses import replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import structlog
from opentelemetry.trace import SpanKind
from sqlalchemy import DateTime, Integer, Uuid, bindparam, func, select, text, update
from sqlalchemy.dialects.postgresql import ARRAY

from rustok.core.clock import utcnow
from rustok.core.db import UTCDateTime, write_transaction
from rustok.events.metrics import OUTBOX_PUBLISH_FAILURES, OUTBOX_PUBLISHED, RELAY_ERRORS
from rustok.events.models import SYS_EVENTS, SysEvent
from rustok.events.notifications import CommitListener
from rustok.events.outbox import row_envelope
from rustok.observability.tracing import end_spans, start_span_from, tracing_enabled

if TYPE_CHECKING:
    import uuid
    from collections.abc import Sequence

    from opentelemetry.trace import Span
    from sqlalchemy import Row, TextClause, TextualSelect
    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

    from rustok.events.envelope import EventEnvelope
    from rustok.events.outbox import Outbox
    from rustok.events.transport.base import EventTransport

log = structlog.get_logger(__name__)


def backoff_seconds(attempt: int, *, base: float, cap: float) -> float:
    """Exponential backoff with full jitter: uniform in [0, min(cap, base * 2**(attempt-1))]."""
    ceiling = min(cap, base * (2 ** max(attempt - 1, 0)))
    return random.uniform(0, ceiling)  # noqa: S311 - jitter, not cryptography


_MARK_LIMIT = 1000
"""Ids marked published per cycle at most (SQLite binds each one)."""

# An event waits while an earlier event of its aggregate is still out (leased by a relay that
# may have died, or backing off): it must not overtake it. The few rows that are out are
# grouped once per claim (`out`), not looked up per pending row. The batch this relay is
# publishing meanwhile (`in_flight`) does not count as out: it goes first, and if it fails the
# batch claimed behind it backs off with it.
#
# PostgreSQL: mark, claim and lease in one auto-committed statement. Every part of it sees the
# same snapshot, so the ids being marked are left out of `out` and of the claim by hand.
_POSTGRES_CYCLE = """
WITH marked AS (
    UPDATE sys_events SET published_at = acked.at, last_error = NULL
    FROM unnest(CAST(:marked AS uuid[]), CAST(:marked_at AS timestamptz[])) AS acked(id, at)
    WHERE sys_events.id = acked.id AND sys_events.published_at IS NULL
),
out AS (
    SELECT aggregate_type, aggregate_id, MIN(seq) AS first_out
    FROM sys_events
    WHERE published_at IS NULL AND next_attempt_at > :now
      AND id <> ALL(:marked) AND id <> ALL(:in_flight)
    GROUP BY aggregate_type, aggregate_id
),
due AS (
    SELECT seq FROM sys_events AS pending
    WHERE published_at IS NULL AND next_attempt_at <= :now AND id <> ALL(:marked)
      AND NOT EXISTS (
        SELECT 1 FROM out
        WHERE out.aggregate_type = pending.aggregate_type
          AND out.aggregate_id = pending.aggregate_id
          AND out.first_out < pending.seq
      )
    ORDER BY seq
    LIMIT :batch
    FOR UPDATE SKIP LOCKED
)
UPDATE sys_events SET attempts = attempts + 1, next_attempt_at = :lease_until
WHERE seq IN (SELECT seq FROM due)
RETURNING seq, id, tenant_id, event_type, schema_version, aggregate_type, aggregate_id,
    aggregate_version, payload, headers, occurred_at, published_at, attempts,
    next_attempt_at, last_error
"""
# SQLite: the same claim, after the marking statement of the same transaction.
_SQLITE_CLAIM = """
WITH out AS (
    SELECT aggregate_type, aggregate_id, MIN(seq) AS first_out
    FROM sys_events
    WHERE published_at IS NULL AND next_attempt_at > :now AND id NOT IN :in_flight
    GROUP BY aggregate_type, aggregate_id
),
due AS (
    SELECT seq FROM sys_events AS pending
    WHERE published_at IS NULL AND next_attempt_at <= :now
      AND NOT EXISTS (
        SELECT 1 FROM out
        WHERE out.aggregate_type = pending.aggregate_type
          AND out.aggregate_id = pending.aggregate_id
          AND out.first_out < pending.seq
      )
    ORDER BY seq
    LIMIT :batch
)
UPDATE sys_events SET attempts = attempts + 1, next_attempt_at = :lease_until
WHERE seq IN (SELECT seq FROM due)
RETURNING seq, id, tenant_id, event_type, schema_version, aggregate_type, aggregate_id,
    aggregate_version, payload, headers, occurred_at, published_at, attempts,
    next_attempt_at, last_error
"""


def _typed(statement: TextClause) -> TextualSelect:
    """Bind types (UTC datetimes) and result columns typed as the model types them, in the
    order of the RETURNING lists above."""
    return statement.bindparams(
        bindparam("now", type_=UTCDateTime()),
        bindparam("lease_until", type_=UTCDateTime()),
        bindparam("batch", type_=Integer()),
    ).columns(
        SysEvent.seq,
        SysEvent.id,
        SysEvent.tenant_id,
        SysEvent.event_type,
        SysEvent.schema_version,
        SysEvent.aggregate_type,
        SysEvent.aggregate_id,
        SysEvent.aggregate_version,
        SysEvent.payload,
        SysEvent.headers,
        SysEvent.occurred_at,
        SysEvent.published_at,
        SysEvent.attempts,
        SysEvent.next_attempt_at,
        SysEvent.last_error,
    )


class OutboxRelay:
    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        transport: EventTransport,
        outbox: Outbox,
        *,
        batch_size: int = 500,
        poll_interval: float = 1.0,
        lease_seconds: float = 6.0,
        retry_base_seconds: float = 0.2,
        retry_cap_seconds: float = 5.0,
        connect_timeout: float = 5.0,
    ) -> None:
        self._session_factory = session_factory
        self._engine = session_factory.kw["bind"]
        self._transport = transport
        self._outbox = outbox
        self._batch_size = batch_size
        self._poll_interval = poll_interval
        self._lease = timedelta(seconds=lease_seconds)
        self._retry_base = retry_base_seconds
        self._retry_cap = retry_cap_seconds
        self._is_postgres = self._engine.dialect.name == "postgresql"
        self._listener: CommitListener | None = None
        if self._is_postgres:
            # Commits of other processes reach this relay through PostgreSQL notifications.
            self._listener = CommitListener(self._engine, outbox, connect_timeout=connect_timeout)
            # The cycle is one statement that commits on its own: no BEGIN and COMMIT around it.
            self._autocommit = self._engine.execution_options(isolation_level="AUTOCOMMIT")
            cycle = text(_POSTGRES_CYCLE).bindparams(
                bindparam("marked", type_=ARRAY(Uuid())),
                bindparam("marked_at", type_=ARRAY(DateTime(timezone=True))),
                bindparam("in_flight", type_=ARRAY(Uuid())),
            )
        else:
            cycle = text(_SQLITE_CLAIM).bindparams(
                bindparam("in_flight", type_=Uuid(), expanding=True)
            )
        self._cycle = _typed(cycle)
        self._task: asyncio.Task[None] | None = None
        self._stopping = asyncio.Event()
        self._failures = 0
        self._paused_for = 0.0
        # Ids published (durable transport) or settled by every group (memory), to be marked
        # published by the next cycle. Kept until that cycle commits: a cycle that fails or is
        # cancelled leaves them here, and a crash re-sends them after their lease.
        self._to_mark: list[tuple[uuid.UUID, datetime]] = []
        self._backed_off: set[uuid.UUID] = set()
        """Ids this relay backed off after a failed publish: due at once when the transport
        reconnects, instead of after their backoff."""
        self._reconnected = asyncio.Event()
        if not transport.durable:
            transport.on_settled(self._collect_settled)
        transport.on_reconnected(self._on_transport_reconnected)

    @property
    def listening(self) -> bool:
        """Hearing commits of other processes (PostgreSQL); SQLite relays only hear their own."""
        return self._listener is not None and self._listener.listening

    async def start(self) -> None:
        if self._task is None:
            self._stopping.clear()
            self._task = asyncio.create_task(self._run(), name="outbox-relay")
            if self._listener is not None:
                self._listener.start()

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is None:
            return
        self._stopping.set()
        if self._listener is not None:
            await self._listener.stop()
        self._outbox.wake()
        try:
            await asyncio.wait_for(task, timeout=10)
        except TimeoutError:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
        await self.flush()  # what was published meanwhile is not re-sent after a restart

    async def flush(self) -> None:
        """Mark what was published or settled since the last cycle, claiming nothing."""
        while self._to_mark:
            await self._cycle_once(claim=False)

    def _on_transport_reconnected(self) -> None:
        self._reconnected.set()
        self._outbox.wake()

    async def _collect_settled(self, envelopes: Sequence[EventEnvelope]) -> None:
        now = utcnow()
        self._to_mark.extend((envelope.id, now) for envelope in envelopes)
        # Marking may unblock later events of the same aggregates: the next cycle claims them.
        self._outbox.wake()

    async def _run(self) -> None:
        ahead: list[Row[Any]] = []
        """Claimed while the batch before it was being published; published next."""
        while not self._stopping.is_set():
            try:
                rows = ahead or await self._cycle_once(claim=True)
                ahead = []
                published = 0
                if rows:
                    published, ahead = await self._publish(rows, claim_next=True)
            except Exception as error:
                # The database is unreachable, most likely: try again after a backoff.
                RELAY_ERRORS.inc()
                self._failures += 1
                self._paused_for = backoff_seconds(
                    self._failures, base=self._retry_base, cap=self._retry_cap
                )
                log.warning(
                    "outbox.relay_failed",
                    error=f"{type(error).__name__}: {error}"[:500],
                    retry_in_seconds=round(self._paused_for, 3),
                )
                published = 0
            if self._paused_for:
                # A failed batch pauses the whole relay: publishing later events meanwhile
                # would overtake the failed ones and break the order per aggregate. A
                # reconnect ends the pause: what failed is worth trying again now.
                pause, self._paused_for = self._paused_for, 0.0
                self._reconnected.clear()
                stopping = asyncio.ensure_future(self._stopping.wait())
                reconnected = asyncio.ensure_future(self._reconnected.wait())
                await asyncio.wait(
                    [stopping, reconnected], timeout=pause, return_when=asyncio.FIRST_COMPLETED
                )
                stopping.cancel()
                reconnected.cancel()
                if self._reconnected.is_set() and not self._stopping.is_set():
                    await self._retry_backed_off()
                continue
            if published or ahead or self._to_mark:
                continue  # mark what went out and claim what may be waiting, without sleeping
            wakeup = self._outbox.wakeup
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self._poll_interval):
                    await wakeup.wait()
            wakeup.clear()
        if ahead:
            await self._release(ahead)

    async def _publish(
        self, rows: list[Row[Any]], *, claim_next: bool
    ) -> tuple[int, list[Row[Any]]]:
        """Publish `rows`; with `claim_next`, claim the batch after them meanwhile (the
        database's round trip overlaps the broker's). Returns how many were published and the
        batch claimed next."""
        envelopes, spans = _publish_spans([row_envelope(row) for row in rows])
        publishing = asyncio.create_task(self._transport.publish(envelopes))
        ahead: list[Row[Any]] = []
        leased = [row.id for row in rows]
        renewing = asyncio.create_task(self._renew_leases(leased))
        claim_error: Exception | None = None
        try:
            if claim_next:
                ahead = await self._cycle_once(claim=True, in_flight=[row.id for row in rows])
                leased.extend(row.id for row in ahead)
        except Exception as error:
            claim_error = error  # this batch is out either way: see its publish through first
        except BaseException as error:
            publishing.cancel()  # shutting down: the lease re-sends what was not confirmed
            renewing.cancel()
            end_spans(spans, error)
            raise
        try:
            await publishing
        except Exception as error:
            end_spans(spans, error)
            # The batch behind it must not overtake it: both back off by the same delay.
            await self._record_failure([row.id for row in [*rows, *ahead]], error)
            if claim_error is not None:
                raise claim_error from error  # the run loop logs it and backs off
            return 0, []
        finally:
            renewing.cancel()
            await asyncio.gather(renewing, return_exceptions=True)
        end_spans(spans)
        self._failures = 0
        if self._transport.durable:
            acked_at = utcnow()
            self._to_mark.extend((envelope.id, acked_at) for envelope in envelopes)
            self._backed_off.difference_update(envelope.id for envelope in envelopes)
        if claim_error is not None:
            raise claim_error
        return len(rows), ahead

    async def _renew_leases(self, ids: list[uuid.UUID]) -> None:
        """Keep the claim on `ids` (the batch out, and the one claimed behind it) while the
        publish lasts, so a short lease never lapses under a live relay."""
        every = self._lease.total_seconds() / 3
        while True:
            await asyncio.sleep(every)
            try:
                async with write_transaction(self._session_factory) as session:
                    await _update_unpublished(
                        session, list(ids), next_attempt_at=utcnow() + self._lease
                    )
            except Exception as error:
                log.warning("outbox.lease_renewal_failed", error=repr(error)[:300])

    async def _retry_backed_off(self) -> None:
        """The transport is back: make what this relay backed off due now."""
        ids, self._backed_off = list(self._backed_off), set()
        self._failures = 0
        if ids:
            async with write_transaction(self._session_factory) as session:
                await _update_unpublished(session, ids, next_attempt_at=utcnow())
        log.info("outbox.transport_reconnected", retrying=len(ids))

    async def _release(self, rows: Sequence[Row[Any]]) -> None:
        """Hand back a claimed batch that will not be published now (shutdown): due at once
        for the next relay, instead of after its lease."""
        async with write_transaction(self._session_factory) as session:
            await _update_unpublished(session, [row.id for row in rows], next_attempt_at=utcnow())

    async def relay_once(self) -> int:
        """Mark what went out since the last call, claim one batch and publish it; returns how
        many events were handed to the transport. Call until it returns 0 to mark everything.

        The claim is its own short statement (rows leased, locks released), so publishing,
        which may wait on backpressure, never holds database locks.
        """
        rows = await self._cycle_once(claim=True)
        if not rows:
            return 0
        published, _ = await self._publish(rows, claim_next=False)
        return published

    async def _cycle_once(
        self, *, claim: bool, in_flight: Sequence[uuid.UUID] = ()
    ) -> list[Row[Any]]:
        """Mark up to `_MARK_LIMIT` ids of `_to_mark` published and, if `claim`, claim and
        lease the next batch (`in_flight`: the batch being published meanwhile, which goes
        first): returns its rows in delivery order."""
        marking = self._to_mark[:_MARK_LIMIT]
        marked = [id_ for id_, _ in marking]
        now = utcnow()
        parameters = {
            "now": now,
            "lease_until": now + self._lease,
            # Claiming nothing: the batch is empty (the statement still marks).
            "batch": self._batch_size if claim else 0,
            "in_flight": list(in_flight),
        }
        if self._is_postgres:
            async with self._autocommit.connect() as connection:
                result = await connection.execute(
                    self._cycle,
                    parameters | {"marked": marked, "marked_at": [at for _, at in marking]},
                )
                rows = list(result.all())
        else:
            async with write_transaction(self._session_factory) as session:
                if marking:
                    # One statement run for every id (each keeps its own ack time), not one
                    # statement per distinct time: the memory transport settles in small groups.
                    await session.execute(
                        _MARK_PUBLISHED,
                        [{"acked_id": id_, "acked_at": at} for id_, at in marking],
                    )
                rows = list((await session.execute(self._cycle, parameters)).all()) if claim else []
        if marked:
            # Dropped only now that it committed; ids collected meanwhile were appended.
            del self._to_mark[: len(marked)]
            OUTBOX_PUBLISHED.inc(len(marked))
        rows.sort(key=lambda row: row.seq)
        return rows

    async def _record_failure(self, ids: Sequence[uuid.UUID], error: Exception) -> None:
        """Back the batch off, all of it by the same jittered delay so it stays in order, and
        pause this relay for as long."""
        OUTBOX_PUBLISH_FAILURES.inc(len(ids))
        self._backed_off.update(ids)
        self._failures += 1
        delay = backoff_seconds(self._failures, base=self._retry_base, cap=self._retry_cap)
        message = f"{type(error).__name__}: {error}"[:2000]
        log.warning(
            "outbox.publish_failed",
            count=len(ids),
            error=message[:500],
            retry_in_seconds=round(delay, 3),
        )
        async with write_transaction(self._session_factory) as session:
            await _update_unpublished(
                session,
                ids,
                last_error=message,
                next_attempt_at=utcnow() + timedelta(seconds=delay),
            )
        self._paused_for = delay


def _publish_spans(
    envelopes: list[EventEnvelope],
) -> tuple[list[EventEnvelope], list[Span]]:
    """Each traced event goes out under a producer span of its trace, whose context it carries
    on instead, so the handler's span hangs under the publish."""
    if not tracing_enabled():
        return envelopes, []
    sent: list[EventEnvelope] = []
    spans: list[Span] = []
    for envelope in envelopes:
        started = start_span_from(
            envelope.headers,
            f"publish {envelope.event_type}",
            kind=SpanKind.PRODUCER,
            attributes={"messaging.message.id": str(envelope.id)},
        )
        if started is None:
            sent.append(envelope)
            continue
        span, headers = started
        spans.append(span)
        sent.append(replace(envelope, headers=headers))
    return sent, spans


_MARK_PUBLISHED = (
    update(SYS_EVENTS)
    .where(SYS_EVENTS.c.id == bindparam("acked_id"), SYS_EVENTS.c.published_at.is_(None))
    .values(published_at=bindparam("acked_at"), last_error=None)
)


async def _update_unpublished(
    session: AsyncSession, ids: Sequence[uuid.UUID], **values: object
) -> None:
    """Set `values` on those of `ids` that are still pending (a row someone else already
    published stays as it is)."""
    await session.execute(
        update(SYS_EVENTS)
        .where(SYS_EVENTS.c.id.in_(list(ids)), SYS_EVENTS.c.published_at.is_(None))
        .values(**values)
    )


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
