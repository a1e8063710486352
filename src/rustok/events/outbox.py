"""The transactional outbox: emitted events become `sys_events` rows in the same transaction."""

from __future__ import annotations

import asyncio
import uuid
from typing import TYPE_CHECKING, Any

from sqlalchemy import insert

from rustok.core.clock import utcnow
from rustok.core.context import current_context
from rustok.core.ids import new_id
from rustok.events.envelope import EventEnvelope
from rustok.events.models import SYS_EVENTS, SysEvent
from rustok.events.registry import DomainEvent
from rustok.observability.tracing import inject_trace

if TYPE_CHECKING:
    from collections.abc import Sequence
    from datetime import datetime

    from sqlalchemy import Row
    from sqlalchemy.ext.asyncio import AsyncSession

    from rustok.core.uow import PendingEvent


class Outbox:
    """Implements `rustok.core.uow.OutboxWriter`; `wake()` tells the relay there is work."""

    def __init__(self) -> None:
        self._wakeup = asyncio.Event()

    @property
    def wakeup(self) -> asyncio.Event:
        return self._wakeup

    def wake(self) -> None:
        self._wakeup.set()

    async def write(self, session: AsyncSession, pending: Sequence[PendingEvent]) -> None:
        now = utcnow()
        context = current_context()
        # The committing span's context: the relay and the handler continue its trace.
        traced: dict[str, str] = {}
        inject_trace(traced)
        rows = []
        for item in pending:
            event = item.event
            if not isinstance(event, DomainEvent):
                raise TypeError(f"{type(event).__name__} is not a DomainEvent")
            envelope = EventEnvelope(
                id=new_id(),
                event_type=event.event_type,
                schema_version=event.schema_version,
                tenant_id=item.tenant_id,
                aggregate_type=event.aggregate_type,
                aggregate_id=event.aggregate_id,
                aggregate_version=item.aggregate_version,
                occurred_at=now,
                payload=event.model_dump(mode="json"),
                actor_id=context.actor_id if context else None,
                correlation_id=context.correlation_id if context else None,
                causation_id=item.causation_id,
                trace_id=context.request_id if context else None,
                headers=traced,
            )
            rows.append(outbox_values(envelope, next_attempt_at=now))
        # A Core insert on the session's connection, in insertion order (which gives `seq`):
        # through the ORM it would be compiled afresh every time, on every write of the platform.
        connection = await session.connection()
        await connection.execute(insert(SYS_EVENTS), rows)


def outbox_values(envelope: EventEnvelope, *, next_attempt_at: datetime) -> dict[str, Any]:
    """The outbox row of an envelope (headers hold the causal ids, as the transports send them)."""
    return {
        "id": envelope.id,
        "tenant_id": envelope.tenant_id,
        "event_type": envelope.event_type,
        "schema_version": envelope.schema_version,
        "aggregate_type": envelope.aggregate_type,
        "aggregate_id": envelope.aggregate_id,
        "aggregate_version": envelope.aggregate_version,
        "payload": envelope.payload,
        "headers": {
            "actor_id": str(envelope.actor_id) if envelope.actor_id else None,
            "correlation_id": envelope.correlation_id,
            "causation_id": envelope.causation_id,
            "trace_id": envelope.trace_id,
            **envelope.headers,
        },
        "occurred_at": envelope.occurred_at,
        "published_at": None,
        "attempts": 0,
        "next_attempt_at": next_attempt_at,
    }


def row_envelope(row: SysEvent | Row[Any]) -> EventEnvelope:
    """The envelope an outbox row describes."""
    headers = dict(row.headers or {})
    actor = headers.pop("actor_id", None)
    correlation = headers.pop("correlation_id", None)
    causation = headers.pop("causation_id", None)
    trace = headers.pop("trace_id", None)
    return EventEnvelope(
        id=row.id,
        event_type=row.event_type,
        schema_version=row.schema_version,
        tenant_id=row.tenant_id,
        aggregate_type=row.aggregate_type,
        aggregate_id=row.aggregate_id,
        aggregate_version=row.aggregate_version,
        occurred_at=row.occurred_at,
        payload=dict(row.payload),
        actor_id=uuid.UUID(actor) if actor else None,
        correlation_id=correlation,
        causation_id=causation,
        trace_id=trace,
        headers={str(k): str(v) for k, v in headers.items() if v is not None},
        sequence=getattr(row, "seq", None),
    )
