"""Event spine benchmark: outbox relay throughput and commit-to-handler lag, in one run.

    .venv/bin/python bench/events.py [--quick] [--only relay|lag] [--events N] [--rate R]
                                     [--seconds S] [--loop uvloop|asyncio]

1. Relay throughput. N pending `sys_events` rows are bulk-inserted, then the container's relay
   runs (one statement per cycle, the next batch claimed while one is published) until every event
   is relayed, on SQLite and PostgreSQL, to the memory transport and to NATS JetStream. An
   event counts as relayed once its row is marked published: right after its JetStream
   publish; on the memory transport after every consumer group settled it, so a no-op group
   (acking at once) is subscribed there. The baseline is the same transport publishing the
   same envelopes with no database, so `vs raw` shows what the outbox costs on top of it.
2. End-to-end lag. A real container (relay, dispatcher, the stock modules and a bench consumer)
   takes a steady offered load of one-event units of work, each started on its own schedule
   (open loop, so a slow commit delays no other); the consumer records how long after its
   `occurred_at` (stamped in the committing transaction) it ran. The same load with no relay
   or consumers running shows what the writes alone cost.

PostgreSQL gets a fresh database and NATS fresh streams, all removed at the end; a service
that does not answer is reported as skipped, a case that breaks as FAILED. Compare absolute
numbers only within one run.
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, this directory comes first on sys.path, where bench/http.py would shadow
# the standard library's `http` (which PyJWT and httpx import).
_HERE = Path(__file__).resolve().parent
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != _HERE]

import argparse  # noqa: E402
import asyncio  # noqa: E402
import contextlib  # noqa: E402
import datetime as dt  # noqa: E402
import io  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import platform  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar  # noqa: E402

import uvloop  # noqa: E402
from sqlalchemy import func, insert, select  # noqa: E402

from rustok.bootstrap import build_container, default_modules  # noqa: E402
from rustok.core.clock import utcnow  # noqa: E402
from rustok.core.ids import new_id  # noqa: E402
from rustok.core.modules import ModuleDescriptor  # noqa: E402
from rustok.core.settings import EventTransportKind  # noqa: E402
from rustok.events.handler import EventHandler  # noqa: E402
from rustok.events.models import SysEvent  # noqa: E402
from rustok.events.outbox import row_envelope  # noqa: E402
from rustok.events.registry import EVENTS, DomainEvent  # noqa: E402
from rustok.events.spine import build_transport  # noqa: E402
from rustok.events.transport.memory import MemoryTransport  # noqa: E402
from rustok.observability.logging import configure_logging  # noqa: E402
from rustok.testing.app import settings_for_tests  # noqa: E402
from rustok.testing.database import PostgresTestDatabase, SqliteTestDatabase  # noqa: E402
from rustok.testing.services import nats_url, postgres_url, reachable  # noqa: E402

if TYPE_CHECKING:
    from collections.abc import Awaitable, Sequence

    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

    from rustok.bootstrap import Container
    from rustok.core.settings import Settings
    from rustok.events.envelope import EventEnvelope
    from rustok.events.handler import HandlerContext
    from rustok.events.transport.base import Delivery, EventTransport

T = TypeVar("T")
DRAIN_TIMEOUT_SECONDS = 120.0
"""How long a run may take to settle what it relayed or offered before it counts as failed."""
CLOSE_TIMEOUT_SECONDS = 60.0
RAW_GROUP = "bench.noop"


@EVENTS.register
class BenchEventRecorded(DomainEvent):
    """The benchmark's event: `key` is the aggregate (spread over the dispatcher's lanes)."""

    event_type: ClassVar[str] = "bench.event.recorded"
    schema_version: ClassVar[int] = 1
    aggregate_type: ClassVar[str] = "bench"
    aggregate_field: ClassVar[str] = "key"

    key: str
    n: int


# -- services ----------------------------------------------------------------------------------


@dataclass
class Services:
    """Where each backend is, or why it is skipped; plus what to remove at the end."""

    sqlite: SqliteTestDatabase
    postgres: PostgresTestDatabase | None
    postgres_skip: str
    nats: str | None
    nats_skip: str
    streams: list[str] = field(default_factory=list)

    def new_stream(self) -> tuple[str, str]:
        """A fresh (stream, subject prefix) on NATS, deleted when the run ends."""
        suffix = uuid.uuid4().hex[:10]
        stream = f"RUSTOK_BENCH_{suffix}"
        self.streams.append(stream)
        return stream, f"bench{suffix}.events"


def open_services(directory: Path) -> Services:
    """Migrate SQLite, create and migrate a PostgreSQL database (before the event loop runs:
    the test database helpers drive their own)."""
    sqlite = SqliteTestDatabase(directory)
    sqlite.create()
    postgres: PostgresTestDatabase | None = None
    postgres_skip = ""
    server = postgres_url()
    if not reachable(server, 5432):
        postgres_skip = f"PostgreSQL is not reachable at {server}"
    else:
        candidate = PostgresTestDatabase(server)
        try:
            candidate.create()
        except Exception as error:
            postgres_skip = f"cannot create a PostgreSQL database: {error!r}"[:200]
            candidate.drop()
        else:
            postgres = candidate
    nats: str | None = nats_url()
    nats_skip = ""
    if not reachable(nats_url(), 4222):
        nats_skip = f"NATS is not reachable at {nats}"
        nats = None
    return Services(sqlite, postgres, postgres_skip, nats, nats_skip)


async def delete_streams(url: str, streams: Sequence[str]) -> None:
    import nats
    from nats.js.errors import NotFoundError

    connection = await nats.connect(url)
    try:
        js = connection.jetstream()
        for stream in streams:
            with contextlib.suppress(NotFoundError):
                await js.delete_stream(stream)
    finally:
        await connection.close()


async def close_services(services: Services) -> None:
    """Delete this run's streams and database, from inside the loop (before it shuts down)."""
    if services.nats is not None and services.streams:
        await delete_streams(services.nats, services.streams)
        services.streams.clear()
    if services.postgres is not None:
        # The helper drives its own event loop: give it a thread.
        await asyncio.to_thread(services.postgres.drop)
        services.postgres = None


