"""In-process stores for the embedded mode: one process, no network, no shared state.

Every operation completes without awaiting in the middle, so on one event loop each call is
atomic without a lock. Expired state is dropped when touched and by a periodic sweep that
runs at most once per `sweep_interval_seconds`, so memory stays bounded by live keys.
"""

from __future__ import annotations

import time
from collections import deque
from typing import TYPE_CHECKING

import structlog

from rustok.stores.base import (
    Broadcast,
    Generations,
    KeyValueStore,
    RateLimitDecision,
    RateLimitStore,
    Stores,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from rustok.stores.base import MessageHandler

log = structlog.get_logger(__name__)

DEFAULT_SWEEP_INTERVAL_SECONDS = 60.0


class _Sweeper:
    """Decides when a full pass over the keys is due, so the cost is amortised over time."""

    def __init__(self, clock: Callable[[], float], interval_seconds: float) -> None:
        self._interval = interval_seconds
        self._next = clock() + interval_seconds

    def due(self, now: float) -> bool:
        if now < self._next:
            return False
        self._next = now + self._interval
        return True


class MemoryKeyValueStore(KeyValueStore):
    def __init__(
        self,
        *,
        clock: Callable[[], float] = time.monotonic,
        sweep_interval_seconds: float = DEFAULT_SWEEP_INTERVAL_SECONDS,
    ) -> None:
        self._clock = clock
        self._entries: dict[str, tuple[float, bytes]] = {}
        self._sweeper = _Sweeper(clock, sweep_interval_seconds)

    def __len__(self) -> int:
        return len(self._entries)

    async def get(self, key: str) -> bytes | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        expires_at, value = entry
        if expires_at <= self._clock():
            del self._entries[key]
            return None
        return value

    async def set(self, key: str, value: bytes, ttl_seconds: float) -> None:
        now = self._clock()
        self._entries[key] = (now + ttl_seconds, value)
        if self._sweeper.due(now):
            self._sweep(now)

    async def delete(self, *keys: str) -> None:
        for key in keys:
            self._entries.pop(key, None)

    def _sweep(self, now: float) -> None:
        expired = [key for key, (expires_at, _) in self._entries.items() if expires_at <= now]
        for key in expired:
            del self._entries[key]


class MemoryRateLimitStore(RateLimitStore):
    """An exact sliding-window log: the timestamps of the counted requests of each key.

    A refused request is not counted, so a client that keeps retrying is let in again as soon
    as its oldest counted request leaves the window. A key holds at most `limit` timestamps.
    """

    def __init__(
        self,
        *,
        clock: Callable[[], float] = time.monotonic,
        sweep_interval_seconds: float = DEFAULT_SWEEP_INTERVAL_SECONDS,
    ) -> None:
        self._clock = clock
        self._logs: dict[str, tuple[float, deque[float]]] = {}
        self._sweeper = _Sweeper(clock, sweep_interval_seconds)

    def __len__(self) -> int:
        return len(self._logs)

    async def hit(self, key: str, limit: int, window_seconds: float) -> RateLimitDecision:
        if limit < 1:
            raise ValueError("limit must be at least 1")
        now = self._clock()
        if self._sweeper.due(now):
            self._sweep(now)
        entry = self._logs.get(key)
        stamps: deque[float] = deque() if entry is None else entry[1]
        # Remember the window with the log so the sweep knows when the key has gone idle.
        self._logs[key] = (window_seconds, stamps)
        _expire(stamps, now - window_seconds)
        allowed = len(stamps) < limit
        if allowed:
            stamps.append(now)
        return RateLimitDecision(
            allowed=allowed,
            limit=limit,
            remaining=max(0, limit - len(stamps)),
            # `(stamps[0] - now) + window`, not `stamps[0] + window - now`: the difference of
            # two clock readings is at most 0, so the sum never rounds above the window
            # (which made `RateLimit-Reset` 61 for a 60 s window at some clock values).
            reset_after_seconds=(stamps[0] - now) + window_seconds,
        )

    async def reset(self, key: str) -> None:
        self._logs.pop(key, None)

    def _sweep(self, now: float) -> None:
        idle = [key for key, (window, stamps) in self._logs.items() if stamps[-1] <= now - window]
        for key in idle:
            del self._logs[key]


def _expire(stamps: deque[float], cutoff: float) -> None:
    """Drop the timestamps at or before `cutoff`; they are oldest first."""
    while stamps and stamps[0] <= cutoff:
        stamps.popleft()


class MemoryBroadcast(Broadcast):
    """Delivers to the subscribers of this process, in subscription order, before returning.

    A failing handler is logged and does not stop delivery to the others.
    """

    def __init__(self) -> None:
        self._handlers: dict[str, list[MessageHandler]] = {}

    async def publish(self, channel: str, message: str) -> None:
        for handler in tuple(self._handlers.get(channel, ())):
            try:
                await handler(message)
            except Exception:
                log.exception("broadcast.handler_failed", channel=channel)

    async def subscribe(self, channel: str, handler: MessageHandler) -> None:
        self._handlers.setdefault(channel, []).append(handler)

    async def close(self) -> None:
        self._handlers.clear()


_PROCESS_GENERATIONS: dict[str, int] = {}
"""Every `MemoryGenerations` of the process shares these (see there)."""


class MemoryGenerations(Generations):
    """Counters shared by the whole process, not by one `MemoryStores`: two containers in one
    process (a test's two replicas on one database) must see each other's changes, as two
    replicas on one Redis do. Keys name their tenant, so sharing never mixes tenants up; at
    worst a bump elsewhere costs a reload. Across processes nothing is shared: `rustok serve
    --processes N` without Redis turns what relies on this off."""

    def __init__(self, counters: dict[str, int] | None = None) -> None:
        self._counters = _PROCESS_GENERATIONS if counters is None else counters

    async def read(self, keys: Sequence[str]) -> tuple[str, ...]:
        counters = self._counters
        return tuple(str(counters.get(key, 0)) for key in keys)

    async def bump(self, keys: Sequence[str]) -> None:
        for key in keys:
            self._counters[key] = self._counters.get(key, 0) + 1


class MemoryStores(Stores):
    """Stores for one process; `clock` (monotonic seconds) is injectable for tests."""

    def __init__(
        self,
        *,
        clock: Callable[[], float] = time.monotonic,
        sweep_interval_seconds: float = DEFAULT_SWEEP_INTERVAL_SECONDS,
    ) -> None:
        self.kv: MemoryKeyValueStore = MemoryKeyValueStore(
            clock=clock, sweep_interval_seconds=sweep_interval_seconds
        )
        self.rate_limits: MemoryRateLimitStore = MemoryRateLimitStore(
            clock=clock, sweep_interval_seconds=sweep_interval_seconds
        )
        self.broadcast: MemoryBroadcast = MemoryBroadcast()
        self.generations: MemoryGenerations = MemoryGenerations()

    async def ping(self) -> None:
        """Always reachable: it lives in this process."""

    async def close(self) -> None:
        await self.broadcast.close()
