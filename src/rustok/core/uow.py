"""Unit of work: one use case = one transaction; leaving the block without commit rolls back."""

from __future__ import annotations

from contextlib import AsyncExitStack
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, Self

from opentelemetry import trace

from rustok.core.db import begin_write, bind_platform, bind_tenant
from rustok.core.errors import DomainError
from rustok.core.sqlite import sqlite_write_gate

if TYPE_CHECKING:
    import uuid
    from collections.abc import Awaitable, Callable, Sequence
    from types import TracebackType

    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker


_tracer = trace.get_tracer(__name__)


class NestedUnitOfWork(DomainError):
    """A use case opened a unit of work inside another; pass the outer `uow` down instead."""


@dataclass(frozen=True, slots=True)
class PendingEvent:
    """An event emitted in a unit of work, written to the outbox when it commits."""

    event: object
    tenant_id: uuid.UUID | None
    aggregate_version: int | None = None
    causation_id: str | None = None


class OutboxWriter(Protocol):
    """Writes pending events as outbox rows inside the committing transaction (rustok.events)."""

    async def write(self, session: AsyncSession, pending: Sequence[PendingEvent]) -> None: ...

    def wake(self) -> None: ...


class ReadOnlyUnitOfWork(RuntimeError):
    """A read-only unit of work was asked to emit or commit; open a writing one instead."""


class EventsWithoutOutbox(RuntimeError):
    """Events were emitted but this unit of work has nowhere to write them."""


class UnitOfWork:
    """Owns one session and its transaction for the length of an `async with` block.

    It is bound to one tenant (its session reads and writes only that tenant's rows, see
    `rustok.core.db.TenantOwned`), or to the platform, which crosses tenants.
    A step called inside another use case receives the outer `uow` and never commits.
    Hooks registered with `on_commit` run after a successful commit (for example cache
    invalidation); they never run on rollback.
    """

    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        outbox: OutboxWriter | None = None,
        *,
        tenant_id: uuid.UUID | None,
        read_only: bool = False,
    ) -> None:
        self._session_factory = session_factory
        self._outbox = outbox
        self.tenant_id = tenant_id
        """None: the platform's unit of work, across tenants."""
        self.read_only = read_only
        """Reads only: on SQLite it never queues for the write turn (a read must not wait
        behind writers); it cannot emit or commit, and always rolls back."""
        self._session: AsyncSession | None = None
        self._resources = AsyncExitStack()
        """The SQLite write turn and the session, released in reverse on exit."""
        self._committed = False
        self._after_commit: list[Callable[[], Awaitable[None]]] = []
        self._events: list[PendingEvent] = []

    @property
    def session(self) -> AsyncSession:
        if self._session is None:
            raise RuntimeError("the unit of work is not open; use `async with uow:`")
        return self._session

    async def __aenter__(self) -> Self:
        if self._session is not None:
            raise NestedUnitOfWork("unit of work already open", code="NESTED_UNIT_OF_WORK")
        self._committed = False
        self._after_commit = []
        self._events = []
        async with AsyncExitStack() as stack:  # a failure here releases what was taken
            if not self.read_only:
                await stack.enter_async_context(sqlite_write_gate(self._session_factory))
            session = await stack.enter_async_context(self._session_factory())
            if self.tenant_id is not None:
                bind_tenant(session, self.tenant_id)
            else:
                bind_platform(session)
            await session.begin()
            if not self.read_only:
                await begin_write(session)
            self._resources = stack.pop_all()
        self._session = session
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        session, self._session = self._session, None
        if session is None:
            return
        try:
            if not self._committed:
                await session.rollback()
        finally:
            await self._resources.aclose()  # closes the session, then ends the write turn
        if self._committed:
            hooks, self._after_commit = self._after_commit, []
            for hook in hooks:
                await hook()

    async def _write_and_commit(self, session: AsyncSession, events: list[PendingEvent]) -> None:
        if events and self._outbox is not None:
            await self._outbox.write(session, events)
        await session.commit()

    def on_commit(self, hook: Callable[[], Awaitable[None]]) -> None:
        """Run `hook` once the transaction has committed."""
        self._after_commit.append(hook)

    def emit(
        self,
        event: object,
        *,
        tenant_id: uuid.UUID | None,
        aggregate_version: int | None = None,
        causation_id: str | None = None,
    ) -> None:
        """Buffer `event`; it becomes an outbox row in this transaction when it commits."""
        if self.read_only:
            raise ReadOnlyUnitOfWork("a read-only unit of work cannot emit events")
        self._events.append(PendingEvent(event, tenant_id, aggregate_version, causation_id))

    @property
    def pending_events(self) -> tuple[PendingEvent, ...]:
        return tuple(self._events)

    async def commit(self) -> None:
        if self.read_only:
            raise ReadOnlyUnitOfWork("a read-only unit of work cannot commit")
        session = self.session
        events, self._events = self._events, []
        if events and self._outbox is None:
            raise EventsWithoutOutbox("events were emitted but no outbox is configured")
        # A span only inside a traced request or handler: a commit never starts a trace.
        if trace.get_current_span().is_recording():
            with _tracer.start_as_current_span(
                "uow.commit", attributes={"rustok.events": len(events)}
            ):
                await self._write_and_commit(session, events)
        else:
            await self._write_and_commit(session, events)
        self._committed = True
        if events and self._outbox is not None:
            self._outbox.wake()


class UnitOfWorkFactory:
    """Makes a fresh unit of work per use case; held by the composition root.

    `uow(tenant_id)` is bound to that tenant; `uow.platform()` crosses tenants (the relay, the
    dispatcher, operators' tenant management, the CLI): the one way past the tenant walls.
    """

    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        outbox: OutboxWriter | None = None,
    ) -> None:
        self.session_factory = session_factory
        self.outbox = outbox

    def __call__(self, tenant_id: uuid.UUID, *, read_only: bool = False) -> UnitOfWork:
        return UnitOfWork(
            self.session_factory, self.outbox, tenant_id=tenant_id, read_only=read_only
        )

    def platform(self, *, read_only: bool = False) -> UnitOfWork:
        """A unit of work across tenants. Only for work that must cross them."""
        return UnitOfWork(self.session_factory, self.outbox, tenant_id=None, read_only=read_only)