@dataclass(frozen=True)
class Stack:
    database: str  # "sqlite" | "postgres"
    transport: str  # "memory" | "nats"

    @property
    def label(self) -> str:
        names = {"sqlite": "SQLite", "postgres": "PostgreSQL", "memory": "memory", "nats": "NATS"}
        return f"{names[self.database]} + {names[self.transport]}"


def skip_reason(services: Services, stack: Stack) -> str | None:
    if stack.database == "postgres" and services.postgres is None:
        return services.postgres_skip
    if stack.transport == "nats" and services.nats is None:
        return services.nats_skip
    return None


async def fresh_database(services: Services, stack: Stack) -> str:
    """An empty, migrated database for one measurement."""
    if stack.database == "postgres":
        assert services.postgres is not None
        return await services.postgres.reset()
    return await services.sqlite.reset()


def bench_settings(
    services: Services, database_url: str, transport: str, **overrides: Any
) -> Settings:
    """Settings as shipped (relay batch, poll interval, pools, lanes), quiet logs, and for
    NATS a stream and subject prefix of this run's own."""
    values: dict[str, Any] = {"log_level": "WARNING"}
    if transport == "nats":
        assert services.nats is not None
        stream, prefix = services.new_stream()
        values |= {
            "event_transport": EventTransportKind.NATS,
            "nats_url": services.nats,
            "nats_stream": stream,
            "nats_subject_prefix": prefix,
        }
    return settings_for_tests(database_url, **(values | overrides))


# -- 1. relay throughput -----------------------------------------------------------------------


def pending_rows(count: int) -> list[dict[str, Any]]:
    """Outbox rows as the outbox writes them (as tests/events/test_relay.py inserts them)."""
    now = utcnow()
    return [
        {
            "id": new_id(),
            "tenant_id": None,
            "event_type": BenchEventRecorded.event_type,
            "schema_version": BenchEventRecorded.schema_version,
            "aggregate_type": BenchEventRecorded.aggregate_type,
            "aggregate_id": f"k{n % 97}",
            "aggregate_version": None,
            "payload": {"key": f"k{n % 97}", "n": n},
            "headers": {},
            "occurred_at": now,
            "published_at": None,
            "attempts": 0,
            "next_attempt_at": now,
        }
        for n in range(count)
    ]


