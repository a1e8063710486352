"""How modules declare event handlers (consumers) and what a handler receives."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rustok.core.uow import UnitOfWork
    from rustok.events.envelope import EventEnvelope
    from rustok.events.registry import DomainEvent


@dataclass(frozen=True, slots=True)
class HandlerContext:
    """The delivery being handled. `uow` is open (do not commit it) for group handlers; the
    ledger row is written in it, so the handler's effect and "done" commit together."""

    envelope: EventEnvelope
    uow: UnitOfWork | None

    def emit(self, event: object) -> None:
        """Emit a follow-up event caused by this one (same transaction as the effect)."""
        if self.uow is None:
            raise RuntimeError("broadcast handlers cannot emit events")
        self.uow.emit(event, tenant_id=self.envelope.tenant_id, causation_id=str(self.envelope.id))


HandleFunction = Callable[[HandlerContext, "DomainEvent"], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class EventHandler:
    """A consumer: its name (durable group and ledger key), the event types it takes, and how.

    A group handler runs once per event in the whole deployment, inside a unit of work with the
    ledger row, so a redelivery is a no-op; it must still be idempotent in effects outside the
    database. A `broadcast` handler runs in every process (e.g. dropping a local cache) without
    ledger or retries: it must be cheap and idempotent.
    """

    consumer: str
    event_types: frozenset[str]
    handle: HandleFunction
    broadcast: bool = False
    max_attempts: int = 5
    timeout_seconds: float = 30.0
