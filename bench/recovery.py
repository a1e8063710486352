"""Recovery figures of the distributed event spine (PostgreSQL + a private NATS JetStream).

    .venv/bin/python bench/recovery.py --database postgresql+asyncpg://postgres@127.0.0.1:5432/

Prints, for a 2,000-event backlog: relay kill -9 to all published (a relay subprocess killed
mid-publish, a fresh one started at once), and NATS back to all published (server stopped with
the backlog committed, then started). Dispatcher restart to first handled is in bench/lag.py.
Nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import func, select, text

# The repo root instead of bench/ (whose http.py would shadow the standard library).
sys.path[0] = str(Path(__file__).resolve().parents[1])

from tests.events.nats_server import NatsServerProcess, nats_server_binary  # noqa: E402 - after the sys.path fix above
from tests.events.probe import PROBE_MODULE, emit_into  # noqa: E402 - after the sys.path fix above

from rustok.bootstrap import build_container, default_modules  # noqa: E402 - after the sys.path fix above
from rustok.core import migrations  # noqa: E402 - after the sys.path fix above
from rustok.events.models import SysEvent  # noqa: E402 - after the sys.path fix above
from rustok.testing.app import settings_for_tests  # noqa: E402 - after the sys.path fix above
from rustok.testing.services import wait_until_async  # noqa: E402 - after the sys.path fix above

if TYPE_CHECKING:
    from rustok.bootstrap import Container
    from rustok.core.settings import Settings

BACKLOG = 2000


async def _published(container: Container) -> int:
    async with container.platform_sessions() as session:
        query = select(func.count()).select_from(SysEvent).where(SysEvent.published_at.is_not(None))
        return int(await session.scalar(query) or 0)


async def _write_backlog(container: Container, count: int) -> None:
    for start in range(0, count, 100):
        async with container.uow.platform() as uow:
            emit_into(uow, [(f"t{n % 20}", n) for n in range(start, start + 100)])
            await uow.commit()


def _env(settings: Settings, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "RUSTOK_ENV": "test",
        "RUSTOK_DATABASE_URL": settings.database_url,
        "RUSTOK_EVENT_TRANSPORT": "nats",
        "RUSTOK_NATS_URL": settings.nats_url,
        "RUSTOK_LOG_LEVEL": "WARNING",
        **extra,
    }


async def main(database: str) -> None:
    name = f"rustok_bench_{uuid.uuid4().hex[:8]}"
    admin = database.rstrip("/") + "/postgres"
    from sqlalchemy.ext.asyncio import create_async_engine

    engine = create_async_engine(admin, isolation_level="AUTOCOMMIT")
    async with engine.connect() as connection:
        await connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = database.rstrip("/") + "/" + name
    await migrations.upgrade(url, "head")
    with tempfile.TemporaryDirectory() as store:
        server = NatsServerProcess(nats_server_binary(), Path(store))
        await server.start()
        settings = settings_for_tests(url, event_transport="nats", nats_url=server.url)
        writer = build_container(settings, modules=[*default_modules(), PROBE_MODULE])
        try:
            # 1. relay kill -9 to all published
            await _write_backlog(writer, BACKLOG)
            relay = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "rustok.cli.main",
                "worker",
                "relay",
                env=_env(settings, RUSTOK_RELAY_BATCH_SIZE="20"),
                stdout=asyncio.subprocess.DEVNULL,
                stderr=asyncio.subprocess.DEVNULL,
            )
            await wait_until_async(lambda: _more(writer, 100), timeout=60, interval=0.005)
            relay.send_signal(signal.SIGKILL)
            await relay.wait()
            killed = time.perf_counter()
            relay = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "rustok.cli.main",
                "worker",
                "relay",
                env=_env(settings),
                stdout=asyncio.subprocess.DEVNULL,
                stderr=asyncio.subprocess.DEVNULL,
            )
            await wait_until_async(lambda: _more(writer, BACKLOG - 1), timeout=120, interval=0.01)
            print(f"relay kill -9 -> all {BACKLOG} published: {time.perf_counter() - killed:.2f} s")

            # 2. NATS back -> all published (the relay keeps running)
            await server.stop()
            await _write_backlog(writer, BACKLOG)
            await asyncio.sleep(3)  # bench only: let the relay fail and back off
            await server.start()
            back = time.perf_counter()
            await wait_until_async(
                lambda: _more(writer, 2 * BACKLOG - 1), timeout=120, interval=0.01
            )
            print(f"NATS back -> all {BACKLOG} published: {time.perf_counter() - back:.2f} s")
            relay.terminate()
            await relay.wait()
        finally:
            await writer.close()
            await server.stop()
    await engine.dispose()


async def _more(container: Container, count: int) -> bool:
    return await _published(container) > count


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database", default="postgresql+asyncpg://postgres@127.0.0.1:5432/")
    asyncio.run(main(parser.parse_args().database))
