"""What every event transport offers the relay (publish) and the dispatcher (consume)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence

    from rustok.events.envelope import EventEnvelope


class Delivery(ABC):
    """One event handed to one consumer group; settle it exactly once (ack or nak)."""

    envelope: EventEnvelope
    delivery_count: int
    """1 on the first delivery; more when the transport redelivers (crash, nak)."""

    @abstractmethod
    async def ack(self) -> None:
        """The group is done with the event (handled, skipped as duplicate, or dead-lettered)."""

    @abstractmethod
    async def nak(self, delay_seconds: float) -> None:
        """Give the event back for redelivery after `delay_seconds` (e.g. on shutdown)."""

    @abstractmethod
    async def in_progress(self) -> None:
        """Still working on it: keep the transport from redelivering it meanwhile."""


DeliveryHandler = Callable[[Delivery], Awaitable[None]]
SettledCallback = Callable[["Sequence[EventEnvelope]"], Awaitable[None]]


class EventTransport(ABC):
    """Moves envelopes from the relay to consumer groups.

    `durable` transports keep what they accepted across crashes (JetStream): the relay marks an
    event published as soon as `publish` returns. A non-durable one (memory) reports through
    `on_settled` when every group has settled an event; until then the outbox keeps it leased,
    so a crash re-sends it and nothing is lost.
    """

    name: str
    durable: bool

    @abstractmethod
    async def start(self) -> None:
        """Connect and create what the transport needs (streams, queues)."""

    @abstractmethod
    async def close(self) -> None:
        """Stop consuming and release connections; unsettled deliveries are redelivered later."""

    @abstractmethod
    async def publish(self, envelopes: Sequence[EventEnvelope]) -> None:
        """Accept every envelope or raise `TransportError` (some may have been accepted)."""

    @abstractmethod
    async def subscribe(
        self,
        group: str,
        event_types: frozenset[str],
        handler: DeliveryHandler,
        *,
        max_in_flight: int,
    ) -> None:
        """Deliver events of `event_types` to `handler`, each to one member of `group` only."""

    @abstractmethod
    async def subscribe_broadcast(
        self, name: str, event_types: frozenset[str], handler: DeliveryHandler
    ) -> None:
        """Deliver events of `event_types` published from now on to this process (and every
        other process that subscribes): for per-process effects such as cache invalidation."""

    @abstractmethod
    async def ping(self) -> None:
        """Raise if the transport cannot be used right now."""

    async def backlog(self, groups: Sequence[str]) -> dict[str, int]:
        """Per group, the events held for it and not yet acknowledged (undelivered, or out
        with a member); a group the transport does not know is absent."""
        return {}

    def on_settled(self, callback: SettledCallback) -> None:  # noqa: B027 - optional hook
        """Register what to call when events are settled by every group (non-durable only)."""

    def on_reconnected(self, callback: Callable[[], None]) -> None:  # noqa: B027 - optional hook
        """Register what to call when the connection to the broker is back after an outage
        (the relay retries at once instead of sleeping out its backoff)."""
