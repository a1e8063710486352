"""Order per aggregate across dispatcher crashes (ADR 0007).

Two dispatcher processes of one consumer group take a burst of updates to a few aggregates
while, again and again, one of them is killed with SIGKILL and a fresh one started. What the
dead one had fetched but not acknowledged comes back after the ack wait, long after the
survivor went on with later events of the same aggregates: those must wait for it.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import func, select, text

from rustok.bootstrap import build_container, default_modules
from rustok.core.db import create_engine
from rustok.events.models import HandledEvent
from rustok.testing.services import wait_until_async
from tests.events.probe import PROBE_MODULE, emit_into, new_thing
from tests.faults.ordered_worker import CONSUMER

if TYPE_CHECKING:
    from rustok.bootstrap import Container
    from rustok.core.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
THINGS = 4
UPDATES = 200  # per thing
KILLS = 3


def _dispatcher_env(settings: Settings) -> dict[str, str]:
    return {
        **os.environ,
        "RUSTOK_ENV": "test",
        "RUSTOK_DATABASE_URL": settings.database_url,
        "RUSTOK_EVENT_TRANSPORT": "nats",
        "RUSTOK_NATS_URL": settings.nats_url,
        "RUSTOK_NATS_STREAM": settings.nats_stream,
        "RUSTOK_NATS_SUBJECT_PREFIX": settings.nats_subject_prefix,
        # What a dead process held comes back after this: short, so the test is quick, and
        # still long after its successors handled later events of the same aggregates.
        "RUSTOK_NATS_ACK_WAIT_SECONDS": "3",
        "RUSTOK_DISPATCHER_LANES": "4",
        "RUSTOK_LOG_FORMAT": "json",
        "RUSTOK_LOG_LEVEL": "WARNING",
    }


async def _start_dispatcher(settings: Settings) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.faults.ordered_worker",
        cwd=ROOT,
        env=_dispatcher_env(settings),
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )


async def _effects(container: Container) -> int:
    async with container.platform_sessions() as session:
        return await session.scalar(text("SELECT count(*) FROM probe_effects")) or 0


async def _write_burst(container: Container, things: list[str]) -> None:
    """One unit of work per round, updating every thing once (n = its version)."""
    for n in range(1, UPDATES + 1):
        async with container.uow.platform() as uow:
            emit_into(uow, [(thing, n) for thing in things])
            await uow.commit()
        if n % 10 == 0:
            await asyncio.sleep(0)  # let the relay publish while the burst goes on


@pytest.mark.slow
@pytest.mark.backends("postgres")  # separate dispatcher processes need a broker
async def test_killed_dispatchers_never_break_the_order_per_aggregate(
    spine_settings: Settings,
) -> None:
    things = [new_thing() for _ in range(THINGS)]
    total = THINGS * UPDATES
    relay_only = build_container(spine_settings, modules=[*default_modules(), PROBE_MODULE])
    # Created as the tables' owner (the application's role may not change the schema); the
    # migrations' default privileges let the application write it.
    owner = create_engine(spine_settings.model_copy(update={"db_role": ""}))
    try:
        async with owner.begin() as connection:
            await connection.execute(
                text("CREATE TABLE probe_effects (id BIGSERIAL PRIMARY KEY, thing TEXT, n INT)")
            )
    finally:
        await owner.dispose()
    workers = [await _start_dispatcher(spine_settings) for _ in range(2)]
    killed = 0
    try:
        await relay_only.start_with(relay=True, consumers=[])
        writer = asyncio.create_task(_write_burst(relay_only, things))
        seen = 0
        for _ in range(KILLS):
            # Kill the older dispatcher once it has done some work; start a fresh one.
            target = seen + 120
            await wait_until_async(
                lambda target=target: _at_least(relay_only, target), timeout=60, interval=0.01
            )
            seen = await _effects(relay_only)
            victim = workers.pop(0)
            victim.send_signal(signal.SIGKILL)
            await victim.wait()
            killed += 1
            workers.append(await _start_dispatcher(spine_settings))
        await writer
        await wait_until_async(
            lambda: _at_least(relay_only, total),
            timeout=90,
            message="not every event was handled",
        )
        async with relay_only.platform_sessions() as session:
            rows = (
                await session.execute(text("SELECT thing, n FROM probe_effects ORDER BY id"))
            ).all()
            ledger = await session.scalar(
                select(func.count())
                .select_from(HandledEvent)
                .where(HandledEvent.consumer == CONSUMER)
            )
    finally:
        for worker in workers:
            if worker.returncode is None:
                worker.send_signal(signal.SIGKILL)
                await worker.wait()
        await relay_only.close()
        # The next test's reset knows only the migrated tables: leave none of ours behind.
        owner = create_engine(spine_settings.model_copy(update={"db_role": ""}))
        try:
            async with owner.begin() as connection:
                await connection.execute(text("DROP TABLE IF EXISTS probe_effects"))
        finally:
            await owner.dispose()

    assert killed == KILLS
    assert seen < total  # the last kill came before the end of the burst
    assert len(rows) == total  # nothing lost, nothing done twice
    assert ledger == total
    for thing in things:
        assert [n for t, n in rows if t == thing] == list(range(1, UPDATES + 1))  # in order


async def _at_least(container: Container, count: int) -> bool:
    return await _effects(container) >= count
