"""Event lag at a steady write rate, and dispatcher restart to first handled, on the
distributed stack (PostgreSQL + a private NATS JetStream, relay and dispatcher processes).

    .venv/bin/python bench/lag.py --database postgresql+asyncpg://postgres@127.0.0.1:5432/ \
        [--rates 50,200] [--seconds 10] [--restarts 5]

The writes are open loop from this process: one unit of work with one `probe.thing.happened`
event started every 1/rate s, each in its own task (its commit wakes the relay through
PostgreSQL's NOTIFY). The relay is `rustok worker relay`; the dispatcher is
`rustok worker dispatch` exactly as shipped, plus the probe consumer (the stock modules have
only broadcast consumers, which record no lag). Lag is read two ways: the dispatcher's own
histogram `rustok_events_end_to_end_seconds` from its /metrics (p50/p99 interpolated within
buckets, as Prometheus' histogram_quantile does), and per event from the database (ledger
`handled_at` - outbox `occurred_at`). Restart: the dispatcher is stopped, a 200-event backlog
is published meanwhile, and a new dispatcher process is started; the figure is process spawn
to the first ledger row, split at the end of its imports and at its `worker.started` log line.
Nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import statistics
import sys
import tempfile
import time
import uuid
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

# The repo root instead of bench/ (whose http.py would shadow the standard library).
sys.path[0] = str(Path(__file__).resolve().parents[1])

import httpx  # noqa: E402 - after the sys.path fix above
from sqlalchemy import func, select, text  # noqa: E402 - after the sys.path fix above
from tests.events.nats_server import NatsServerProcess, free_port, nats_server_binary  # noqa: E402 - after the sys.path fix above
from tests.events.probe import PROBE_MODULE, emit_into  # noqa: E402 - after the sys.path fix above

from rustok.bootstrap import build_container, default_modules  # noqa: E402 - after the sys.path fix above
from rustok.core import migrations  # noqa: E402 - after the sys.path fix above
from rustok.core.db import bind_platform  # noqa: E402 - after the sys.path fix above
from rustok.events.models import HandledEvent, SysEvent  # noqa: E402 - after the sys.path fix above
from rustok.testing.app import settings_for_tests  # noqa: E402 - after the sys.path fix above
from rustok.testing.services import wait_until_async  # noqa: E402 - after the sys.path fix above

if TYPE_CHECKING:
    from rustok.bootstrap import Container
    from rustok.core.settings import Settings

CONSUMER = "probe.recorder"
BACKLOG = 200


def _dispatcher_with_probe() -> None:
    """`rustok worker dispatch` as shipped, with the probe module among the stock ones."""
    import rustok.bootstrap
    from rustok.cli.main import app

    stock = rustok.bootstrap.default_modules
    rustok.bootstrap.default_modules = lambda: [*stock(), PROBE_MODULE]
    print(f"bench.imported {time.time()}", flush=True)  # read by the parent
    app(["worker", "dispatch"])


def _env(settings: Settings, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "RUSTOK_ENV": "test",
        "RUSTOK_DATABASE_URL": settings.database_url,
        "RUSTOK_EVENT_TRANSPORT": "nats",
        "RUSTOK_NATS_URL": settings.nats_url,
        "RUSTOK_LOG_FORMAT": "json",
        "PYTHONPATH": str(Path(__file__).resolve().parents[1]),
        **extra,
    }


async def _handled(container: Container) -> int:
    async with container.session_factory() as session:
        bind_platform(session)
        query = (
            select(func.count()).select_from(HandledEvent).where(HandledEvent.consumer == CONSUMER)
        )
        return int(await session.scalar(query) or 0)


async def _lags_since(container: Container, since: datetime) -> list[float]:
    async with container.session_factory() as session:
        bind_platform(session)
        rows = await session.execute(
            select(HandledEvent.handled_at, SysEvent.occurred_at)
            .join(SysEvent, SysEvent.id == HandledEvent.event_id)
            .where(HandledEvent.consumer == CONSUMER, SysEvent.occurred_at >= since)
        )
        return sorted((handled - occurred).total_seconds() for handled, occurred in rows)


def _buckets(metrics: str) -> dict[float, float]:
    pattern = re.compile(
        r"^rustok_events_end_to_end_seconds_bucket"
        r'\{consumer="probe\.recorder",le="([^"]+)"\} (\S+)$',
        re.MULTILINE,
    )
    return {float(le): float(count) for le, count in pattern.findall(metrics)}


def _histogram_quantile(q: float, before: dict[float, float], after: dict[float, float]) -> float:
    """Prometheus' histogram_quantile over the increase between two scrapes."""
    bounds = sorted(after)
    counts = [after[b] - before.get(b, 0.0) for b in bounds]
    total = counts[-1]
    rank = q * total
    lower, below = 0.0, 0.0
    for bound, count in zip(bounds, counts, strict=True):
        if count >= rank:
            if bound == float("inf"):
                return lower
            return lower + (bound - lower) * (rank - below) / max(count - below, 1e-12)
        lower, below = bound, count
    return lower


def _quantile(values: list[float], q: float) -> float:
    return values[min(len(values) - 1, int(q * len(values)))]


async def _start_dispatcher(settings: Settings, port: int) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        __file__,
        "--dispatcher",
        env=_env(settings, RUSTOK_METRICS_PORT=str(port)),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )


async def _worker_started(process: asyncio.subprocess.Process) -> tuple[float, float]:
    """time.time() when the dispatcher had imported everything, and when it logged
    `worker.started` (subscribed, serving metrics)."""
    assert process.stdout is not None
    imported = 0.0
    while line := await process.stdout.readline():
        if line.startswith(b"bench.imported "):
            imported = float(line.split()[1])
        if b"worker.started" in line:
            return imported, time.time()
    raise RuntimeError("the dispatcher exited before it started")


