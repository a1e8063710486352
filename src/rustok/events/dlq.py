"""The dead-letter queue: events a consumer gave up on, listed, replayed or discarded."""

from __future__ import annotations

import traceback as traceback_module
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict
from sqlalchemy import Select, func, select

from rustok.core.clock import utcnow
from rustok.core.db import write_transaction
from rustok.core.errors import Conflict, NotFound
from rustok.core.ids import new_id
from rustok.events.metrics import DLQ_DEPTH
from rustok.events.models import DeadLetter

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

    from rustok.events.envelope import EventEnvelope

OPEN = "open"
REPLAYED = "replayed"
DISCARDED = "discarded"


class DeadLetterNotFound(NotFound):
    code = "DEAD_LETTER_NOT_FOUND"


class DeadLetterClosed(Conflict):
    code = "DEAD_LETTER_CLOSED"


class DeadLetterView(BaseModel):
    """What a tenant's admins see of a dead letter: which error, not where in our code (the
    traceback is for the operator's CLI: `rustok dlq show`)."""

    model_config = ConfigDict(frozen=True)

    id: uuid.UUID
    event_id: uuid.UUID
    tenant_id: uuid.UUID | None
    consumer: str
    event_type: str
    reason: str
    error_class: str
    error_message: str
    attempts: int
    first_failed_at: datetime
    last_failed_at: datetime
    status: str
    resolved_at: datetime | None
    envelope: dict[str, Any]
    history: list[dict[str, Any]] = []
    """Each failed attempt: `at` (ISO time) and `error` (class: message)."""


class DeadLetterRead(DeadLetterView):
    """The whole dead letter, traceback included (operators)."""

    traceback: str

    @classmethod
    def of(cls, row: DeadLetter) -> DeadLetterRead:
        return cls(
            id=row.id,
            event_id=row.event_id,
            tenant_id=row.tenant_id,
            consumer=row.consumer,
            event_type=row.event_type,
            reason=row.reason,
            error_class=row.error_class,
            error_message=row.error_message,
            traceback=row.traceback,
            attempts=row.attempts,
            first_failed_at=row.first_failed_at,
            last_failed_at=row.last_failed_at,
            status=row.status,
            resolved_at=row.resolved_at,
            envelope=dict(row.envelope),
            history=list(row.history or []),
        )


@dataclass(frozen=True, slots=True)
class DeadLetterFilter:
    """Which dead letters: tenant (None = all, for operators), status, consumer, event type."""

    tenant_id: uuid.UUID | None = None
    status: str | None = OPEN
    consumer: str | None = None
    event_type: str | None = None