async def insert_pending(
    session_factory: async_sessionmaker[AsyncSession], rows: list[dict[str, Any]]
) -> None:
    async with session_factory() as session, session.begin():
        for start in range(0, len(rows), 1000):
            await session.execute(insert(SysEvent), rows[start : start + 1000])


async def count_pending(session_factory: async_sessionmaker[AsyncSession]) -> int:
    async with session_factory() as session:
        query = select(func.count()).select_from(SysEvent).where(SysEvent.published_at.is_(None))
        return int(await session.scalar(query) or 0)


async def close_container(container: Container) -> None:
    """Close, but never hang the run: on a stuck shutdown, show what every task waits on."""
    closing = asyncio.create_task(container.close(), name="bench:close")
    done, _ = await asyncio.wait({closing}, timeout=CLOSE_TIMEOUT_SECONDS)
    if closing in done:
        closing.result()
        return
    for task in asyncio.all_tasks():
        if task is not asyncio.current_task():
            stack = io.StringIO()
            task.print_stack(file=stack)
            print(f"--- task {task.get_name()}\n{stack.getvalue()}", file=sys.stderr)
    raise RuntimeError(f"container.close() did not finish in {CLOSE_TIMEOUT_SECONDS:.0f} s")


class SettledCounter:
    """Counts envelopes relayed (settled by every group of the memory transport, or accepted
    by JetStream); `done` fires at `expected`."""

    def __init__(self, expected: int) -> None:
        self.expected = expected
        self.count = 0
        self.done = asyncio.Event()

    async def __call__(self, envelopes: Sequence[EventEnvelope]) -> None:
        self.count += len(envelopes)
        if self.count >= self.expected:
            self.done.set()


async def ack_at_once(delivery: Delivery) -> None:
    await delivery.ack()


async def subscribe_noop(transport: MemoryTransport, settings: Settings) -> None:
    """A consumer group that settles every event at once, with as many deliveries in flight as
    the dispatcher's lanes (it acks from that many tasks)."""
    await transport.subscribe(
        RAW_GROUP,
        frozenset({BenchEventRecorded.event_type}),
        ack_at_once,
        max_in_flight=settings.dispatcher_lanes,
    )


async def wait_for(event: asyncio.Event, what: str) -> None:
    try:
        await asyncio.wait_for(event.wait(), timeout=DRAIN_TIMEOUT_SECONDS)
    except TimeoutError:
        raise RuntimeError(f"{what} did not finish within {DRAIN_TIMEOUT_SECONDS:.0f} s") from None


@dataclass(frozen=True)
class Throughput:
    name: str
    events: int
    seconds: float
    note: str = ""

    @property
    def rate(self) -> float:
        return self.events / self.seconds


async def raw_publish(services: Services, transport_kind: str, count: int) -> Throughput:
    """The baseline: `transport.publish` of the relay's envelopes, in relay-sized batches,
    with no database (memory: until the no-op group settled them all)."""
    settings = bench_settings(services, "sqlite+aiosqlite://", transport_kind)
    envelopes = [row_envelope(SysEvent(**row)) for row in pending_rows(count)]
    transport = build_transport(settings)
    await transport.start()
    try:
        counter = SettledCounter(count)
        if isinstance(transport, MemoryTransport):
            await subscribe_noop(transport, settings)
            transport.on_settled(counter)
        batch = settings.relay_batch_size
        started = time.perf_counter()
        for start in range(0, count, batch):
            await transport.publish(envelopes[start : start + batch])
        if isinstance(transport, MemoryTransport):
            await wait_for(counter.done, "settling the raw publishes")
        seconds = time.perf_counter() - started
    finally:
        await transport.close()
    return Throughput(f"raw {transport_kind} publish", count, seconds)