async def _drain(process: asyncio.subprocess.Process) -> None:
    assert process.stdout is not None
    while await process.stdout.readline():
        pass


async def main(database: str, rates: list[int], seconds: float, restarts: int) -> None:
    name = f"rustok_bench_{uuid.uuid4().hex[:8]}"
    admin = database.rstrip("/") + "/postgres"
    from sqlalchemy.ext.asyncio import create_async_engine

    engine = create_async_engine(admin, isolation_level="AUTOCOMMIT")
    async with engine.connect() as connection:
        await connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = database.rstrip("/") + "/" + name
    await migrations.upgrade(url, "head")
    print(f"load: {os.getloadavg()[0]:.1f} (1 min) on {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory() as store:
        server = NatsServerProcess(nats_server_binary(), Path(store))
        await server.start()
        settings = settings_for_tests(
            url, event_transport="nats", nats_url=server.url, embedded_workers=False
        )
        writer = build_container(settings, modules=[*default_modules(), PROBE_MODULE])
        relay = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "rustok.cli.main",
            "worker",
            "relay",
            env=_env(settings, RUSTOK_LOG_LEVEL="WARNING"),
        )
        port = free_port()
        dispatcher = await _start_dispatcher(settings, port)
        await _worker_started(dispatcher)
        draining = asyncio.create_task(_drain(dispatcher))
        written = 0
        try:
            metrics_url = f"http://127.0.0.1:{port}/metrics"
            async with httpx.AsyncClient() as http:
                for rate in rates:
                    before = _buckets((await http.get(metrics_url)).text)
                    since = datetime.now().astimezone()
                    count = int(rate * seconds)
                    start = time.perf_counter()
                    writes = []
                    for n in range(count):
                        # Each write in its own task: a slow commit delays no later start.
                        await asyncio.sleep(max(0.0, start + n / rate - time.perf_counter()))
                        writes.append(asyncio.create_task(_write_one(writer, n)))
                    await asyncio.gather(*writes)
                    achieved = count / (time.perf_counter() - start)
                    written += count
                    await wait_until_async(
                        lambda target=written - 1: _more(writer, target), timeout=120, interval=0.05
                    )
                    after = _buckets((await http.get(metrics_url)).text)
                    lags = await _lags_since(writer, since)
                    print(
                        f"{rate}/s offered ({achieved:.0f}/s achieved), {count} events: "
                        f"histogram p50 {_histogram_quantile(0.5, before, after) * 1000:.1f} ms, "
                        f"p99 {_histogram_quantile(0.99, before, after) * 1000:.1f} ms; "
                        f"per event p50 {_quantile(lags, 0.5) * 1000:.1f} ms, "
                        f"p99 {_quantile(lags, 0.99) * 1000:.1f} ms, "
                        f"max {lags[-1] * 1000:.1f} ms"
                    )

            phases: list[tuple[float, float, float]] = []
            for _ in range(restarts):
                dispatcher.terminate()
                await dispatcher.wait()
                await draining
                async with writer.uow.platform() as uow:
                    emit_into(uow, [(f"r{n % 20}", n) for n in range(BACKLOG)])
                    await uow.commit()
                await _published_all(writer)
                spawned = time.time()
                dispatcher = await _start_dispatcher(settings, port)
                imported, started = await _worker_started(dispatcher)
                draining = asyncio.create_task(_drain(dispatcher))
                await wait_until_async(
                    lambda target=written: _more(writer, target), timeout=60, interval=0.002
                )
                first = time.time()
                phases.append((imported - spawned, started - imported, first - started))
                written += BACKLOG
                await wait_until_async(
                    lambda target=written - 1: _more(writer, target), timeout=120, interval=0.05
                )
            totals = [sum(phase) for phase in phases]
            imports, starts, firsts = zip(*phases, strict=True)
            print(
                f"dispatcher restart -> first handled ({restarts} restarts, {BACKLOG}-event "
                f"backlog): median {statistics.median(totals):.2f} s "
                f"(min {min(totals):.2f}, max {max(totals):.2f}); medians of its phases: "
                f"interpreter + imports {statistics.median(imports):.2f} s, container + "
                f"connections + subscriptions {statistics.median(starts):.2f} s, "
                f"worker.started -> first handled {statistics.median(firsts):.3f} s"
            )
        finally:
            for process in (relay, dispatcher):
                if process.returncode is None:
                    process.terminate()
                    await process.wait()
            await writer.close()
            await server.stop()
    async with engine.connect() as connection:
        await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    await engine.dispose()


async def _write_one(container: Container, n: int) -> None:
    async with container.uow.platform() as uow:
        emit_into(uow, [(f"t{n % 50}", n)])
        await uow.commit()


async def _more(container: Container, count: int) -> bool:
    return await _handled(container) > count


async def _published_all(container: Container) -> None:
    async def done() -> bool:
        async with container.session_factory() as session:
            bind_platform(session)
            query = (
                select(func.count()).select_from(SysEvent).where(SysEvent.published_at.is_(None))
            )
            return int(await session.scalar(query) or 0) == 0

    await wait_until_async(done, timeout=60, interval=0.02)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database", default="postgresql+asyncpg://postgres@127.0.0.1:5432/")
    parser.add_argument("--rates", default="50,200")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--restarts", type=int, default=5)
    parser.add_argument("--dispatcher", action="store_true", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.dispatcher:
        _dispatcher_with_probe()
    else:
        asyncio.run(
            main(
                arguments.database,
                [int(rate) for rate in arguments.rates.split(",")],
                arguments.seconds,
                arguments.restarts,
            )
        )
