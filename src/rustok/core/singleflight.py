"""Coalesce concurrent loads of the same key into one (singleflight on asyncio tasks)."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Generic, TypeVar

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

K = TypeVar("K")
V = TypeVar("V")


class SingleFlight(Generic[K, V]):
    """While a load for a key runs, every other caller for that key awaits the same result.

    The load runs in its own task, so cancelling one caller (even the first) neither cancels
    the load nor leaves the others waiting; a failure reaches every waiter and is not
    remembered, so the next call loads again.
    """

    def __init__(self) -> None:
        self._in_flight: dict[K, asyncio.Task[V]] = {}

    @property
    def in_flight(self) -> int:
        return len(self._in_flight)

    async def do(self, key: K, load: Callable[[], Awaitable[V]]) -> tuple[V, bool]:
        """Return (value, shared): `shared` is True when another caller's load was reused."""
        task = self._in_flight.get(key)
        if task is not None:
            return await asyncio.shield(task), True
        task = asyncio.ensure_future(load())
        self._in_flight[key] = task
        task.add_done_callback(lambda _: self._forget(key, task))
        return await asyncio.shield(task), False

    def _forget(self, key: K, task: asyncio.Task[V]) -> None:
        if self._in_flight.get(key) is task:
            del self._in_flight[key]
        if not task.cancelled():
            task.exception()  # retrieved here so a load nobody awaited any more is not reported
