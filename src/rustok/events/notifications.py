"""Commit notifications across processes: PostgreSQL tells every relay that events committed.

The unit of work wakes the relay of its own process in memory. A relay in another process
(`rustok worker relay` beside API replicas) hears of a commit through `LISTEN rustok_outbox`:
a trigger on `sys_events` (migration 0004) notifies once per inserting statement, at commit.
Polling stays as the safety net for notifications lost while the listener reconnects.
Notifications sent by this process's own connections are ignored: its commits woke the relay
in memory already, and a second wake-up would cost an empty cycle per commit.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
from typing import TYPE_CHECKING, Any

import asyncpg
import structlog
from sqlalchemy import event

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine

    from rustok.events.outbox import Outbox

log = structlog.get_logger(__name__)

CHANNEL = "rustok_outbox"
_RETRY_BASE_SECONDS = 0.5
_RETRY_CAP_SECONDS = 30.0


class CommitListener:
    """Holds one connection that listens for outbox commits and wakes the relay on each."""

    def __init__(self, engine: AsyncEngine, outbox: Outbox, *, connect_timeout: float) -> None:
        url = engine.url.set(drivername="postgresql")
        self._dsn = url.render_as_string(hide_password=False)
        self._outbox = outbox
        self._connect_timeout = connect_timeout
        self._task: asyncio.Task[None] | None = None
        self._connected = asyncio.Event()
        self._own_pids: set[int] = set()
        pool_events = engine.sync_engine
        event.listen(pool_events, "connect", self._track)
        event.listen(pool_events, "close", self._untrack)
        event.listen(pool_events, "invalidate", self._untrack)

    def _track(self, dbapi_connection: Any, _record: Any) -> None:
        self._own_pids.add(dbapi_connection.driver_connection.get_server_pid())

    def _untrack(self, dbapi_connection: Any, _record: Any, *_: Any) -> None:
        driver = getattr(dbapi_connection, "driver_connection", None)
        if driver is not None:
            self._own_pids.discard(driver.get_server_pid())

    @property
    def listening(self) -> bool:
        return self._connected.is_set()

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="outbox-commit-listener")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

    def _notified(self, _connection: Any, pid: int, _channel: str, _payload: object) -> None:
        if pid not in self._own_pids:
            self._outbox.wake()

    async def _run(self) -> None:
        failures = 0
        while True:
            try:
                await self._listen_until_lost(reconnected=failures > 0)
                failures = 0
                log.warning("outbox.listener_lost", retry="reconnecting")
            except Exception as error:
                log.warning("outbox.listener_failed", error=repr(error)[:300])
            failures += 1
            ceiling = min(_RETRY_CAP_SECONDS, _RETRY_BASE_SECONDS * 2 ** (failures - 1))
            await asyncio.sleep(random.uniform(ceiling / 2, ceiling))  # noqa: S311 - jitter

    async def _listen_until_lost(self, *, reconnected: bool) -> None:
        connection = await asyncpg.connect(self._dsn, timeout=self._connect_timeout)
        lost = asyncio.Event()
        try:
            connection.add_termination_listener(lambda _connection: lost.set())
            await connection.add_listener(CHANNEL, self._notified)
            self._connected.set()
            if reconnected:
                log.info("outbox.listener_reconnected")
            self._outbox.wake()  # whatever committed while nobody listened
            await lost.wait()
        finally:
            self._connected.clear()
            if not connection.is_closed():
                with contextlib.suppress(Exception):
                    await connection.close(timeout=1)
