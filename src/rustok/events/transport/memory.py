"""The embedded transport: bounded in-process queues, one per consumer group.

When a group's queue is full, `publish` waits (backpressure): the relay stops claiming and
events stay in the outbox. An event is reported settled once every group it was routed to
has acknowledged it; only then does the relay mark it published.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import structlog

from rustok.events.transport.base import Delivery, EventTransport

if TYPE_CHECKING:
    from collections.abc import Sequence

    from rustok.events.envelope import EventEnvelope
    from rustok.events.transport.base import DeliveryHandler, SettledCallback

log = structlog.get_logger(__name__)


@dataclass
class _Group:
    name: str
    event_types: frozenset[str]
    queue: asyncio.Queue[MemoryDelivery]
    handler: DeliveryHandler
    max_in_flight: int
    tasks: list[asyncio.Task[None]] = field(default_factory=list)


@dataclass
class _Pending:
    envelope: EventEnvelope
    remaining: int


class MemoryDelivery(Delivery):
    def __init__(
        self,
        transport: MemoryTransport,
        group: _Group | None,
        envelope: EventEnvelope,
        count: int,
    ) -> None:
        self._transport = transport
        self._group = group
        self.envelope = envelope
        self.delivery_count = count
        self._settled = False

    async def ack(self) -> None:
        if self._settled:
            return
        self._settled = True
        if self._group is not None:
            await self._transport._settle(self.envelope)

    async def nak(self, delay_seconds: float) -> None:
        if self._settled or self._group is None:
            return
        self._settled = True
        group = self._group
        again = MemoryDelivery(self._transport, group, self.envelope, self.delivery_count + 1)
        self._transport._requeue_later(group, again, delay_seconds)

    async def in_progress(self) -> None:
        return None  # nothing redelivers behind our back in one process


class MemoryTransport(EventTransport):
    name = "memory"
    durable = False

    def __init__(self, *, queue_size: int = 1000) -> None:
        self._queue_size = queue_size
        self._groups: dict[str, _Group] = {}
        self._broadcast: list[tuple[frozenset[str], DeliveryHandler]] = []
        self._pending: dict[str, _Pending] = {}
        self._settled_callbacks: list[SettledCallback] = []
        self._timers: set[asyncio.TimerHandle] = set()
        self._requeues: set[asyncio.Future[None]] = set()
        self._closed = False

    async def start(self) -> None:
        self._closed = False

    async def close(self) -> None:
        self._closed = True
        for handle in self._timers:
            handle.cancel()
        self._timers.clear()
        tasks = [task for group in self._groups.values() for task in group.tasks]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._groups.clear()
        self._broadcast.clear()
        self._pending.clear()

    def on_settled(self, callback: SettledCallback) -> None:
        self._settled_callbacks.append(callback)

    async def publish(self, envelopes: Sequence[EventEnvelope]) -> None:
        settled_now: list[EventEnvelope] = []
        for envelope in envelopes:
            for types, handler in list(self._broadcast):
                if envelope.event_type in types:
                    await self._run_broadcast(handler, envelope)
            groups = [g for g in self._groups.values() if envelope.event_type in g.event_types]
            key = str(envelope.id)
            if not groups:
                settled_now.append(envelope)
                continue
            if key in self._pending:
                continue  # re-sent by the relay while still queued here: one copy is enough
            self._pending[key] = _Pending(envelope, len(groups))
            for group in groups:
                await group.queue.put(MemoryDelivery(self, group, envelope, 1))
        if settled_now:
            await self._notify_settled(settled_now)

    async def _run_broadcast(self, handler: DeliveryHandler, envelope: EventEnvelope) -> None:
        try:
            await handler(MemoryDelivery(self, None, envelope, 1))
        except Exception:
            log.exception("events.broadcast_handler_failed", event_type=envelope.event_type)

    async def subscribe(
        self,
        group: str,
        event_types: frozenset[str],
        handler: DeliveryHandler,
        *,
        max_in_flight: int,
    ) -> None:
        if group in self._groups:
            raise ValueError(f"consumer group {group!r} is subscribed twice")
        entry = _Group(group, event_types, asyncio.Queue(self._queue_size), handler, max_in_flight)
        self._groups[group] = entry
        entry.tasks = [
            asyncio.create_task(self._consume(entry), name=f"memory-consumer:{group}:{n}")
            for n in range(max_in_flight)
        ]

    async def subscribe_broadcast(
        self, name: str, event_types: frozenset[str], handler: DeliveryHandler
    ) -> None:
        self._broadcast.append((event_types, handler))

    async def _consume(self, group: _Group) -> None:
        while True:
            delivery = await group.queue.get()
            try:
                await group.handler(delivery)
            except Exception:
                # The dispatcher settles every delivery itself; reaching here is a bug there.
                log.exception("events.memory_consumer_failed", group=group.name)
            finally:
                group.queue.task_done()

    def _requeue_later(self, group: _Group, delivery: MemoryDelivery, delay: float) -> None:
        if self._closed:
            return
        loop = asyncio.get_running_loop()

        def put() -> None:
            self._timers.discard(handle)
            if not self._closed:
                task = asyncio.ensure_future(group.queue.put(delivery))
                self._requeues.add(task)
                task.add_done_callback(self._requeues.discard)

        handle = loop.call_later(max(delay, 0.0), put)
        self._timers.add(handle)

    async def _settle(self, envelope: EventEnvelope) -> None:
        key = str(envelope.id)
        pending = self._pending.get(key)
        if pending is None:
            return
        pending.remaining -= 1
        if pending.remaining <= 0:
            del self._pending[key]
            await self._notify_settled([envelope])

    async def _notify_settled(self, envelopes: Sequence[EventEnvelope]) -> None:
        for callback in self._settled_callbacks:
            await callback(envelopes)

    async def ping(self) -> None:
        if self._closed:
            raise RuntimeError("the memory transport is closed")

    async def backlog(self, groups: Sequence[str]) -> dict[str, int]:
        # This process's queues: with the memory transport, the process is the deployment.
        return {name: group.queue.qsize() for name, group in self._groups.items() if name in groups}

    @property
    def queued(self) -> int:
        return sum(group.queue.qsize() for group in self._groups.values())
