"""SQLite on the event loop: writers queue in order, and a lock held elsewhere is waited for
without blocking the loop."""

from __future__ import annotations

import asyncio
import sqlite3
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import make_url, text

from rustok.core import sqlite as sqlite_module
from rustok.core.db import create_engine, create_session_factory, write_transaction
from rustok.core.sqlite import WriteGateTimeout
from rustok.testing.services import wait_until_async

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

    from rustok.core.settings import Settings

pytestmark = pytest.mark.backends("sqlite")


@pytest.fixture
async def sessions(settings: Settings) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_engine(settings)
    try:
        yield create_session_factory(engine)
    finally:
        await engine.dispose()


async def _count(sessions: async_sessionmaker[AsyncSession]) -> int:
    async with sessions() as session:
        return int(await session.scalar(text("SELECT count(*) FROM event_ledger")) or 0)


async def _insert(sessions: async_sessionmaker[AsyncSession], consumer: str) -> None:
    async with write_transaction(sessions) as session:
        await session.execute(
            text(
                "INSERT INTO event_ledger (consumer, event_id, handled_at) "
                "VALUES (:consumer, :id, '2026-01-01 00:00:00')"
            ),
            {"consumer": consumer, "id": consumer.ljust(32, "0")},
        )


async def test_a_writer_waits_for_another_process_lock_while_the_loop_runs_on(
    settings: Settings, sessions: async_sessionmaker[AsyncSession]
) -> None:
    path = make_url(settings.database_url).database
    assert path is not None
    other = sqlite3.connect(path, isolation_level=None)  # as another process would
    other.execute("BEGIN IMMEDIATE")
    ticks = 0

    async def tick() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0.005)

    ticker = asyncio.create_task(tick())
    writer = asyncio.create_task(_insert(sessions, "waiting"))
    try:
        # The writer is held by the other connection's lock, and the loop keeps running.
        await wait_until_async(lambda: ticks >= 20, timeout=5)
        assert not writer.done()
        other.execute("COMMIT")
        await asyncio.wait_for(writer, timeout=5)
    finally:
        ticker.cancel()
        other.close()

    assert await _count(sessions) == 1


async def test_writers_of_one_process_queue_and_all_commit(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    await asyncio.gather(*(_insert(sessions, f"writer{n}") for n in range(50)))

    assert await _count(sessions) == 50


async def test_a_writer_inside_another_gives_up_with_a_clear_error(
    sessions: async_sessionmaker[AsyncSession], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sqlite_module, "SQLITE_BUSY_TIMEOUT_SECONDS", 0.2)

    with pytest.raises(WriteGateTimeout, match="pass the outer one down"):
        async with write_transaction(sessions):
            await _insert(sessions, "nested")
