"""HTTP benchmark: `rustok serve` beside two reference apps answering the same bytes, under wrk.

    .venv/bin/python bench/http.py            # full: 3 rounds of 5 s per case, every stack
    .venv/bin/python bench/http.py --quick    # 1 round of 2 s per case
        --stacks sqlite-memory,postgres-memory   # some stacks only (names below)
        --rounds N --seconds S --concurrency C   # the sizes (defaults 3, 5, 64)
        --no-writes                              # skip the steady-rate PATCH section

The load generator is wrk (C, one thread, 64 connections), not Python: a Python client on
these two cores tops out near the server's own rate and would be measured instead. For every
stack (database, rate-limit store, server processes) the script starts `rustok serve` as
shipped, in production mode, and the two reference apps of bench/reference/apps.py on the same
uvicorn options, then measures endpoint by endpoint alternately (app, bare, FastAPI; the order
rotates each round), so that load from elsewhere on the machine hits all three alike. It prints
medians over rounds, each figure's ratio to the references measured in the same round, the
server's CPU per request (utime + stime of the server's processes, from /proc), and wrk's own
CPU beside it: the load generator's ceiling, since on two cores no trivial server can be
driven to saturation without sharing the machine with wrk.

Writes: `PATCH /api/admin/tenants/{id}` (a rename, one event each) offered open-loop at a
steady rate by this process; see `offer_writes`.
"""

from __future__ import annotations

import sys
from pathlib import Path

# This script is named http.py: with its directory first on sys.path, `import http` (which
# httpx and uvicorn do) would find it instead of the standard library.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != _HERE]

import argparse  # noqa: E402
import asyncio  # noqa: E402
import contextlib  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import resource  # noqa: E402
import secrets  # noqa: E402
import shutil  # noqa: E402
import signal  # noqa: E402
import socket  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from typing import TYPE_CHECKING  # noqa: E402

import httpx  # noqa: E402
import uvloop  # noqa: E402

if TYPE_CHECKING:
    from collections.abc import Iterator