def count_publishes(transport: EventTransport, counter: SettledCounter) -> None:
    """Count the envelopes `transport.publish` accepted (for a durable transport, where the
    relay marks a batch published as soon as its publish returns)."""
    publish = transport.publish

    async def counted(envelopes: Sequence[EventEnvelope]) -> None:
        await publish(envelopes)
        await counter(envelopes)

    transport.publish = counted  # type: ignore[method-assign]


async def relay_throughput(services: Services, stack: Stack, count: int) -> Throughput:
    """Relay `count` pre-inserted pending rows with the container's own relay, run as the
    product runs it: it claims the next batch while publishing one and marks what went out in
    the next cycle's statement (memory transport: once settled). Timed from `start()` until
    every event was relayed and `stop()` returned, which it does once the rows are marked."""
    database_url = await fresh_database(services, stack)
    settings = bench_settings(services, database_url, stack.transport, embedded_workers=False)
    container = build_container(settings, modules=default_modules())
    try:
        await container.events.start_transport()
        relayed = SettledCounter(count)
        if isinstance(container.transport, MemoryTransport):
            await subscribe_noop(container.transport, settings)
            container.transport.on_settled(relayed)
        else:
            count_publishes(container.transport, relayed)
        await insert_pending(container.platform_sessions, pending_rows(count))
        relay = container.events.relay
        started = time.perf_counter()
        await relay.start()
        await wait_for(relayed.done, "relaying the pending events")
        await relay.stop()
        seconds = time.perf_counter() - started
        left = await count_pending(container.platform_sessions)
    finally:
        await close_container(container)
    note = ""
    if left:
        # Not lost (leased rows are re-sent after the lease) but not done either.
        note = f"{left:,} events left pending (leased, unmarked) after stop(): a relay bug"
    return Throughput(f"relay {stack.label}", count - left, seconds, note)


# -- 2. end-to-end lag -------------------------------------------------------------------------


class LagRecorder:
    """The bench consumer: records, per event, seconds from `occurred_at` to its handler (for
    events numbered `measure_from` and up; the ones below are the warm-up)."""

    consumer = "bench.lag"

    def __init__(self) -> None:
        self.lags: list[float] = []
        self.handled = 0
        self.expected = 0
        self.measure_from = 0
        self.warm_after = 0
        self.done = asyncio.Event()
        self.warm = asyncio.Event()

    def expect(self, count: int, *, measure_from: int = 0, warm_after: int = 0) -> None:
        self.lags, self.handled = [], 0
        self.expected, self.measure_from, self.warm_after = count, measure_from, warm_after
        self.done, self.warm = asyncio.Event(), asyncio.Event()

    def settle_for(self, count: int) -> None:
        self.expected = count
        if self.handled >= count:
            self.done.set()

    def handler(self, _container: Container) -> EventHandler:
        async def handle(context: HandlerContext, event: DomainEvent) -> None:
            # Idempotent: a redelivery is stopped by the ledger before it gets here.
            lag = (utcnow() - context.envelope.occurred_at).total_seconds()
            assert isinstance(event, BenchEventRecorded)
            self.handled += 1
            if event.n >= self.measure_from:
                self.lags.append(lag)
            if self.handled >= self.warm_after:
                self.warm.set()
            if self.handled >= self.expected:
                self.done.set()

        return EventHandler(
            consumer=self.consumer,
            event_types=frozenset({BenchEventRecorded.event_type}),
            handle=handle,
        )

    def module(self) -> ModuleDescriptor:
        return ModuleDescriptor(
            slug="bench", name="Bench", version="1.0.0", handlers=(self.handler,)
        )


@dataclass(frozen=True)
class Offered:
    events: int
    seconds: float
    """From the first scheduled start to the last commit."""
    errors: int

    @property
    def rate(self) -> float:
        return (self.events - self.errors) / self.seconds


