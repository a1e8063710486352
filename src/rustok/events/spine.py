"""The event spine of one process: outbox, transport, relay, dispatcher and dead letters."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

import structlog
from sqlalchemy import delete

from rustok.core.clock import utcnow
from rustok.core.db import write_transaction
from rustok.core.errors import Conflict
from rustok.core.settings import EventTransportKind
from rustok.events.dispatcher import Dispatcher
from rustok.events.dlq import OPEN, DeadLetterClosed, DeadLetterStore
from rustok.events.envelope import EventEnvelope
from rustok.events.errors import UnknownEventType
from rustok.events.metrics import CONSUMER_BACKLOG, OUTBOX_LAG, OUTBOX_PENDING
from rustok.events.models import SysEvent
from rustok.events.relay import OutboxRelay, outbox_stats
from rustok.events.transport.memory import MemoryTransport
from rustok.observability.metrics import DB_POOL_CONNECTIONS, forget_on_scrape, refresh_on_scrape

if TYPE_CHECKING:
    import uuid
    from collections.abc import Sequence

    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

    from rustok.core.modules import PeriodicJob
    from rustok.core.settings import Settings
    from rustok.core.uow import UnitOfWorkFactory
    from rustok.events.dlq import DeadLetterRead
    from rustok.events.handler import EventHandler
    from rustok.events.outbox import Outbox
    from rustok.events.registry import EventRegistry
    from rustok.events.transport.base import EventTransport

log = structlog.get_logger(__name__)


class ReplayFailed(Conflict):
    code = "REPLAY_FAILED"


@dataclass(frozen=True, slots=True)
class SpineStatus:
    """The event spine as the whole deployment sees it (not only this process)."""

    outbox_pending: int
    outbox_lag_seconds: float
    backlog: dict[str, int | None]
    """Per consumer group, what the transport holds for it (None: the transport cannot tell)."""
    dead_letters: dict[str, int]
    """Per consumer group, open dead letters."""

    def to_dict(self) -> dict[str, object]:
        return {
            "outbox": {"pending": self.outbox_pending, "lag_seconds": self.outbox_lag_seconds},
            "consumers": {
                name: {"backlog": self.backlog.get(name), "dead_letters": self.dead_letters[name]}
                for name in sorted(self.dead_letters)
            },
        }


def build_transport(settings: Settings) -> EventTransport:
    if settings.event_transport is EventTransportKind.NATS:
        from rustok.events.transport.nats import NatsTransport

        return NatsTransport(
            url=settings.nats_url,
            stream=settings.nats_stream,
            subject_prefix=settings.nats_subject_prefix,
            duplicate_window_seconds=settings.nats_duplicate_window_seconds,
            ack_wait_seconds=settings.nats_ack_wait_seconds,
            max_deliver=settings.nats_max_deliver,
        )
    return MemoryTransport(queue_size=settings.memory_queue_size)


class EventSpine:
    """Starts what this process runs (relay, dispatcher) and offers DLQ replay and pruning."""

    def __init__(
        self,
        settings: Settings,
        session_factory: async_sessionmaker[AsyncSession],
        uow: UnitOfWorkFactory,
        outbox: Outbox,
        transport: EventTransport,
        registry: EventRegistry,
        handlers: Sequence[EventHandler],
        jobs: Sequence[PeriodicJob] = (),
    ) -> None:
        self.settings = settings
        self.jobs = tuple(jobs)
        """The modules' periodic work, run where the relay runs."""
        self.outbox = outbox
        self.transport = transport
        self.registry = registry
        self._session_factory = session_factory
        self.dead_letters = DeadLetterStore(session_factory)
        self.relay = OutboxRelay(
            session_factory,
            transport,
            outbox,
            batch_size=settings.relay_batch_size,
            poll_interval=settings.relay_poll_interval_seconds,
            lease_seconds=settings.relay_lease_seconds,
            retry_base_seconds=settings.relay_retry_base_seconds,
            retry_cap_seconds=settings.relay_retry_cap_seconds,
            connect_timeout=settings.db_connect_timeout,
        )
        self.dispatcher = Dispatcher(
            transport,
            uow,
            registry,
            self.dead_letters,
            handlers,
            lanes=settings.dispatcher_lanes,
            retry_base_seconds=settings.handler_retry_base_seconds,
            retry_cap_seconds=settings.handler_retry_cap_seconds,
            # well inside the transport's ack wait, so nothing queued is redelivered early
            heartbeat_seconds=settings.nats_ack_wait_seconds / 3,
            order_wait_seconds=settings.dispatcher_order_wait_seconds,
        )
        self._transport_started = False
        self._maintenance: asyncio.Task[None] | None = None
        self._job_tasks: list[asyncio.Task[None]] = []

    async def start(
        self,
        *,
        relay: bool = True,
        consumers: Sequence[str] | None = None,
    ) -> None:
        """Connect the transport; run the relay and the consumer groups named (None = all,
        [] = none) in this process. Broadcast handlers always run: every process needs them."""
        await self.start_transport()
        refresh_on_scrape(self.refresh_shared_metrics)
        await self.dispatcher.start(consumers)
        if relay:
            await self.relay.start()
            self._maintenance = asyncio.create_task(self._maintain(), name="outbox-maintenance")
            self._job_tasks = [
                asyncio.create_task(self._run_job(job), name=f"job-{job.name}") for job in self.jobs
            ]

    async def start_transport(self) -> None:
        if not self._transport_started:
            await self.transport.start()
            self._transport_started = True

    async def stop(self) -> None:
        """Stop the relay first (no new work), then finish or hand back in-flight deliveries."""
        forget_on_scrape(self.refresh_shared_metrics)
        for task in self._job_tasks:
            task.cancel()
        await asyncio.gather(*self._job_tasks, return_exceptions=True)
        self._job_tasks = []
        if self._maintenance is not None:
            self._maintenance.cancel()
            await asyncio.gather(self._maintenance, return_exceptions=True)
            self._maintenance = None
        await self.relay.stop()
        await self.dispatcher.stop()
        if self._transport_started:
            await self.transport.close()
            self._transport_started = False

    @property
    def groups(self) -> list[str]:
        """The consumer groups of this deployment (whether or not this process runs them)."""
        return sorted(h.consumer for h in self.dispatcher.handlers.values() if not h.broadcast)

    async def status(self) -> SpineStatus:
        """Outbox backlog, per-group transport backlog and dead letters, read from their
        sources now; also sets the gauges that describe them."""
        pending, lag = await self.refresh_outbox_metrics()
        groups = self.groups
        dead = await self.dead_letters.depth_by_consumer()
        await self.dead_letters.refresh_depth(groups)
        try:
            held: dict[str, int | None] = dict(await self.transport.backlog(groups))
        except Exception as error:
            log.warning("events.backlog_unknown", error=f"{type(error).__name__}: {error}"[:300])
            held = {}
        for group, count in held.items():
            CONSUMER_BACKLOG.labels(group).set(count or 0)
        every = sorted({*groups, *dead})
        return SpineStatus(
            outbox_pending=pending,
            outbox_lag_seconds=lag,
            backlog={group: held.get(group) for group in every},
            dead_letters={group: dead.get(group, 0) for group in every},
        )

    async def refresh_shared_metrics(self) -> None:
        """Before a scrape: the shared gauges, and this process's database pool."""
        pool = self._session_factory.kw["bind"].sync_engine.pool
        for state, method in (
            ("in_use", "checkedout"),
            ("idle", "checkedin"),
            ("overflow", "overflow"),
            ("size", "size"),
        ):
            reading = getattr(pool, method, None)
            if reading is not None:
                DB_POOL_CONNECTIONS.labels(state).set(max(int(reading()), 0))
        await self.status()

    async def refresh_outbox_metrics(self) -> tuple[int, float]:
        async with self._session_factory() as session:
            pending, lag = await outbox_stats(session)
        OUTBOX_PENDING.set(pending)
        OUTBOX_LAG.set(lag)
        return pending, lag

    async def prune(self, *, older_than: timedelta | None = None) -> int:
        """Delete published outbox rows older than the retention period; returns how many."""
        keep = (
            older_than
            if older_than is not None
            else timedelta(hours=self.settings.outbox_retention_hours)
        )
        cutoff = utcnow() - keep
        async with write_transaction(self._session_factory) as session:
            result = await session.execute(
                delete(SysEvent).where(
                    SysEvent.published_at.is_not(None), SysEvent.published_at < cutoff
                )
            )
        count = int(getattr(result, "rowcount", 0) or 0)
        if count:
            log.info("outbox.pruned", count=count)
        return count

    async def replay(
        self, dead_letter_id: uuid.UUID, *, tenant_id: uuid.UUID | None
    ) -> DeadLetterRead:
        """Re-deliver a dead letter to its consumer only; on success it is marked replayed."""
        letter = await self.dead_letters.get(dead_letter_id, tenant_id=tenant_id)
        if letter.status != OPEN:
            raise DeadLetterClosed(f"The dead letter is already {letter.status}.")
        handler = self.dispatcher.handlers.get(letter.consumer)
        if handler is None:
            raise UnknownEventType(f"no consumer {letter.consumer!r} runs in this deployment")
        envelope = EventEnvelope.from_dict(letter.envelope)
        try:
            event = self.registry.decode(
                envelope.event_type, envelope.schema_version, envelope.payload
            )
            await self.dispatcher.run_once(handler, envelope, event)
        except Exception as error:
            reason = str(getattr(error, "reason", "replay_failed"))
            async with write_transaction(self._session_factory) as session:
                await self.dead_letters.record(
                    session,
                    consumer=letter.consumer,
                    envelope=envelope,
                    error=error,
                    reason=reason,
                    attempts=1,
                )
            raise ReplayFailed(
                f"Replaying to {letter.consumer} failed again: {type(error).__name__}: {error}. "
                "The dead letter stays open with the new error."
            ) from error
        async with write_transaction(self._session_factory) as session:
            await self.dead_letters.mark_replayed(session, dead_letter_id)
        await self.dead_letters.refresh_depth()
        return await self.dead_letters.get(dead_letter_id, tenant_id=tenant_id)

    @staticmethod
    async def _run_job(job: PeriodicJob) -> None:
        """Run a module's job now and after every interval; a failure is logged, not fatal."""
        while True:
            try:
                await job.run()
            except Exception:
                log.exception("jobs.failed", job=job.name)
            await asyncio.sleep(job.interval_seconds)

    async def _maintain(self) -> None:
        """Prune published rows hourly (the gauges are read when scraped)."""
        while True:
            try:
                await self.prune()
            except Exception:
                log.exception("outbox.maintenance_failed")
            await asyncio.sleep(3600)
