"""Event test utilities: a recording transport, `drain()` and `wait_for_event()`."""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from rustok.events.models import DeadLetter, HandledEvent, SysEvent
from rustok.events.outbox import row_envelope
from rustok.events.transport.base import EventTransport
from rustok.testing.services import wait_until_async

if TYPE_CHECKING:
    from collections.abc import Sequence

    from rustok.bootstrap import Container
    from rustok.events.envelope import EventEnvelope
    from rustok.events.transport.base import DeliveryHandler


class RecordingTransport(EventTransport):
    """A durable-looking transport that only records what it is given (for relay tests).

    `fail_after` makes the next publish accept that many envelopes and then raise, like a
    broker that dies mid-batch.
    """

    name = "recording"
    durable = True

    def __init__(self) -> None:
        self.published: list[EventEnvelope] = []
        self.fail_after: int | None = None
        self.failures = 0

    @property
    def counts(self) -> Counter[str]:
        return Counter(str(envelope.id) for envelope in self.published)

    async def start(self) -> None:
        return None

    async def close(self) -> None:
        return None

    async def publish(self, envelopes: Sequence[EventEnvelope]) -> None:
        for index, envelope in enumerate(envelopes):
            if self.fail_after is not None and index >= self.fail_after:
                self.fail_after = None
                self.failures += 1
                raise ConnectionError("broker went away mid-batch")
            self.published.append(envelope)
        await asyncio.sleep(0)  # a real publish yields to the loop

    async def subscribe(
        self,
        group: str,
        event_types: frozenset[str],
        handler: DeliveryHandler,
        *,
        max_in_flight: int,
    ) -> None:
        return None

    async def subscribe_broadcast(
        self, name: str, event_types: frozenset[str], handler: DeliveryHandler
    ) -> None:
        return None

    async def ping(self) -> None:
        return None


async def outbox_rows(container: Container, event_type: str | None = None) -> list[SysEvent]:
    async with container.platform_sessions() as session:
        query = select(SysEvent).order_by(SysEvent.seq)
        if event_type is not None:
            query = query.where(SysEvent.event_type == event_type)
        return list((await session.scalars(query)).all())


async def unsettled(container: Container) -> int:
    """Events some consumer group of this process has neither handled nor dead-lettered."""
    total = 0
    async with container.platform_sessions() as session:
        for handler in container.events.dispatcher.handlers.values():
            if handler.broadcast:
                continue
            handled = select(HandledEvent.event_id).where(HandledEvent.consumer == handler.consumer)
            dead = select(DeadLetter.event_id).where(DeadLetter.consumer == handler.consumer)
            query = (
                select(func.count())
                .select_from(SysEvent)
                .where(SysEvent.event_type.in_(handler.event_types))
                .where(SysEvent.id.not_in(handled), SysEvent.id.not_in(dead))
            )
            total += await session.scalar(query) or 0
    return total


async def drain(container: Container, *, timeout: float = 15.0) -> None:
    """Wait until every committed event is published and every consumer group has handled or
    dead-lettered it (whatever the transport: the database is the judge)."""

    async def settled() -> bool:
        container.outbox.wake()
        pending, _ = await container.events.refresh_outbox_metrics()
        if pending or not container.events.dispatcher.idle:
            return False
        return await unsettled(container) == 0 and container.events.dispatcher.idle

    await wait_until_async(settled, timeout=timeout, message="events did not drain in time")


async def wait_for_event(
    container: Container, event_type: str, *, timeout: float = 5.0, **payload: Any
) -> EventEnvelope:
    """Wait until an event of `event_type` whose payload contains `payload` is in the outbox."""
    found: list[EventEnvelope] = []

    async def present() -> bool:
        for row in await outbox_rows(container, event_type):
            if all(row.payload.get(key) == value for key, value in payload.items()):
                found.append(row_envelope(row))
                return True
        return False

    await wait_until_async(present, timeout=timeout, message=f"no {event_type} event {payload}")
    return found[0]