async def offer_load(container: Container, rate: float, seconds: float, first: int) -> Offered:
    """Start one unit of work with one event every 1/rate s, each in its own task (open loop:
    a slow commit delays no later start); wait for all to commit."""
    loop = asyncio.get_running_loop()
    total = round(rate * seconds)
    errors = 0
    last_commit = 0.0

    async def emit(n: int) -> None:
        nonlocal errors, last_commit
        try:
            async with container.uow.platform() as uow:
                uow.emit(BenchEventRecorded(key=f"k{n % 97}", n=n), tenant_id=None)
                await uow.commit()
        except Exception:
            errors += 1
        last_commit = max(last_commit, loop.time())

    tasks: set[asyncio.Task[None]] = set()
    started = loop.time()
    for index in range(total):
        delay = started + index / rate - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)  # the pacing of the offered load, the point of it
        task = asyncio.create_task(emit(first + index))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
    await asyncio.gather(*tasks)
    return Offered(total, last_commit - started, errors)


def machine_ticks() -> tuple[int, int] | None:
    """(busy, total) CPU ticks of the whole machine so far, where /proc/stat tells."""
    try:
        with open("/proc/stat", encoding="ascii") as stat:
            fields = [int(value) for value in stat.readline().split()[1:]]
    except (OSError, ValueError):
        return None
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    return sum(fields[:8]) - idle, sum(fields[:8])


@dataclass(frozen=True)
class Usage:
    """CPU time of this process (every thread) over a span, and how busy the whole machine was
    (databases, NATS and anything else running)."""

    cpu_seconds: float
    wall_seconds: float
    machine: float | None

    @classmethod
    def since(cls, cpu: float, wall: float, ticks: tuple[int, int] | None) -> Usage:
        now = machine_ticks()
        machine = None
        if ticks is not None and now is not None and now[1] > ticks[1]:
            machine = (now[0] - ticks[0]) / (now[1] - ticks[1])
        return cls(time.process_time() - cpu, time.perf_counter() - wall, machine)

    @property
    def share(self) -> float:
        """Of one core: above ~0.8 the event loop is saturated and queues grow."""
        return self.cpu_seconds / self.wall_seconds


@dataclass(frozen=True)
class Lag:
    stack: Stack
    offered: Offered
    lags: list[float]
    usage: Usage
    worker_usage: Usage | None = None
    """The worker process's, when the spine ran in one."""

    def percentile(self, fraction: float) -> float:
        ordered = sorted(self.lags)
        return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] * 1000


async def end_to_end_lag(
    services: Services, stack: Stack, rate: float, seconds: float, *, spine: bool = True
) -> Lag:
    """Offer the load to a container and collect the bench consumer's lags. Without `spine`
    the container runs no relay or consumer groups: the baseline of what the writes alone
    cost (their events stay pending)."""
    database_url = await fresh_database(services, stack)
    settings = bench_settings(
        services,
        database_url,
        stack.transport,
        relay_poll_interval_seconds=1.0,
        embedded_workers=spine,
    )
    recorder = LagRecorder()
    container = build_container(settings, modules=[*default_modules(), recorder.module()])
    await container.start()
    try:
        # Warm up pools and the NATS consumer, then measure from quiet.
        warmup = max(1, round(rate * 0.5))
        recorder.expect(warmup)
        await offer_load(container, rate, 0.5, first=0)
        if spine:
            await wait_for(recorder.done, "warm-up delivery")
        total = round(rate * seconds)
        recorder.expect(total)
        cpu, wall, ticks = time.process_time(), time.perf_counter(), machine_ticks()
        offered = await offer_load(container, rate, seconds, first=warmup)
        if spine:
            recorder.settle_for(total - offered.errors)  # a failed unit of work emitted nothing
            await wait_for(recorder.done, "delivering the offered events")
        usage = Usage.since(cpu, wall, ticks)
        lags = list(recorder.lags)
    finally:
        await close_container(container)
    return Lag(stack, offered, lags, usage)


# -- 2b. the same load with the spine in a worker process --------------------------------------


def worker_overrides(settings: Settings) -> dict[str, Any]:
    """What a worker process needs to join the API process's database and stream."""
    return {
        "database_url": settings.database_url,
        "event_transport": settings.event_transport.value,
        "nats_url": settings.nats_url,
        "nats_stream": settings.nats_stream,
        "nats_subject_prefix": settings.nats_subject_prefix,
    }


