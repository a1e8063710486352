"""The dispatcher: runs each consumer's handler once per event, in order per aggregate.

Each delivery runs in its own unit of work together with the ledger row `(consumer, event_id)`,
so a redelivery finds the row and is a no-op. Events of one aggregate go through one lane
(hash of the aggregate id), so they are handled in order; different aggregates run in
parallel up to the lane count. Transient failures are retried in the lane with exponential
backoff and full jitter (keeping order); permanent ones, and the last failed try, go to the
DLQ. On shutdown, work still waiting for a retry is handed back to the transport.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import zlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import structlog
from pydantic import ValidationError
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from rustok.core.clock import utcnow
from rustok.core.errors import DomainError
from rustok.events.errors import HandlerTimeout, PermanentError
from rustok.events.handler import HandlerContext
from rustok.events.metrics import END_TO_END_LAG, HANDLED, HANDLER_DURATION
from rustok.events.models import HANDLED_EVENTS
from rustok.events.relay import backoff_seconds

if TYPE_CHECKING:
    import uuid
    from collections.abc import Sequence

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
        self._consumers: list[_Consumer] = []
        self._stopping = asyncio.Event()
        self._in_flight = 0

    @property
    def idle(self) -> bool:
        """No delivery is queued in a lane or being handled."""
        return self.queued == 0 and self._in_flight == 0

    @property
    def in_flight(self) -> int:
        """Deliveries being handed to a lane or handled."""
        return self._in_flight

    @property
    def queued(self) -> int:
        """Deliveries waiting in a lane behind the one being handled."""
        return sum(lane.qsize() for consumer in self._consumers for lane in consumer.lanes)

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

    def _router(self, consumer: _Consumer) -> DeliveryHandler:
        async def route(delivery: Delivery) -> None:
            key = delivery.envelope.aggregate_id.encode()
            lane = consumer.lanes[zlib.crc32(key) % len(consumer.lanes)]
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
            try:
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
                self._in_flight -= len(batch)

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
        while True:
            attempt += 1
            try:
                outcome = await self.run_once(handler, envelope, event)
            except Exception as error:
                if is_permanent(error) or attempt >= handler.max_attempts:
                    reason = getattr(error, "reason", None) or (
                        "permanent_error" if is_permanent(error) else "max_attempts_exceeded"
                    )
                    await self._dead_letter(handler, envelope, error, str(reason), attempt)
                    await delivery.ack()
                    return "dead_lettered"
                HANDLED.labels(handler.consumer, "retry").inc()
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
        # `asyncio.timeout`, not `wait_for`: on Python 3.11 wait_for runs the handler in a task
        # of its own, a cost paid on every event.
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

    def _decode(self, envelope: EventEnvelope) -> DomainEvent:
        return self._registry.decode(envelope.event_type, envelope.schema_version, envelope.payload)

    async def _dead_letter(
        self,
        handler: EventHandler,
        envelope: EventEnvelope,
        error: BaseException,
        reason: str,
        attempts: int,
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
            )
            await uow.commit()
        await self._dead_letters.refresh_depth()

    async def _stopped_within(self, seconds: float) -> bool:
        try:
            await asyncio.wait_for(self._stopping.wait(), timeout=seconds)
        except TimeoutError:
            return False
        return True
