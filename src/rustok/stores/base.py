"""The small abstract bases every store backend implements (memory in-process, Redis shared)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class RateLimitDecision:
    allowed: bool
    limit: int
    remaining: int
    reset_after_seconds: float
    """Seconds until a request would be allowed again (when refused) or the window frees up."""


class KeyValueStore(ABC):
    """A cache of bytes with per-key expiry."""

    @abstractmethod
    async def get(self, key: str) -> bytes | None:
        """The value, or None when absent or expired."""

    @abstractmethod
    async def set(self, key: str, value: bytes, ttl_seconds: float) -> None:
        """Store `value` under `key` for `ttl_seconds`."""

    @abstractmethod
    async def delete(self, *keys: str) -> None:
        """Remove the keys; absent keys are ignored."""


class RateLimitStore(ABC):
    """Sliding-window counters: exact, and atomic across every process sharing the store."""

    @abstractmethod
    async def hit(self, key: str, limit: int, window_seconds: float) -> RateLimitDecision:
        """Count one request under `key` unless that would exceed `limit` in the window."""

    async def hit_each(self, hits: Sequence[tuple[str, int, float]]) -> list[RateLimitDecision]:
        """`hit` each `(key, limit, window_seconds)` in turn until one refuses; the decisions
        so far, the refusal last. Keys after a refusal are not spent. A backend that can do
        it in one round trip overrides this."""
        decisions: list[RateLimitDecision] = []
        for key, limit, window_seconds in hits:
            decision = await self.hit(key, limit, window_seconds)
            decisions.append(decision)
            if not decision.allowed:
                break
        return decisions

    @abstractmethod
    async def reset(self, key: str) -> None:
        """Forget every request counted under `key`."""


class Generations(ABC):
    """Tags that change whenever what they guard changes, seen alike by every process sharing
    the store: a cache entry remembers the tags it was read under and counts only while they
    are unchanged. A check per use cannot miss a change the way a broadcast message can."""

    @abstractmethod
    async def read(self, keys: Sequence[str]) -> tuple[str, ...]:
        """The current tag of each key, in order (one round trip)."""

    @abstractmethod
    async def bump(self, keys: Sequence[str]) -> None:
        """Give each key a tag it has never had, so every entry read under the old one lapses."""


MessageHandler = Callable[[str], Awaitable[None]]


class Broadcast(ABC):
    """Fire-and-forget messages to every process subscribed to a channel (cache invalidation)."""

    @abstractmethod
    async def publish(self, channel: str, message: str) -> None:
        """Send `message` to every subscriber of `channel`, this process included."""

    @abstractmethod
    async def subscribe(self, channel: str, handler: MessageHandler) -> None:
        """Call `handler` for every message on `channel` until `close`."""

    @abstractmethod
    async def close(self) -> None:
        """Stop listening and release connections."""


class Stores(ABC):
    """The set of backends one process uses; built by the composition root."""

    kv: KeyValueStore
    rate_limits: RateLimitStore
    broadcast: Broadcast
    generations: Generations

    @abstractmethod
    async def ping(self) -> None:
        """Raise if the backend cannot be reached."""

    @abstractmethod
    async def close(self) -> None:
        """Release every connection."""