async def lag_worker(overrides: dict[str, Any], warmup: int, expected: int) -> None:
    """Child process: relay and consumers of the API process's events (what `rustok worker`
    runs), plus the bench consumer. Prints `ready`, `warm`, then the measured lags as JSON."""
    database_url = overrides.pop("database_url")
    settings = settings_for_tests(
        database_url, log_level="WARNING", relay_poll_interval_seconds=1.0, **overrides
    )
    recorder = LagRecorder()
    recorder.expect(expected, measure_from=warmup, warm_after=warmup)
    container = build_container(settings, modules=[*default_modules(), recorder.module()])
    await container.start()
    try:
        print("ready", flush=True)
        await wait_for(recorder.warm, "warm-up delivery")
        cpu, wall = time.process_time(), time.perf_counter()
        print("warm", flush=True)
        await wait_for(recorder.done, "delivering the offered events")
        usage = {"cpu": time.process_time() - cpu, "wall": time.perf_counter() - wall}
        print(json.dumps({"lags": recorder.lags, "usage": usage}), flush=True)
    finally:
        await close_container(container)


async def expect_line(worker: asyncio.subprocess.Process, wanted: str) -> str:
    assert worker.stdout is not None
    async with asyncio.timeout(DRAIN_TIMEOUT_SECONDS):
        while line := (await worker.stdout.readline()).decode():
            if line.strip() == wanted or (wanted == "{" and line.startswith("{")):
                return line
    raise RuntimeError(f"the worker process ended before printing {wanted!r}")


async def end_to_end_lag_with_worker(
    services: Services, stack: Stack, rate: float, seconds: float
) -> Lag:
    """The load from an API-only container (`rustok serve --no-workers`); relay, dispatcher
    and the bench consumer in a child process (`rustok worker`)."""
    database_url = await fresh_database(services, stack)
    settings = bench_settings(services, database_url, stack.transport, embedded_workers=False)
    warmup, total = max(1, round(rate * 0.5)), round(rate * seconds)
    worker = await asyncio.create_subprocess_exec(
        sys.executable,
        __file__,
        "--lag-worker",
        json.dumps(worker_overrides(settings)),
        str(warmup),
        str(warmup + total),
        stdout=asyncio.subprocess.PIPE,
    )
    container = build_container(settings, modules=[*default_modules(), LagRecorder().module()])
    try:
        await expect_line(worker, "ready")
        await container.start()
        await offer_load(container, rate, 0.5, first=0)
        await expect_line(worker, "warm")
        cpu, wall, ticks = time.process_time(), time.perf_counter(), machine_ticks()
        offered = await offer_load(container, rate, seconds, first=warmup)
        if offered.errors:
            raise RuntimeError(f"{offered.errors} units of work failed: the worker waits for them")
        report = json.loads(await expect_line(worker, "{"))
        usage = Usage.since(cpu, wall, ticks)
        await worker.wait()
    finally:
        if worker.returncode is None:
            worker.kill()
            await worker.wait()
        await close_container(container)
    worker_usage = Usage(report["usage"]["cpu"], report["usage"]["wall"], None)
    return Lag(stack, offered, report["lags"], usage, worker_usage)


# -- report ------------------------------------------------------------------------------------


def print_throughput(
    raw: dict[str, Throughput | str], relayed: list[tuple[Stack, Throughput | str]], count: int
) -> None:
    print(f"\n1. Relay throughput: {count:,} pre-inserted pending events, relay batch as shipped\n")
    print(f"{'case':<34}{'seconds':>9}{'events/s':>11}{'vs raw':>9}")
    for kind, result in raw.items():
        if isinstance(result, str):
            print(f"{'raw ' + kind + ' publish':<34}  {result}")
            continue
        print(f"{result.name:<34}{result.seconds:>9.2f}{result.rate:>11,.0f}{'100%':>9}")
    for stack, outcome in relayed:
        name = f"relay {stack.label}"
        if isinstance(outcome, str):
            print(f"{name:<34}  {outcome}")
            continue
        baseline = raw.get(stack.transport)
        ratio = "-"
        if isinstance(baseline, Throughput):
            share = outcome.rate / baseline.rate
            ratio = f"{share:.1%}" if share < 0.1 else f"{share:.0%}"
        print(f"{name:<34}{outcome.seconds:>9.2f}{outcome.rate:>11,.0f}{ratio:>9}")
        if outcome.note:
            print(f"{'':<4}! {outcome.note}")
    print(
        "\nrelayed = published and marked published (memory: after the no-op group acked);"
        "\nvs raw = relay events/s over the same transport publishing the same envelopes"
        " without a database."
    )
    target = next((o for stack, o in relayed if stack == Stack("postgres", "nats")), None)
    verdict = "not measured"
    if isinstance(target, Throughput):
        verdict = f"{target.rate:,.0f}: {'met' if target.rate >= 5_000 else 'MISSED'}"
    print(f"target: >= 5,000 events/s relayed from PostgreSQL to NATS ({verdict}).")