WRK_SCRIPT = _HERE / "wrk_summary.lua"
REFERENCE_DIR = _HERE / "reference"
POSTGRES_URL = os.environ.get(
    "RUSTOK_TEST_DATABASE_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/"
)
REDIS_URL = os.environ.get("RUSTOK_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
# Far above any load two cores can offer, so nothing is refused and every request still pays
# for its counters. A one-second window keeps each sliding-window log about as long as the
# request rate, the size a real budget's log reaches (6,000/60 holds up to 6,000 entries);
# a 60-second window would grow the logs to 60 x the rate for the same allowance.
UNREFUSED_BUDGET = "100000000/1"
# The settings refuse a tenant budget below twice what one client may send (default + auth).
UNREFUSED_TENANT_BUDGET = "400000000/1"
DEMO_TENANT = "demo"
TARGET_TENANT = "bench-target"  # the tenant the writes rename: the demo tenant's cache stays warm
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
P99_CEILING_MS = 100.0


@dataclass(frozen=True)
class Stack:
    database: str  # "sqlite" | "postgres"
    limiter: str  # "memory" | "redis"
    processes: int
    writes: bool

    @property
    def name(self) -> str:
        suffix = f"-{self.processes}p" if self.processes > 1 else ""
        return f"{self.database}-{self.limiter}{suffix}"

    @property
    def label(self) -> str:
        database = {"sqlite": "SQLite", "postgres": "PostgreSQL"}[self.database]
        processes = "1 process" if self.processes == 1 else f"--processes {self.processes}"
        return f"{database}, limiter on {self.limiter}, {processes}"


STACKS = (
    Stack("sqlite", "memory", 1, writes=True),  # the headline: production settings on SQLite
    Stack("sqlite", "redis", 1, writes=False),
    Stack("postgres", "memory", 1, writes=True),
    Stack("postgres", "redis", 1, writes=False),
    Stack("sqlite", "memory", 2, writes=False),
)
TARGETS = ("app", "bare", "fastapi")


@dataclass(frozen=True)
class Endpoint:
    label: str
    path: str
    authenticated: bool = False
    tenant: bool = False


ENDPOINTS = (
    Endpoint("GET /api/health/live", "/api/health/live"),
    Endpoint("GET /api/tenant", "/api/tenant", tenant=True),
    Endpoint("GET /api/auth/me", "/api/auth/me", authenticated=True, tenant=True),
)


# -- processes and CPU from /proc ----------------------------------------------------------------


def process_tree(root: int) -> list[int]:
    """`root` and its descendants (uvicorn's worker processes under `--processes N`)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError, IndexError, ValueError):
            parents[int(entry.name)] = int(_stat_fields(int(entry.name))[1])
    tree = [root]
    for pid in tree:
        tree.extend(child for child, parent in parents.items() if parent == pid)
    return tree


def _stat_fields(pid: int) -> list[str]:
    """The fields of /proc/<pid>/stat after the command name (which may hold spaces)."""
    text = Path(f"/proc/{pid}/stat").read_text()
    return text[text.rindex(")") + 2 :].split()


def tree_cpu_seconds(pids: list[int]) -> float:
    """utime + stime of every thread of these processes, in seconds."""
    ticks = 0
    for pid in pids:
        with contextlib.suppress(OSError):
            fields = _stat_fields(pid)
            ticks += int(fields[11]) + int(fields[12])
    return ticks / CLOCK_TICKS


def box_busy_seconds() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine, all cores, from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:9]]
    idle = values[3] + values[4]  # idle + iowait
    return (sum(values) - idle) / CLOCK_TICKS, sum(values) / CLOCK_TICKS


# -- servers ---------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class Server:
    name: str
    process: subprocess.Popen[bytes]
    url: str
    stderr_path: Path
    pids: list[int] = field(default_factory=list)

    def stderr_tail(self) -> str:
        with contextlib.suppress(OSError):
            return "\n".join(self.stderr_path.read_text(errors="replace").splitlines()[-30:])
        return ""


def start_server(
    name: str, command: list[str], environment: dict[str, str], port: int, directory: Path
) -> Server:
    stderr_path = directory / f"{name}.stderr"
    with stderr_path.open("wb") as stderr:
        # stdout carries the JSON access log: "logs to /dev/null", as a production process
        # writing to a collector would not wait on it either.
        # cwd: not bench/, whose http.py would shadow the standard library's `http`.
        process = subprocess.Popen(
            command, env=environment, cwd=directory, stdout=subprocess.DEVNULL, stderr=stderr
        )
    return Server(name, process, f"http://127.0.0.1:{port}", stderr_path)


def wait_until_serving(server: Server, processes: int) -> None:
    """Until the server answers and all its worker processes exist (their CPU is counted)."""
    deadline = time.monotonic() + 60
    with httpx.Client(base_url=server.url, timeout=5) as client:
        while time.monotonic() < deadline:
            if server.process.poll() is not None:
                raise SystemExit(f"{server.name} exited:\n{server.stderr_tail()}")
            with contextlib.suppress(httpx.TransportError):
                if client.get("/api/health/live").status_code in {200, 404}:
                    server.pids = process_tree(server.process.pid)
                    # uvicorn's supervisor plus its workers (and multiprocessing's helper).
                    if processes == 1 or len(server.pids) > processes:
                        return
            time.sleep(0.2)  # a harness polling a port, not a test
    raise SystemExit(f"{server.name} did not answer within 60 s:\n{server.stderr_tail()}")


def stop_server(server: Server) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait()


def app_environment(stack: Stack, database_url: str, namespace: str) -> dict[str, str]:
    """Production settings: JSON access log, rate limiting on with budgets nothing reaches."""
    environment = {key: value for key, value in os.environ.items() if not key.startswith("RUSTOK_")}
    environment.update(
        {
            "RUSTOK_ENV": "production",
            "RUSTOK_DATABASE_URL": database_url,
            "RUSTOK_ALLOW_SQLITE_IN_PRODUCTION": "true",
            "RUSTOK_JWT_SECRET": secrets.token_urlsafe(48),
            "RUSTOK_LOG_FORMAT": "json",
            "RUSTOK_RATE_LIMIT_ENABLED": "true",
            "RUSTOK_RATE_LIMIT_DEFAULT": UNREFUSED_BUDGET,
            "RUSTOK_RATE_LIMIT_AUTH": UNREFUSED_BUDGET,
            "RUSTOK_RATE_LIMIT_LOGIN": UNREFUSED_BUDGET,
            "RUSTOK_RATE_LIMIT_TENANT": UNREFUSED_TENANT_BUDGET,
            # A full run keeps one token for several minutes.
            "RUSTOK_ACCESS_TOKEN_TTL_SECONDS": "3600",
        }
    )
    if stack.limiter == "redis":
        environment["RUSTOK_REDIS_URL"] = REDIS_URL
        environment["RUSTOK_REDIS_NAMESPACE"] = namespace
    return environment


# -- databases -------------------------------------------------------------------------------------


async def seed(database_url: str) -> None:
    """Migrate, seed the demo tenant and its admin (a platform operator), add the write target."""
    from rustok.bootstrap import build_container
    from rustok.cli.seed import seed_demo
    from rustok.core import migrations
    from rustok.core.settings import Settings
    from rustok.observability.logging import configure_logging
    from rustok.tenancy.schemas import TenantCreate

    await migrations.upgrade(database_url)
    settings = Settings(database_url=database_url, embedded_workers=False, log_level="WARNING")
    configure_logging(settings)
    container = build_container(settings)
    try:
        await seed_demo(container)
        await container.tenants.create_tenant(TenantCreate(name="Target", slug=TARGET_TENANT))
    finally:
        await container.close()


async def postgres_database(name: str, *, create: bool) -> str:
    import asyncpg

    server = POSTGRES_URL.replace("postgresql+asyncpg://", "postgresql://").rstrip("/")
    connection = await asyncpg.connect(f"{server}/postgres")
    try:
        if create:
            await connection.execute(f'CREATE DATABASE "{name}"')
        else:
            await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await connection.close()
    return POSTGRES_URL.rstrip("/") + f"/{name}"


async def clear_redis(namespace: str) -> None:
    import redis.asyncio as aioredis

    client = aioredis.from_url(REDIS_URL)
    try:
        keys = [key async for key in client.scan_iter(match=f"{namespace}*", count=1000)]
        if keys:
            await client.delete(*keys)
    finally:
        await client.aclose()


# -- wrk -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sample:
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    errors: int
    server_cpu: float  # seconds
    wrk_cpu: float  # seconds
    box_busy: float  # share of all cores

    @property
    def rps(self) -> float:
        return self.requests / self.seconds

    @property
    def cpu_ms_per_request(self) -> float:
        return self.server_cpu * 1000 / max(1, self.requests)


def wrk(
    server: Server, path: str, headers: dict[str, str], seconds: int, connections: int
) -> Sample:
    command = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s"]
    command += ["-s", str(WRK_SCRIPT)]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    command.append(server.url + path)
    server_before = tree_cpu_seconds(server.pids)
    busy_before, total_before = box_busy_seconds()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    # wait4 rather than wait: it hands back wrk's own CPU time (rusage) as it reaps it.
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    server_cpu = tree_cpu_seconds(server.pids) - server_before
    busy_after, total_after = box_busy_seconds()
    assert process.stdout is not None
    assert process.stderr is not None
    output, problems = process.stdout.read().decode(), process.stderr.read().decode()
    process.stdout.close()
    process.stderr.close()
    summary_line = next((line for line in output.splitlines() if line.startswith("{")), None)
    if process.returncode != 0 or summary_line is None:
        raise SystemExit(f"wrk failed ({process.returncode}): {problems or output}")
    summary = json.loads(summary_line)
    return Sample(
        requests=summary["requests"],
        seconds=summary["duration_us"] / 1e6,
        p50_ms=summary["p50_us"] / 1000,
        p99_ms=summary["p99_us"] / 1000,
        errors=summary["non2xx"] + summary["socket_errors"] + summary["timeouts"],
        server_cpu=server_cpu,
        wrk_cpu=usage.ru_utime + usage.ru_stime,
        box_busy=(busy_after - busy_before) / max(1e-9, total_after - total_before),
    )


# -- the reads -------------------------------------------------------------------------------------


@dataclass
class Session:
    headers: dict[str, str]
    target_tenant_id: str
    bodies: dict[str, str]


def log_in(app: Server) -> Session:
    """Log in as the demo admin once; take the app's answers for the references to repeat."""
    from rustok.core.settings import Settings

    defaults = Settings()
    tenant = {"X-Tenant-ID": DEMO_TENANT}
    with httpx.Client(base_url=app.url, timeout=30) as client:
        login = client.post(
            "/api/auth/login",
            json={"email": defaults.demo_admin_email, "password": defaults.demo_admin_password},
            headers=tenant,
        )
        if login.status_code != 200:
            raise SystemExit(f"login failed ({login.status_code}): {login.text}")
        authorised = {**tenant, "Authorization": f"Bearer {login.json()['access_token']}"}
        bodies = {}
        for endpoint in ENDPOINTS:
            response = client.get(endpoint.path, headers=authorised)
            if response.status_code != 200:
                raise SystemExit(
                    f"{endpoint.label} answered {response.status_code}: {response.text}"
                )
            bodies[endpoint.path] = response.text
        target = client.get("/api/admin/tenants", params={"limit": 100}, headers=authorised).json()[
            "items"
        ]
    target_id = next(item["id"] for item in target if item["slug"] == TARGET_TENANT)
    return Session(authorised, target_id, bodies)


def request_headers(endpoint: Endpoint, session: Session) -> dict[str, str]:
    headers = {}
    if endpoint.tenant:
        headers["X-Tenant-ID"] = DEMO_TENANT
    if endpoint.authenticated:
        headers["Authorization"] = session.headers["Authorization"]
    return headers


def check_same_bytes(servers: dict[str, Server], session: Session) -> None:
    for name, server in servers.items():
        with httpx.Client(base_url=server.url) as client:
            for endpoint in ENDPOINTS:
                expected = session.bodies[endpoint.path].encode()
                body = client.get(endpoint.path, headers=request_headers(endpoint, session)).content
                if body != expected:
                    raise SystemExit(
                        f"{name} answers {endpoint.path} with {body!r}, the app with {expected!r}"
                    )


@dataclass
class Cell:
    """One endpoint on one target: a sample per round."""

    samples: list[Sample] = field(default_factory=list)

    def median(self, attribute: str) -> float:
        return statistics.median(getattr(sample, attribute) for sample in self.samples)


def measure_reads(
    servers: dict[str, Server], session: Session, arguments: argparse.Namespace
) -> dict[tuple[str, str], Cell]:
    cells = {(e.path, t): Cell() for e in ENDPOINTS for t in servers}
    for endpoint in ENDPOINTS:  # warm-up: caches, connections, first-call imports
        for server in servers.values():
            wrk(server, endpoint.path, request_headers(endpoint, session), 1, arguments.concurrency)
    for round_number in range(arguments.rounds):
        order = list(servers)
        order = order[round_number % len(order) :] + order[: round_number % len(order)]
        for endpoint in ENDPOINTS:
            headers = request_headers(endpoint, session)
            for name in order:
                sample = wrk(
                    servers[name], endpoint.path, headers, arguments.seconds, arguments.concurrency
                )
                cells[endpoint.path, name].samples.append(sample)
                print(
                    f"  round {round_number + 1} {endpoint.label:<22} {name:<8}"
                    f"{sample.rps:>8.0f} req/s  p99 {sample.p99_ms:6.1f} ms  "
                    f"box {sample.box_busy:4.0%}",
                    flush=True,
                )
    return cells


def ratio(cells: dict[tuple[str, str], Cell], path: str, reference: str) -> tuple[float, float]:
    """Medians over rounds of app / reference, each pair measured back to back: of req/s, and
    of requests per CPU second (what req/s would be with a core each; steadier when the
    machine is shared, since the two need not get the same share of it)."""
    pairs = list(zip(cells[path, "app"].samples, cells[path, reference].samples, strict=True))
    return (
        statistics.median(app.rps / ref.rps for app, ref in pairs),
        statistics.median(ref.cpu_ms_per_request / app.cpu_ms_per_request for app, ref in pairs),
    )


def read_table(stack: Stack, cells: dict[tuple[str, str], Cell]) -> list[str]:
    lines = [
        f"**{stack.label}**",
        "",
        "| endpoint | target | req/s | p50 ms | p99 ms | CPU ms/req | vs bare | vs FastAPI"
        " | wrk CPU | box busy | errors |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for endpoint in ENDPOINTS:
        for target in TARGETS:
            cell = cells[endpoint.path, target]
            seconds = cell.median("seconds")
            spread = (
                f" ({min(s.rps for s in cell.samples):.0f}-{max(s.rps for s in cell.samples):.0f})"
            )
            versus = " | "
            if target == "app":
                (bare, bare_cpu), (fastapi, fastapi_cpu) = (
                    ratio(cells, endpoint.path, ref) for ref in ("bare", "fastapi")
                )
                versus = f"{bare:.0%} ({bare_cpu:.0%}) | {fastapi:.0%} ({fastapi_cpu:.0%})"
            lines.append(
                f"| {endpoint.label if target == 'app' else ''} | {target} "
                f"| {cell.median('rps'):.0f}{spread if len(cell.samples) > 1 else ''} "
                f"| {cell.median('p50_ms'):.1f} | {cell.median('p99_ms'):.1f} "
                f"| {cell.median('cpu_ms_per_request'):.3f} | {versus} "
                f"| {cell.median('wrk_cpu') / seconds:.0%} | {cell.median('box_busy'):.0%} "
                f"| {sum(s.errors for s in cell.samples)} |"
            )
    return lines


# -- the writes ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WriteStep:
    offered: float
    achieved: float
    p50_ms: float
    p99_ms: float
    failures: dict[str, int]  # by status, or "timeout" (30 s) / "connection"
    server_cpu_ms: float  # per write
    generator_cpu: float  # share of one core


class Connections:
    """Keep-alive HTTP/1.1 connections to one server, opened as the open loop needs them."""

    def __init__(self, host: str, port: int) -> None:
        self._host, self._port = host, port
        self._idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []
        self._all: list[asyncio.StreamWriter] = []

    async def send(self, request: bytes) -> int:
        """Send one request, read its whole answer, return the status."""
        if self._idle:
            reader, writer = self._idle.pop()
        else:
            reader, writer = await asyncio.open_connection(self._host, self._port)
            self._all.append(writer)
        writer.write(request)
        head = await reader.readuntil(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.lower() == b"content-length":
                length = int(value)
        await reader.readexactly(length)
        self._idle.append((reader, writer))
        return int(head[9:12])

    async def close(self) -> None:
        for writer in self._all:
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()


async def offer_writes(
    app: Server, session: Session, rate: float, seconds: float, counter: Iterator[int]
) -> WriteStep:
    """Start one PATCH every 1/rate s whatever the earlier ones do (an open loop).

    wrk keeps a fixed number of requests in flight (a closed loop): when the server slows
    down, wrk sends less and never sees the queue a steady stream would build, and its Lua
    `delay()` pacing measures latency from when a connection got to send, not from when the
    request was due. Here latency runs from the due time, so a stall counts against every
    request it held up. One Python process suffices at these rates: a raw keep-alive client
    costs it well under 0.1 ms of CPU a request (its CPU share is printed beside each step).
    """
    host, port = app.url.removeprefix("http://").split(":")
    connections = Connections(host, int(port))
    path = f"/api/admin/tenants/{session.target_tenant_id}"
    head = (
        f"PATCH {path} HTTP/1.1\r\nHost: {host}:{port}\r\n"
        f"Authorization: {session.headers['Authorization']}\r\nX-Tenant-ID: {DEMO_TENANT}\r\n"
        "Content-Type: application/json\r\n"
    )
    loop = asyncio.get_running_loop()
    latencies: list[float] = []
    failures: dict[str, int] = {}
    succeeded = 0
    count = round(rate * seconds)

    async def one(due: float) -> None:
        nonlocal succeeded
        body = json.dumps({"name": f"Target {next(counter)}"}).encode()
        request = f"{head}Content-Length: {len(body)}\r\n\r\n".encode() + body
        try:
            status = await asyncio.wait_for(connections.send(request), timeout=30)
        except TimeoutError:
            failures["timeout"] = failures.get("timeout", 0) + 1
            return
        except (OSError, asyncio.IncompleteReadError):
            failures["connection"] = failures.get("connection", 0) + 1
            return
        if status == 200:
            succeeded += 1
        else:
            failures[str(status)] = failures.get(str(status), 0) + 1
        # Latency of every answer, failed or not; the achieved rate counts successes only.
        latencies.append(loop.time() - due)

    server_before = tree_cpu_seconds(app.pids)
    own_before = resource.getrusage(resource.RUSAGE_SELF)
    start = loop.time() + 0.05
    tasks = []
    for n in range(count):
        due = start + n / rate
        delay = due - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)  # the pacing of the open loop itself
        tasks.append(asyncio.create_task(one(due)))
    await asyncio.gather(*tasks)
    finished = loop.time()
    own_after = resource.getrusage(resource.RUSAGE_SELF)
    server_cpu = tree_cpu_seconds(app.pids) - server_before
    await connections.close()
    latencies.sort()
    own_cpu = (own_after.ru_utime + own_after.ru_stime) - (
        own_before.ru_utime + own_before.ru_stime
    )

    def percentile(fraction: float) -> float:
        if not latencies:
            return float("nan")
        return latencies[min(len(latencies) - 1, int(fraction * len(latencies)))] * 1000

    return WriteStep(
        offered=rate,
        achieved=succeeded / (finished - start),
        p50_ms=percentile(0.50),
        p99_ms=percentile(0.99),
        failures=failures,
        server_cpu_ms=server_cpu * 1000 / max(1, count),
        generator_cpu=own_cpu / (finished - start),
    )


async def measure_writes(
    app: Server, session: Session, arguments: argparse.Namespace
) -> list[WriteStep]:
    """100/s and 200/s; then upwards while 200/s was kept, downwards while 100/s was not,
    until the other side of the line (p99 at most 100 ms, 95% of the rate achieved)."""
    counter = iter(range(10**9))
    await offer_writes(app, session, 50, 1, counter)  # warm-up

    async def step(rate: float) -> WriteStep:
        result = await offer_writes(app, session, rate, arguments.write_seconds, counter)
        print(
            f"  writes {rate:>5.0f}/s offered: {result.achieved:6.0f}/s achieved, "
            f"p99 {result.p99_ms:7.1f} ms, failed: {failed(result)}",
            flush=True,
        )
        return result

    steps = [await step(100), await step(200)]
    if kept_up(steps[1]):
        for rate in (300, 400, 500, 600, 800, 1000, 1200):
            steps.append(await step(rate))
            if not kept_up(steps[-1]):
                break
    elif not kept_up(steps[0]):
        for rate in (50, 25, 10):
            steps.append(await step(rate))
            if kept_up(steps[-1]):
                break
    return sorted(steps, key=lambda result: result.offered)


def failed(step: WriteStep) -> str:
    return ", ".join(f"{count} x {kind}" for kind, count in sorted(step.failures.items())) or "0"


def kept_up(step: WriteStep) -> bool:
    return step.p99_ms <= P99_CEILING_MS and step.achieved >= 0.95 * step.offered


def write_table(stack: Stack, steps: list[WriteStep]) -> list[str]:
    lines = [
        f"**Writes, {stack.label}**: `PATCH /api/admin/tenants/{{id}}` (a rename, one event), "
        "open loop",
        "",
        "| offered/s | achieved/s | p50 ms | p99 ms | CPU ms/write | generator CPU | failed |",
        "|---|---|---|---|---|---|---|",
    ]
    lines += [
        f"| {s.offered:.0f} | {s.achieved:.0f} | {s.p50_ms:.1f} | {s.p99_ms:.1f} "
        f"| {s.server_cpu_ms:.2f} | {s.generator_cpu:.0%} | {failed(s)} |"
        for s in steps
    ]
    under = [s.offered for s in steps if kept_up(s)]
    over = [s.offered for s in steps if not kept_up(s)]
    verdict = (
        f"Kept (p99 <= {P99_CEILING_MS:.0f} ms, >= 95% of the rate achieved) at "
        f"{', '.join(f'{rate:.0f}' for rate in under) or 'no rate offered'}/s"
    )
    if under and over and max(under) < min(over):
        verdict += (
            f"; p99 crosses {P99_CEILING_MS:.0f} ms between {max(under):.0f} and {min(over):.0f}/s"
        )
    elif over:
        verdict += f"; not at {', '.join(f'{rate:.0f}' for rate in over)}/s"
    return [*lines, "", verdict]


# -- one stack -------------------------------------------------------------------------------------


@contextlib.contextmanager
def running_app(stack: Stack, directory: Path) -> Iterator[Server]:
    """A fresh, seeded database and `rustok serve` on it; all of it gone afterwards."""
    namespace = f"rustok-bench-{secrets.token_hex(4)}"
    database_name = f"rustok_bench_{secrets.token_hex(4)}"
    if stack.database == "postgres":
        database_url = uvloop.run(postgres_database(database_name, create=True))
    else:
        database_url = f"sqlite+aiosqlite:///{directory / f'{stack.name}.db'}"
    app: Server | None = None
    try:
        uvloop.run(seed(database_url))
        rustok = str(Path(sys.executable).with_name("rustok"))
        port = free_port()
        processes = ["--processes", str(stack.processes)]
        app = start_server(
            "app",
            [rustok, "serve", "--host", "127.0.0.1", "--port", str(port), *processes],
            app_environment(stack, database_url, namespace),
            port,
            directory,
        )
        wait_until_serving(app, stack.processes)
        yield app
    finally:
        if app is not None:
            stop_server(app)
        if stack.database == "postgres":
            uvloop.run(postgres_database(database_name, create=False))
        if stack.limiter == "redis":
            uvloop.run(clear_redis(namespace))


def run_stack(stack: Stack, arguments: argparse.Namespace, directory: Path) -> list[str]:
    with running_app(stack, directory) as app:
        session = log_in(app)
        bodies_file = directory / f"{stack.name}-bodies.json"
        bodies_file.write_text(json.dumps(session.bodies), "utf-8")
        reference_environment = {**os.environ, "BENCH_REFERENCE_BODIES": str(bodies_file)}
        servers = {"app": app}
        try:
            for kind in ("bare", "fastapi"):
                port = free_port()
                servers[kind] = start_server(
                    kind,
                    [sys.executable, "-c", serve_reference_source(kind, port, stack.processes)],
                    reference_environment,
                    port,
                    directory,
                )
                wait_until_serving(servers[kind], stack.processes)
            check_same_bytes(servers, session)
            print(f"\n{stack.label}", flush=True)
            lines = read_table(stack, measure_reads(servers, session, arguments))
        finally:
            for kind in ("bare", "fastapi"):
                if kind in servers:
                    stop_server(servers[kind])
        if stack.writes and not arguments.no_writes:
            steps = uvloop.run(measure_writes(app, session, arguments))
            lines += ["", *write_table(stack, steps)]
        return lines


# -- where the time goes ---------------------------------------------------------------------------

# A sampled stack belongs to the first layer, from its innermost frame outwards, one of whose
# markers is in a frame ("function (file:line)"). Libraries count for the layer that uses them:
# SQLAlchemy for SQL, structlog for the access log; JSON only where a response is encoded.
LAYERS = (
    (
        "thread hop: a sync `def` dependency run in anyio's thread pool",
        ("anyio/to_thread", "starlette/concurrency", "anyio/_backends"),
    ),
    ("JWT verification (PyJWT)", ("jwt/", "rustok/auth/tokens.py")),
    (
        "SQL: SQLAlchemy session, statement, driver",
        ("sqlalchemy", "aiosqlite/", "asyncpg/", "rustok/core/sqlite.py", "rustok/core/db.py"),
    ),
    ("permission check (rbac)", ("rustok/rbac/",)),
    (
        "session cache: generations, cached state",
        ("Generations.", "rustok/stores/sessions.py", "rustok/auth/cache.py"),
    ),
    ("authentication, own code (service, deps)", ("rustok/auth/", "rustok/web/access.py")),
    (
        "tenant resolution (edge part, resolver, cache)",
        ("rustok/tenancy/", "middleware/tenant.py"),
    ),
    ("rate limit (edge part, limiter, store)", ("middleware/rate_limit.py", "rustok/stores/")),
    ("access log: structlog line", ("structlog/", "logging/", "rustok/observability/logging")),
    ("access log: Prometheus metrics", ("prometheus_client/", "rustok/observability/metrics")),
    ("access log, own code (route template)", ("middleware/access_log.py",)),
    (
        "request id (id, context)",
        ("middleware/request_id.py", "rustok/core/context.py", "rustok/core/ids.py"),
    ),
    (
        "edge, own code (order, send wrapper, limits, client address)",
        ("middleware/edge.py", "middleware/limits.py", "middleware/proxies.py"),
    ),
    (
        "response: validation and JSON encoding",
        ("serialize_response", "jsonable_encoder", "pydantic", "json/", "orjson", "render"),
    ),
    ("FastAPI/Starlette: routing, dependencies, wrappers", ("fastapi/", "starlette/", "anyio/")),
    ("uvicorn, httptools, event loop", ("uvicorn/", "asyncio/", "uvloop", "httptools")),
)
# Threads parked in C (aiosqlite's worker and the default executor's on a SimpleQueue, anyio's
# idle workers): py-spy cannot tell they are idle, so they are dropped here.
IDLE_LEAVES = (
    "_connection_worker_thread (aiosqlite/core.py:59)",
    "_worker (concurrent/futures/thread.py:81)",
    "Condition.wait",
    "Queue.get",
    "Event.wait",
)


def layer_of(frames: list[str]) -> str:
    for frame in reversed(frames):
        for layer, markers in LAYERS:
            if any(marker in frame for marker in markers):
                return layer
    return "other"


def layer_shares(raw: Path) -> dict[str, float]:
    """Share of busy samples per layer, from py-spy's `--format raw` (collapsed stacks)."""
    counts: dict[str, int] = dict.fromkeys([layer for layer, _ in LAYERS] + ["other"], 0)
    for line in raw.read_text().splitlines():
        stack, _, number = line.rpartition(" ")
        frames = [frame for frame in stack.split(";") if frame]
        if frames and not frames[-1].startswith(IDLE_LEAVES):
            counts[layer_of(frames)] += int(number)
    busy = max(1, sum(counts.values()))
    return {layer: count / busy for layer, count in counts.items()}


def profile(arguments: argparse.Namespace, directory: Path) -> list[str]:
    """py-spy on `rustok serve` (the first stack asked for) while wrk loads each path."""
    py_spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    if not Path(py_spy).exists():
        raise SystemExit("py-spy is not installed: `.venv/bin/pip install py-spy` (dev extra)")
    stack = arguments.stack_list[0]
    endpoints = [endpoint for endpoint in ENDPOINTS if endpoint.path in arguments.profile]
    shares: dict[str, dict[str, float]] = {}
    rates: dict[str, Sample] = {}
    with running_app(stack, directory) as app:
        session = log_in(app)
        for endpoint in endpoints:
            headers = request_headers(endpoint, session)
            wrk(app, endpoint.path, headers, 2, arguments.concurrency)  # warm-up
            raw = directory / f"profile{endpoint.path.replace('/', '-')}.txt"
            # Blocking mode (py-spy stops the process for each sample): stacks stay whole,
            # at some cost in throughput, which does not change the shares.
            command = [py_spy, "record", "--format", "raw", "--rate", "200", "--output", str(raw)]
            command += ["--duration", str(arguments.seconds), "--pid", str(app.process.pid)]
            spy = subprocess.Popen(
                command,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
            )
            rates[endpoint.path] = wrk(
                app, endpoint.path, headers, arguments.seconds + 1, arguments.concurrency
            )
            _, problems = spy.communicate()
            if spy.returncode != 0:
                raise SystemExit(f"py-spy failed (it needs root or ptrace): {problems.decode()}")
            shares[endpoint.path] = layer_shares(raw)
    lines = [
        f"**Where the CPU goes, {stack.label}** (py-spy, share of busy samples)",
        "",
        "| layer | " + " | ".join(f"`{endpoint.label}`" for endpoint in endpoints) + " |",
        "|---|" + "---|" * len(endpoints),
    ]
    for layer in [name for name, _ in LAYERS] + ["other"]:
        if any(shares[endpoint.path][layer] >= 0.001 for endpoint in endpoints):
            cells = " | ".join(f"{shares[endpoint.path][layer]:.1%}" for endpoint in endpoints)
            lines.append(f"| {layer} | {cells} |")
    cpu = " | ".join(f"{rates[endpoint.path].cpu_ms_per_request:.2f}" for endpoint in endpoints)
    return [*lines, f"| CPU ms/request while sampled | {cpu} |"]


def serve_reference_source(kind: str, port: int, processes: int) -> str:
    """`python -c` source serving a reference app with `rustok serve`'s uvicorn options."""
    return (
        "import uvicorn\n"
        f"uvicorn.run('apps:make_{kind}', factory=True, app_dir={str(REFERENCE_DIR)!r},"
        f" host='127.0.0.1', port={port}, workers={processes}, loop='uvloop',"
        " http='httptools', log_config=None, access_log=False, proxy_headers=False,"
        " lifespan='off')\n"
    )


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="1 round of 2 s, writes 2 s a step")
    parser.add_argument("--rounds", type=int, help="rounds per endpoint (default 3)")
    parser.add_argument("--seconds", type=int, help="seconds per wrk run (default 5)")
    parser.add_argument("--write-seconds", type=int, help="seconds per write rate (default 8)")
    parser.add_argument("--concurrency", type=int, default=64, help="wrk connections")
    parser.add_argument(
        "--stacks",
        default=",".join(stack.name for stack in STACKS),
        help="comma-separated: " + ", ".join(stack.name for stack in STACKS),
    )
    parser.add_argument("--no-writes", action="store_true", help="skip the PATCH section")
    parser.add_argument(
        "--profile",
        nargs="+",
        metavar="PATH",
        choices=[endpoint.path for endpoint in ENDPOINTS],
        help="instead of the comparison: py-spy on the first stack while wrk loads each path",
    )
    arguments = parser.parse_args()
    quick = arguments.quick
    arguments.rounds = arguments.rounds or (1 if quick else 3)
    arguments.seconds = arguments.seconds or (2 if quick else 5)
    arguments.write_seconds = arguments.write_seconds or (2 if quick else 8)
    known = {stack.name: stack for stack in STACKS}
    names = [name.strip() for name in arguments.stacks.split(",") if name.strip()]
    unknown = [name for name in names if name not in known]
    if unknown:
        parser.error(f"unknown stack(s) {', '.join(unknown)}; known: {', '.join(known)}")
    arguments.stack_list = [known[name] for name in names]
    if min(arguments.rounds, arguments.seconds, arguments.write_seconds, arguments.concurrency) < 1:
        parser.error("--rounds, --seconds, --write-seconds and --concurrency must be at least 1")
    return arguments


def main() -> None:
    arguments = parse_arguments()
    # SIGTERM as an exception, so that the servers, databases and keys are cleaned up.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: `apt-get install -y wrk` (or `make bench`)")
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    load = os.getloadavg()[0]
    shape = f"{arguments.rounds} round(s) of {arguments.seconds} s per case"
    if arguments.profile:
        shape = f"{arguments.seconds} s of py-spy per path"
    print(
        f"{started}, load {load:.2f}, {os.cpu_count()} cores; {shape}, "
        f"wrk -t1 -c{arguments.concurrency}",
        flush=True,
    )
    output: list[str] = []
    with tempfile.TemporaryDirectory(prefix="rustok-bench-") as directory:
        if arguments.profile:
            output = [*profile(arguments, Path(directory)), ""]
        for stack in [] if arguments.profile else arguments.stack_list:
            output += [*run_stack(stack, arguments, Path(directory)), ""]
    print(f"\n{started}, load {load:.2f} at the start\n")
    print("\n".join(output))
    if arguments.profile:
        return
    print(
        "req/s, p50, p99, CPU: medians over rounds (req/s range in brackets). vs bare / vs FastAPI:"
        " median of app / reference, each pair measured back to back, in req/s (and in requests"
        " per CPU second). CPU ms/req: utime + stime"
        " of the server's processes per request. wrk CPU: the load generator's own CPU as a"
        " share of one core (its ceiling). box busy: all cores, everything on the machine."
    )


if __name__ == "__main__":
    main()
