"""The dispatcher: runs each consumer's handler once per event, in order per aggregate.

Each delivery runs in its own unit of work together with the ledger row `(consumer, event_id)`,
so a redelivery finds the row and is a no-op. Events of one aggregate go through one lane
(hash of the aggregate id), so they are handled in order; different aggregates run in
parallel up to the lane count. Transient failures are retried in the lane with exponential
backoff and full jitter (keeping order); permanent ones, and the last failed try, go to the
DLQ. On shutdown, work still waiting for a retry is handed back to the transport.

Lanes keep order inside one process. Across processes (several dispatchers of one group, or a
crashed one whose unacknowledged events come back after the transport's ack wait) the order
guard keeps it (ADR 0007): with a durable transport, an event whose aggregate still has an
earlier event of the consumer's types that is neither handled nor dead-lettered is parked,
kept alive by the heartbeat, and let into its lane once that predecessor is done.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import zlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import structlog
from opentelemetry.trace import SpanKind
from pydantic import ValidationError
from sqlalchemy import and_, exists, func, select, tuple_
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from rustok.core.clock import utcnow
from rustok.core.db import bind_platform
from rustok.core.errors import DomainError
from rustok.events.errors import HandlerTimeout, PermanentError
from rustok.events.handler import HandlerContext
from rustok.events.metrics import END_TO_END_LAG, HANDLED, HANDLER_DURATION, ORDER_WAITS
from rustok.events.models import DEAD_LETTERS, HANDLED_EVENTS, POSITIONS, SYS_EVENTS
from rustok.events.relay import backoff_seconds
from rustok.observability.tracing import span_from

if TYPE_CHECKING:
    import uuid
    from collections.abc import Iterable, Sequence
    from datetime import datetime

    from sqlalchemy import Executable
    from sqlalchemy.ext.asyncio import AsyncConnection

    from rustok.core.uow import UnitOfWork, UnitOfWorkFactory
    from rustok.events.dlq import DeadLetterStore
    from rustok.events.envelope import EventEnvelope
    from rustok.events.handler import EventHandler
    from rustok.events.registry import DomainEvent, EventRegistry
    from rustok.events.transport.base import Delivery, DeliveryHandler, EventTransport

log = structlog.get_logger(__name__)

_LANE_BATCH = 64
"""Deliveries a busy lane handles in one unit of work at most."""

# Core, one statement for many rows (SQLAlchemy's "insertmanyvalues"), built once per dialect.
_LEDGER_INSERT = {
    name: insert(HANDLED_EVENTS)
    .on_conflict_do_nothing()
    .returning(HANDLED_EVENTS.c.event_id, sort_by_parameter_order=False)
    for name, insert in (("postgresql", postgresql_insert), ("sqlite", sqlite_insert))
}


_PARKED_RECHECK_SECONDS = 0.1
"""How often parked events look again for their predecessor, which may be handled by another
process (a predecessor handled here wakes them at once)."""
_PARKED_LIMIT = 5000
"""Parked deliveries per consumer at most; past it one is handed back to the transport."""


def _position_upsert(dialect: str, rows: list[dict[str, object]]) -> Executable:
    """Move positions forward only: a redelivered older event never moves one back."""
    if dialect == "postgresql":
        pg = postgresql_insert(POSITIONS).values(rows)
        return pg.on_conflict_do_update(
            index_elements=[
                POSITIONS.c.consumer,
                POSITIONS.c.aggregate_type,
                POSITIONS.c.aggregate_id,
            ],
            set_={"last_seq": func.greatest(POSITIONS.c.last_seq, pg.excluded.last_seq)},
        )
    lite = sqlite_insert(POSITIONS).values(rows)
    return lite.on_conflict_do_update(
        index_elements=[POSITIONS.c.consumer, POSITIONS.c.aggregate_type, POSITIONS.c.aggregate_id],
        set_={"last_seq": func.max(POSITIONS.c.last_seq, lite.excluded.last_seq)},
    )


def is_permanent(error: BaseException) -> bool:
    """Retrying cannot fix bad data or a broken rule; everything else is worth another try."""
    return isinstance(error, PermanentError | ValidationError | DomainError)


@dataclass
class _Consumer:
    handler: EventHandler
    lanes: list[asyncio.Queue[Delivery]] = field(default_factory=list)
    tasks: list[asyncio.Task[None]] = field(default_factory=list)
    waiting: set[Delivery] = field(default_factory=set)
    """Deliveries queued in a lane or being handled, kept alive by the heartbeat."""
    busy: set[asyncio.Task[None]] = field(default_factory=set)
    """Lane tasks in the middle of a delivery (the others wait for one and can be cancelled)."""
    parked: dict[Delivery, float] = field(default_factory=dict)
    """Deliveries waiting for an earlier event of their aggregate, with when they were parked."""
    released: set[Delivery] = field(default_factory=set)
    """Parked too long: let through without waiting any more (logged)."""
    progress: asyncio.Event = field(default_factory=asyncio.Event)
    """Set when a lane finished a batch: parked deliveries may be free now."""


class Dispatcher:
    def __init__(
        self,
        transport: EventTransport,
        uow: UnitOfWorkFactory,
        registry: EventRegistry,
        dead_letters: DeadLetterStore,
        handlers: Sequence[EventHandler],
        *,
        lanes: int = 2,
        lane_size: int = 100,
        retry_base_seconds: float = 0.2,
        retry_cap_seconds: float = 30.0,
        heartbeat_seconds: float = 10.0,
        order_wait_seconds: float = 120.0,
    ) -> None:
        self._transport = transport
        self._uow = uow
        self._registry = registry
        self._dead_letters = dead_letters
        self._handlers = {handler.consumer: handler for handler in handlers}
        self._lane_count = lanes
        self._lane_size = lane_size
        self._retry_base = retry_base_seconds
        self._retry_cap = retry_cap_seconds
        self._heartbeat = heartbeat_seconds
        self._order_wait = order_wait_seconds
        # Only a durable transport hands an event back after later ones of its aggregate went
        # through (a dead process's unacknowledged deliveries); in memory the lanes keep order.
        self._guard_order = transport.durable
        self._consumers: list[_Consumer] = []
        self._stopping = asyncio.Event()
        self._in_flight = 0

    @property
    def idle(self) -> bool:
        """No delivery is queued in a lane, parked or being handled."""
        return self.queued == 0 and self._in_flight == 0 and self.parked == 0

    @property
    def parked(self) -> int:
        """Deliveries waiting for an earlier event of their aggregate to be handled."""
        return sum(len(consumer.parked) for consumer in self._consumers)

    @property
    def in_flight(self) -> int:
        """Deliveries being handed to a lane or handled."""
        return self._in_flight

    @property
    def queued(self) -> int:
        """Deliveries waiting in a lane behind the one being handled."""
        return sum(lane.qsize() for consumer in self._consumers for lane in consumer.lanes)

    @property
    def running(self) -> list[str]:
        """The consumer groups this dispatcher runs (broadcast handlers not included)."""
        return sorted(consumer.handler.consumer for consumer in self._consumers)

    @property
    def handlers(self) -> dict[str, EventHandler]:
        return dict(self._handlers)

    async def start(self, consumers: Sequence[str] | None = None) -> None:
        """Subscribe group handlers (all, or the named ones) and every broadcast handler."""
        self._stopping.clear()
        for handler in self._handlers.values():
            if handler.broadcast:
                await self._transport.subscribe_broadcast(
                    handler.consumer, handler.event_types, self._broadcast_runner(handler)
                )
                continue
            if consumers is not None and handler.consumer not in consumers:
                continue
            consumer = _Consumer(handler)
            for index in range(self._lane_count):
                lane: asyncio.Queue[Delivery] = asyncio.Queue(self._lane_size)
                consumer.lanes.append(lane)
                consumer.tasks.append(
                    asyncio.create_task(
                        self._run_lane(consumer, lane), name=f"lane:{handler.consumer}:{index}"
                    )
                )
            consumer.tasks.append(
                asyncio.create_task(
                    self._keep_alive(consumer), name=f"heartbeat:{handler.consumer}"
                )
            )
            if self._guard_order:
                consumer.tasks.append(
                    asyncio.create_task(
                        self._release_parked(consumer), name=f"parked:{handler.consumer}"
                    )
                )
            self._consumers.append(consumer)
            await self._transport.subscribe(
                handler.consumer, handler.event_types, self._router(consumer), max_in_flight=1
            )

    async def stop(self) -> None:
        """Finish the delivery in hand in each lane; hand back what waits for a retry."""
        self._stopping.set()
        for consumer in self._consumers:
            for lane in consumer.lanes:
                while not lane.empty():
                    delivery = lane.get_nowait()
                    await delivery.nak(0)
            for delivery in list(consumer.parked):
                await delivery.nak(0)
            consumer.parked.clear()
        idle = [t for c in self._consumers for t in c.tasks if t not in c.busy]
        busy = [t for c in self._consumers for t in c.busy]
        for task in idle:
            task.cancel()
        if busy:
            _, unfinished = await asyncio.wait(busy, timeout=10)
            for task in unfinished:
                task.cancel()
        await asyncio.gather(*idle, *busy, return_exceptions=True)
        self._consumers.clear()

    @staticmethod
    def _lane_of(consumer: _Consumer, delivery: Delivery) -> asyncio.Queue[Delivery]:
        key = delivery.envelope.aggregate_id.encode()
        return consumer.lanes[zlib.crc32(key) % len(consumer.lanes)]

    def _router(self, consumer: _Consumer) -> DeliveryHandler:
        async def route(delivery: Delivery) -> None:
            lane = self._lane_of(consumer, delivery)
            consumer.waiting.add(delivery)
            self._in_flight += 1
            try:
                await lane.put(delivery)
            finally:
                self._in_flight -= 1

        return route

    def _broadcast_runner(self, handler: EventHandler) -> DeliveryHandler:
        async def run(delivery: Delivery) -> None:
            envelope = delivery.envelope
            try:
                event = self._decode(envelope)
                await self._run_handler(handler, HandlerContext(envelope, None), event)
                HANDLED.labels(handler.consumer, "ok").inc()
            except Exception as error:
                HANDLED.labels(handler.consumer, "failed").inc()
                log.warning(
                    "events.broadcast_failed",
                    consumer=handler.consumer,
                    event_type=envelope.event_type,
                    error=str(error)[:500],
                )
            finally:
                await delivery.ack()

        return run

    async def _run_lane(self, consumer: _Consumer, lane: asyncio.Queue[Delivery]) -> None:
        handler = consumer.handler
        task = asyncio.current_task()
        assert task is not None
        while not self._stopping.is_set():
            # What queued up behind the delivery we waited for is handled with it: one
            # transaction for the lot when the lane is busy, none of added latency when idle.
            batch = [await lane.get()]
            while len(batch) < _LANE_BATCH and not lane.empty():
                batch.append(lane.get_nowait())
            consumer.busy.add(task)
            self._in_flight += len(batch)
            taken = len(batch)
            try:
                if self._guard_order:
                    batch = await self._park_unready(consumer, batch)
                if len(batch) > 1 and await self._process_together(handler, batch):
                    continue
                for delivery in batch:
                    try:
                        await self.process(handler, delivery)
                    except Exception:
                        # Bookkeeping failed (e.g. the DLQ write): hand it back, never lose it.
                        log.exception("events.lane_failed", consumer=handler.consumer)
                        with contextlib.suppress(Exception):
                            await delivery.nak(1.0)
            finally:
                for delivery in batch:
                    consumer.waiting.discard(delivery)
                consumer.busy.discard(task)
                self._in_flight -= taken
                consumer.progress.set()

    async def _park_unready(self, consumer: _Consumer, batch: list[Delivery]) -> list[Delivery]:
        """Park the deliveries whose predecessor is not done yet; returns the others, in
        order. If the check itself fails, the batch goes on unguarded only if nothing can be
        parked safely: it is handed back instead, so order is never traded for progress."""
        try:
            unready = await self._unready(consumer, batch)
        except Exception:
            log.exception("events.order_check_failed", consumer=consumer.handler.consumer)
            for delivery in batch:
                consumer.waiting.discard(delivery)
                with contextlib.suppress(Exception):
                    await delivery.nak(1.0)
            return []
        now = asyncio.get_running_loop().time()
        for delivery in unready:
            if len(consumer.parked) >= _PARKED_LIMIT:
                consumer.waiting.discard(delivery)
                await delivery.nak(1.0)
                continue
            consumer.parked[delivery] = now
            ORDER_WAITS.labels(consumer.handler.consumer, "parked").inc()
            log.info(
                "events.order_wait",
                consumer=consumer.handler.consumer,
                event_id=str(delivery.envelope.id),
                aggregate_id=delivery.envelope.aggregate_id,
                sequence=delivery.envelope.sequence,
            )
        consumer.released.difference_update(batch)
        return sorted(
            (delivery for delivery in batch if delivery not in unready),
            key=lambda delivery: delivery.envelope.sequence or 0,
        )

    async def _unready(self, consumer: _Consumer, deliveries: Iterable[Delivery]) -> set[Delivery]:
        """The deliveries that must wait: their aggregate has an earlier event of this
        consumer's types that is neither handled nor dead-lettered, and is not among
        `deliveries` ahead of them (those are handled first, in the same order)."""
        handler = consumer.handler
        checked = sorted(
            (d for d in deliveries if d.envelope.sequence is not None),
            key=lambda delivery: delivery.envelope.sequence or 0,
        )
        if not checked:
            return set()
        keys = {(d.envelope.aggregate_type, d.envelope.aggregate_id) for d in checked}
        top = max(d.envelope.sequence or 0 for d in checked)
        position = and_(
            POSITIONS.c.consumer == handler.consumer,
            POSITIONS.c.aggregate_type == SYS_EVENTS.c.aggregate_type,
            POSITIONS.c.aggregate_id == SYS_EVENTS.c.aggregate_id,
        )
        query = (
            select(
                SYS_EVENTS.c.aggregate_type,
                SYS_EVENTS.c.aggregate_id,
                SYS_EVENTS.c.seq,
                SYS_EVENTS.c.id,
            )
            .select_from(SYS_EVENTS.outerjoin(POSITIONS, position))
            .where(tuple_(SYS_EVENTS.c.aggregate_type, SYS_EVENTS.c.aggregate_id).in_(keys))
            .where(SYS_EVENTS.c.seq < top)
            .where(SYS_EVENTS.c.seq > func.coalesce(POSITIONS.c.last_seq, 0))
            .where(SYS_EVENTS.c.event_type.in_(handler.event_types))
            .where(
                ~exists().where(
                    HANDLED_EVENTS.c.consumer == handler.consumer,
                    HANDLED_EVENTS.c.event_id == SYS_EVENTS.c.id,
                ),
                ~exists().where(
                    DEAD_LETTERS.c.consumer == handler.consumer,
                    DEAD_LETTERS.c.event_id == SYS_EVENTS.c.id,
                ),
            )
        )
        async with self._uow.session_factory() as session:
            bind_platform(session)  # the guard reads every tenant's events
            open_events = (await session.execute(query)).all()
        if not open_events:
            return set()
        outstanding: dict[tuple[str, str], list[tuple[int, uuid.UUID]]] = {}
        for row in open_events:
            outstanding.setdefault((row.aggregate_type, row.aggregate_id), []).append(
                (row.seq, row.id)
            )
        ahead: dict[tuple[str, str], set[uuid.UUID]] = {}
        blocked_keys: set[tuple[str, str]] = set()
        unready: set[Delivery] = set()
        for delivery in checked:
            envelope = delivery.envelope
            key = (envelope.aggregate_type, envelope.aggregate_id)
            before = ahead.setdefault(key, set())
            waits_for = [
                id_
                for seq, id_ in outstanding.get(key, ())
                if seq < (envelope.sequence or 0) and id_ not in before
            ]
            if delivery not in consumer.released and (key in blocked_keys or waits_for):
                blocked_keys.add(key)
                unready.add(delivery)
            else:
                before.add(envelope.id)
        return unready

    async def _release_parked(self, consumer: _Consumer) -> None:
        """Let parked deliveries into their lane, in order, once their predecessor is done; one
        that waited longer than the order wait goes anyway (its predecessor may never come,
        e.g. a stream that lost it), with a warning."""
        loop = asyncio.get_running_loop()
        while True:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(_PARKED_RECHECK_SECONDS):
                    await consumer.progress.wait()
            consumer.progress.clear()
            if not consumer.parked:
                continue
            parked = sorted(consumer.parked, key=lambda d: d.envelope.sequence or 0)
            now = loop.time()
            for delivery in parked:
                if now - consumer.parked[delivery] > self._order_wait:
                    consumer.released.add(delivery)
            try:
                unready = await self._unready(consumer, parked)
            except Exception:
                log.exception("events.order_check_failed", consumer=consumer.handler.consumer)
                continue
            for delivery in parked:
                if delivery in unready:
                    continue
                if delivery in consumer.released:
                    ORDER_WAITS.labels(consumer.handler.consumer, "expired").inc()
                    log.warning(
                        "events.order_wait_expired",
                        consumer=consumer.handler.consumer,
                        event_id=str(delivery.envelope.id),
                        aggregate_id=delivery.envelope.aggregate_id,
                        waited_seconds=round(now - consumer.parked[delivery], 1),
                    )
                del consumer.parked[delivery]
                await self._lane_of(consumer, delivery).put(delivery)

    async def _process_together(self, handler: EventHandler, batch: list[Delivery]) -> bool:
        """Handle a lane's queued deliveries in one unit of work. False, with nothing done,
        when any of it fails: the caller then takes them one by one (retries, DLQ)."""
        if any(delivery.delivery_count > 1 for delivery in batch):
            return False  # a redelivery may be the poison one: take the careful path
        try:
            events = [(delivery.envelope, self._decode(delivery.envelope)) for delivery in batch]
            await self._handle_in_one_unit(handler, events)
        except Exception as error:
            log.info(
                "events.batch_fallback",
                consumer=handler.consumer,
                size=len(batch),
                error=str(error)[:300],
            )
            return False
        for delivery in batch:
            await delivery.ack()
        return True

    async def _keep_alive(self, consumer: _Consumer) -> None:
        """Tell the transport that deliveries queued behind a slow or retrying one are still
        wanted, so it does not redeliver them out of order meanwhile."""
        while True:
            await asyncio.sleep(self._heartbeat)
            for delivery in list(consumer.waiting):
                with contextlib.suppress(Exception):
                    await delivery.in_progress()

    async def process(self, handler: EventHandler, delivery: Delivery) -> str:
        """Handle one delivery to the end: ok, duplicate, dead-lettered or handed back."""
        envelope = delivery.envelope
        attempt = max(delivery.delivery_count - 1, 0)
        try:
            event = self._decode(envelope)
        except PermanentError as error:
            await self._dead_letter(handler, envelope, error, error.reason, attempt + 1)
            await delivery.ack()
            return "dead_lettered"
        failures: list[tuple[datetime, str]] = []
        while True:
            attempt += 1
            try:
                outcome = await self.run_once(handler, envelope, event)
            except Exception as error:
                if is_permanent(error) or attempt >= handler.max_attempts:
                    reason = getattr(error, "reason", None) or (
                        "permanent_error" if is_permanent(error) else "max_attempts_exceeded"
                    )
                    await self._dead_letter(
                        handler, envelope, error, str(reason), attempt, history=failures
                    )
                    await delivery.ack()
                    return "dead_lettered"
                HANDLED.labels(handler.consumer, "retry").inc()
                failures.append((utcnow(), f"{type(error).__name__}: {error}"))
                delay = backoff_seconds(attempt, base=self._retry_base, cap=self._retry_cap)
                log.info(
                    "events.retrying",
                    consumer=handler.consumer,
                    event_id=str(envelope.id),
                    attempt=attempt,
                    delay=round(delay, 3),
                    error=str(error)[:300],
                )
                await delivery.in_progress()
                if await self._stopped_within(delay):
                    await delivery.nak(delay)
                    return "handed_back"
                continue
            await delivery.ack()
            return outcome

    async def run_once(
        self, handler: EventHandler, envelope: EventEnvelope, event: DomainEvent
    ) -> str:
        """One attempt: ledger row + handler effect in one unit of work."""
        fresh = await self._handle_in_one_unit(handler, [(envelope, event)])
        return "ok" if fresh else "duplicate"

    async def _handle_in_one_unit(
        self, handler: EventHandler, events: Sequence[tuple[EventEnvelope, DomainEvent]]
    ) -> set[uuid.UUID]:
        """Ledger rows, then the handler per event in order, in one unit of work; returns the
        ids handled now (the others were in the ledger already). Raises, with nothing
        committed, when any of it fails."""
        started = time.perf_counter()
        try:
            async with self._uow.platform() as uow:
                ids = [envelope.id for envelope, _ in events]
                fresh = await self._record_in_ledger(uow, handler.consumer, ids)
                for envelope, event in events:
                    if envelope.id in fresh:
                        await self._run_handler(handler, HandlerContext(envelope, uow), event)
                if self._guard_order:
                    await self._advance_positions(
                        uow, handler.consumer, [e for e, _ in events if e.id in fresh]
                    )
                await uow.commit()
        finally:
            HANDLER_DURATION.labels(handler.consumer).observe(time.perf_counter() - started)
        now = utcnow()
        for envelope, _ in events:
            if envelope.id in fresh:
                HANDLED.labels(handler.consumer, "ok").inc()
                lag = (now - envelope.occurred_at).total_seconds()
                END_TO_END_LAG.labels(handler.consumer).observe(max(lag, 0.0))
            else:
                HANDLED.labels(handler.consumer, "duplicate").inc()
        return fresh

    @staticmethod
    async def _run_handler(
        handler: EventHandler, context: HandlerContext, event: DomainEvent
    ) -> None:
        envelope = context.envelope
        traced = span_from(
            envelope.headers,
            f"process {envelope.event_type}",
            kind=SpanKind.CONSUMER,
            attributes={
                "messaging.consumer.group.name": handler.consumer,
                "messaging.message.id": str(envelope.id),
            },
        )
        # `asyncio.timeout`, not `wait_for`: on Python 3.11 wait_for runs the handler in a task
        # of its own, a cost paid on every event.
        with traced or contextlib.nullcontext():
            try:
                async with asyncio.timeout(handler.timeout_seconds):
                    await handler.handle(context, event)
            except TimeoutError:
                raise HandlerTimeout(
                    f"{handler.consumer} took longer than {handler.timeout_seconds}s"
                ) from None

    @staticmethod
    async def _record_in_ledger(
        uow: UnitOfWork, consumer: str, event_ids: Sequence[uuid.UUID]
    ) -> set[uuid.UUID]:
        """Insert the ledger rows; returns the ids that were not there yet (the others are
        redeliveries). One statement, no savepoint: a concurrent twin waits on the row lock
        and then finds it taken."""
        connection = await uow.session.connection()
        statement = _LEDGER_INSERT[connection.dialect.name]
        now = utcnow()
        rows = [{"consumer": consumer, "event_id": id_, "handled_at": now} for id_ in event_ids]
        return set((await connection.execute(statement, rows)).scalars().all())

    @staticmethod
    async def _advance_positions(
        uow: UnitOfWork, consumer: str, envelopes: Sequence[EventEnvelope]
    ) -> None:
        """Record, with the effects, the latest `seq` handled per aggregate (one row each)."""
        latest: dict[tuple[str, str], int] = {}
        for envelope in envelopes:
            if envelope.sequence is not None:
                key = (envelope.aggregate_type, envelope.aggregate_id)
                latest[key] = max(latest.get(key, 0), envelope.sequence)
        if not latest:
            return
        connection: AsyncConnection = await uow.session.connection()
        rows: list[dict[str, object]] = [
            {"consumer": consumer, "aggregate_type": t, "aggregate_id": i, "last_seq": seq}
            for (t, i), seq in sorted(latest.items())
        ]
        await connection.execute(_position_upsert(connection.dialect.name, rows))

    def _decode(self, envelope: EventEnvelope) -> DomainEvent:
        return self._registry.decode(envelope.event_type, envelope.schema_version, envelope.payload)

    async def _dead_letter(
        self,
        handler: EventHandler,
        envelope: EventEnvelope,
        error: BaseException,
        reason: str,
        attempts: int,
        *,
        history: Sequence[tuple[datetime, str]] = (),
    ) -> None:
        HANDLED.labels(handler.consumer, "dead_lettered").inc()
        log.warning(
            "events.dead_lettered",
            consumer=handler.consumer,
            event_id=str(envelope.id),
            event_type=envelope.event_type,
            reason=reason,
            attempts=attempts,
            error=str(error)[:500],
        )
        async with self._uow.platform() as uow:
            await self._dead_letters.record(
                uow.session,
                consumer=handler.consumer,
                envelope=envelope,
                error=error,
                reason=reason,
                attempts=attempts,
                history=history,
            )
            await uow.commit()

    async def _stopped_within(self, seconds: float) -> bool:
        try:
            await asyncio.wait_for(self._stopping.wait(), timeout=seconds)
        except TimeoutError:
            return False
        return True