def print_lag(results: list[tuple[str, Lag | str]], rate: float, seconds: float) -> None:
    print(
        f"\n2. End-to-end lag, commit to handler: {rate:,.0f} events/s offered for {seconds:g} s,"
        " one event per unit of work\n"
    )
    header = f"{'case':<34}{'offered':>8}{'tx/s':>6}{'errors':>7}{'handled':>8}"
    print(f"{header}{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}{'CPU':>6}{'CPU/event':>11}{'box':>6}")
    for name, outcome in results:
        if isinstance(outcome, str):
            print(f"{name:<34}  {outcome}")
            continue
        offered, usage = outcome.offered, outcome.usage
        line = f"{name:<34}{offered.events:>8,}{offered.rate:>6.0f}{offered.errors:>7}"
        if outcome.lags:
            line += (
                f"{len(outcome.lags):>8,}{outcome.percentile(0.50):>9.1f}"
                f"{outcome.percentile(0.99):>9.1f}{max(outcome.lags) * 1000:>9.1f}"
            )
        else:
            line += f"{'-':>8}{'-':>9}{'-':>9}{'-':>9}"
        events = max(offered.events - offered.errors, 1)
        per_event = usage.cpu_seconds * 1000 / events
        machine = f"{usage.machine:.0%}" if usage.machine is not None else "-"
        print(f"{line}{usage.share:>6.0%}{per_event:>9.2f}ms{machine:>6}")
        if outcome.worker_usage is not None:
            worker = outcome.worker_usage
            print(
                f"{'':<34}CPU above: the API process; worker process: {worker.share:.0%},"
                f" {worker.cpu_seconds * 1000 / events:.2f} ms/event"
            )
    print(
        "\ntx/s = units of work committed per second (from the first scheduled start to the"
        " last commit);\nlag = handler start - occurred_at (stamped just before the commit);"
        "\nCPU = this process's CPU time (all threads) from the first write to the last delivery,"
        " as a share\nof one core and per event. The spine batches more as the load grows (relay"
        " cycles, lane\nbatches), so near 100% it trades per-event cost for batch size; past that"
        " the lag grows."
        "\nbox = how busy all the machine's cores were meanwhile (databases, NATS, other"
        " processes)."
        "\nwrites only = the same load with no relay or consumers running: what the writes"
        " alone cost."
        "\nAPI + worker = writes in this process, relay and consumers in a second one, as"
        " `rustok serve\n--no-workers` and `rustok worker` run them."
    )
    verdicts = [
        f"{name} {outcome.percentile(0.99):,.0f} ms: "
        + ("met" if outcome.percentile(0.99) < 100 and rate >= 500 else "MISSED")
        for name, outcome in results
        if isinstance(outcome, Lag) and outcome.lags
    ]
    print(f"target: p99 < 100 ms at 500 events/s ({'; '.join(verdicts) or 'not measured'}).")


async def run(arguments: argparse.Namespace, services: Services) -> None:
    try:
        await run_sections(arguments, services)
    finally:
        await close_services(services)