class DeadLetterStore:
    def __init__(self, session_factory: async_sessionmaker[AsyncSession]) -> None:
        self._session_factory = session_factory
        self._gauged: set[str] = set()

    async def record(
        self,
        session: AsyncSession,
        *,
        consumer: str,
        envelope: EventEnvelope,
        error: BaseException,
        reason: str,
        attempts: int,
        history: Sequence[tuple[datetime, str]] = (),
    ) -> None:
        """Write (or reopen) the dead letter of `envelope` for `consumer`, inside `session`.
        `history`: when each earlier attempt failed and with what (this failure is added)."""
        now = utcnow()
        tries = [
            {"at": at.isoformat(), "error": message[:500]}
            for at, message in [*history, (now, f"{type(error).__name__}: {error}")]
        ]
        trace = "".join(traceback_module.format_exception(error))[-20_000:]
        row = await session.scalar(
            select(DeadLetter).where(
                DeadLetter.event_id == envelope.id, DeadLetter.consumer == consumer
            )
        )
        if row is None:
            session.add(
                DeadLetter(
                    id=new_id(),
                    event_id=envelope.id,
                    tenant_id=envelope.tenant_id,
                    consumer=consumer,
                    event_type=envelope.event_type,
                    envelope=envelope.to_dict(),
                    reason=reason,
                    error_class=type(error).__name__,
                    error_message=str(error)[:5000],
                    traceback=trace,
                    attempts=attempts,
                    first_failed_at=history[0][0] if history else now,
                    last_failed_at=now,
                    history=tries,
                    status=OPEN,
                )
            )
        else:
            row.reason = reason
            row.error_class = type(error).__name__
            row.error_message = str(error)[:5000]
            row.traceback = trace
            row.attempts += attempts
            row.last_failed_at = now
            row.history = [*(row.history or []), *tries][-50:]
            row.status = OPEN
            row.resolved_at = None
        await session.flush()

    async def list(
        self, where: DeadLetterFilter, *, offset: int = 0, limit: int = 50
    ) -> tuple[list[DeadLetterRead], int]:
        async with self._session_factory() as session:
            query = self._filtered(where)
            total = await session.scalar(select(func.count()).select_from(query.subquery())) or 0
            rows = await session.scalars(
                query.order_by(DeadLetter.last_failed_at.desc(), DeadLetter.id)
                .offset(offset)
                .limit(limit)
            )
            return [DeadLetterRead.of(row) for row in rows], total

    async def ids(self, where: DeadLetterFilter) -> Sequence[uuid.UUID]:
        async with self._session_factory() as session:
            rows = await session.scalars(self._filtered(where).with_only_columns(DeadLetter.id))
            return rows.all()

    async def get(
        self, dead_letter_id: uuid.UUID, *, tenant_id: uuid.UUID | None
    ) -> DeadLetterRead:
        async with self._session_factory() as session:
            return DeadLetterRead.of(await self._access(session, dead_letter_id, tenant_id))

    async def discard(
        self, dead_letter_id: uuid.UUID, *, tenant_id: uuid.UUID | None
    ) -> DeadLetterRead:
        async with write_transaction(self._session_factory) as session:
            row = await self._access(session, dead_letter_id, tenant_id)
            if row.status != OPEN:
                raise DeadLetterClosed(f"The dead letter is already {row.status}.")
            row.status = DISCARDED
            row.resolved_at = utcnow()
            await session.flush()
            result = DeadLetterRead.of(row)
        await self.refresh_depth()
        return result

    async def mark_replayed(self, session: AsyncSession, dead_letter_id: uuid.UUID) -> None:
        row = await session.get(DeadLetter, dead_letter_id)
        if row is not None:
            row.status = REPLAYED
            row.resolved_at = utcnow()
            await session.flush()

    async def depth_by_consumer(self) -> dict[str, int]:
        """Open dead letters per consumer (consumers with none are absent)."""
        async with self._session_factory() as session:
            rows = await session.execute(
                select(DeadLetter.consumer, func.count())
                .where(DeadLetter.status == OPEN)
                .group_by(DeadLetter.consumer)
            )
            return {consumer: int(count) for consumer, count in rows.all()}

    async def refresh_depth(self, consumers: Iterable[str] = ()) -> int:
        """Set the depth gauge per consumer (0 for each of `consumers` with none); returns
        the total."""
        depth = await self.depth_by_consumer()
        # A consumer whose last letter went reads 0 rather than keeping its old value.
        self._gauged.update(consumers, depth)
        for consumer in self._gauged:
            DLQ_DEPTH.labels(consumer).set(depth.get(consumer, 0))
        return sum(depth.values())

    @staticmethod
    async def _access(
        session: AsyncSession, dead_letter_id: uuid.UUID, tenant_id: uuid.UUID | None
    ) -> DeadLetter:
        query = select(DeadLetter).where(DeadLetter.id == dead_letter_id)
        if tenant_id is not None:
            query = query.where(DeadLetter.tenant_id == tenant_id)
        row = await session.scalar(query)
        if row is None:
            raise DeadLetterNotFound("No such dead letter.")
        return row

    @staticmethod
    def _filtered(where: DeadLetterFilter) -> Select[DeadLetter]:
        query = select(DeadLetter)
        if where.tenant_id is not None:
            query = query.where(DeadLetter.tenant_id == where.tenant_id)
        if where.status is not None:
            query = query.where(DeadLetter.status == where.status)
        if where.consumer is not None:
            query = query.where(DeadLetter.consumer == where.consumer)
        if where.event_type is not None:
            query = query.where(DeadLetter.event_type == where.event_type)
        return query