async def run_sections(arguments: argparse.Namespace, services: Services) -> None:
    count = arguments.events
    print(
        f"event spine benchmark, {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, "
        f"{os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"{'uvloop' if arguments.loop == 'uvloop' else 'asyncio'} event loop, "
        f"load average {os.getloadavg()[0]:.2f}"
    )
    if arguments.only in (None, "relay"):
        await relay_section(services, count)
    if arguments.only in (None, "lag"):
        await lag_section(services, arguments.rate, arguments.seconds)
    print(
        f"\n1-minute load average at the end: {os.getloadavg()[0]:.2f}. Where it was above ~0.5"
        " at the start, other\nprocesses competed for the cores and the figures are low."
    )


async def attempt(measurement: Awaitable[T]) -> T | str:
    """The measurement, or why it failed: one broken case must not hide the others."""
    try:
        return await measurement
    except Exception as error:
        return f"FAILED: {type(error).__name__}: {error}"[:300]


async def relay_section(services: Services, count: int) -> None:
    raw: dict[str, Throughput | str] = {}
    for kind in ("memory", "nats"):
        if kind == "nats" and services.nats is None:
            raw[kind] = f"skipped: {services.nats_skip}"
            continue
        raw[kind] = await attempt(raw_publish(services, kind, count))
    relayed: list[tuple[Stack, Throughput | str]] = []
    for stack in (
        Stack("sqlite", "memory"),
        Stack("postgres", "memory"),
        Stack("sqlite", "nats"),
        Stack("postgres", "nats"),
    ):
        reason = skip_reason(services, stack)
        if reason:
            relayed.append((stack, f"skipped: {reason}"))
        else:
            relayed.append((stack, await attempt(relay_throughput(services, stack, count))))
    print_throughput(raw, relayed, count)


async def lag_section(services: Services, rate: float, seconds: float) -> None:
    results: list[tuple[str, Lag | str]] = []
    for stack in (Stack("sqlite", "memory"), Stack("postgres", "nats")):
        reason = skip_reason(services, stack)
        if reason:
            skipped = f"skipped: {reason}"
            results += [(stack.label, skipped), (f"{stack.label}, writes only", skipped)]
            continue
        results.append((stack.label, await attempt(end_to_end_lag(services, stack, rate, seconds))))
        baseline = end_to_end_lag(services, stack, rate, seconds, spine=False)
        results.append((f"{stack.label}, writes only", await attempt(baseline)))
        if stack.transport == "nats":  # the memory transport lives in one process
            split = end_to_end_lag_with_worker(services, stack, rate, seconds)
            results.append((f"{stack.label}, API + worker", await attempt(split)))
    print_lag(results, rate, seconds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="5,000 events, 3 s of load")
    parser.add_argument("--events", type=int, help="pending events to relay (default 20,000)")
    parser.add_argument("--rate", type=float, default=500.0, help="offered events/s for lag")
    parser.add_argument("--seconds", type=float, help="seconds of offered load (default 10)")
    parser.add_argument("--only", choices=("relay", "lag"), help="run one section only")
    parser.add_argument(
        "--loop",
        choices=("uvloop", "asyncio"),
        default="uvloop",
        help="event loop (uvloop, as `rustok serve` runs)",
    )
    parser.add_argument("--lag-worker", nargs=3, help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.lag_worker:
        configure_logging(settings_for_tests("sqlite+aiosqlite://", log_level="WARNING"))
        overrides, warmup, expected = arguments.lag_worker
        uvloop.run(lag_worker(json.loads(overrides), int(warmup), int(expected)))
        return
    if arguments.events is None:
        arguments.events = 5_000 if arguments.quick else 20_000
    if arguments.seconds is None:
        arguments.seconds = 3.0 if arguments.quick else 10.0
    if arguments.events < 1 or arguments.rate <= 0 or arguments.seconds <= 0:
        parser.error("--events, --rate and --seconds must be positive")
    configure_logging(settings_for_tests("sqlite+aiosqlite://", log_level="WARNING"))
    with tempfile.TemporaryDirectory(prefix="rustok-bench-events-") as directory:
        services = open_services(Path(directory))
        try:
            if arguments.loop == "uvloop":
                uvloop.run(run(arguments, services))
            else:
                asyncio.run(run(arguments, services))
        finally:
            if services.postgres is not None:  # the loop never ran its clean-up
                services.postgres.drop()


if __name__ == "__main__":
    main()
