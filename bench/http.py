"""HTTP benchmark: the real app (uvicorn, SQLite) against a bare ASGI app, in one run.

    .venv/bin/python bench/http.py [--requests 3000] [--concurrency 32] [--warmup 300]

Both servers run in their own process on a free loopback port, with uvloop and httptools;
the load comes from this process (httpx, bounded concurrency). The bare app answers the
same bytes as the real one, so the ratio shows what the framework, middleware, database
and logging cost. Absolute numbers include the load generator's own limits; compare them
only within one run.
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
import os  # noqa: E402
import secrets  # noqa: E402
import socket  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from typing import Any  # noqa: E402

import httpx  # noqa: E402
import uvloop  # noqa: E402

TENANT_SLUG = "bench"
EMAIL = "bench@example.com"
PASSWORD = "bench-password-0123"  # noqa: S105 - a throwaway user in a temporary database


@dataclass(frozen=True)
class Result:
    target: str
    endpoint: str
    requests: int
    seconds: float
    latencies: list[float]
    errors: int

    @property
    def rps(self) -> float:
        return self.requests / self.seconds

    def percentile(self, fraction: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] * 1000


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def app_environment(database_url: str) -> dict[str, str]:
    """Production settings, except SQLite and no rate limits (the load comes from one IP)."""
    environment = {key: value for key, value in os.environ.items() if not key.startswith("RUSTOK_")}
    environment.update(
        {
            "RUSTOK_ENV": "production",
            "RUSTOK_DATABASE_URL": database_url,
            "RUSTOK_ALLOW_SQLITE_IN_PRODUCTION": "true",
            "RUSTOK_JWT_SECRET": secrets.token_urlsafe(48),
            "RUSTOK_RATE_LIMIT_ENABLED": "false",
            "RUSTOK_LOG_FORMAT": "json",
        }
    )
    return environment


async def prepare_database(directory: Path, environment: dict[str, str]) -> str:
    """Migrate a fresh SQLite database and create the tenant and user the load logs in as."""
    from rustok.bootstrap import build_container
    from rustok.core import migrations
    from rustok.core.settings import Settings
    from rustok.observability.logging import configure_logging
    from rustok.tenancy.schemas import TenantCreate

    database_url = f"sqlite+aiosqlite:///{directory / 'bench.db'}"
    await migrations.upgrade(database_url)
    settings = Settings(
        database_url=database_url,
        jwt_secret=environment["RUSTOK_JWT_SECRET"],
        embedded_workers=False,
        log_level="WARNING",
    )
    configure_logging(settings)
    container = build_container(settings)
    try:
        tenant = await container.tenants.create_tenant(TenantCreate(name="Bench", slug=TENANT_SLUG))
        await container.auth.create_user(
            tenant_id=tenant.id, email=EMAIL, password=PASSWORD, roles=("customer",)
        )
    finally:
        await container.close()
    return database_url


def start(command: list[str], environment: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        command, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )


async def wait_until_serving(base_url: str, path: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    async with httpx.AsyncClient(base_url=base_url) as client:
        while time.monotonic() < deadline:
            if server.poll() is not None:
                stderr = server.stderr.read().decode() if server.stderr else ""
                raise SystemExit(f"the server at {base_url} exited:\n{stderr}")
            try:
                if (await client.get(path)).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)  # a benchmark harness polling a port, not a test
    raise SystemExit(f"the server at {base_url} did not answer {path} within 30 s")


def stop(server: subprocess.Popen[bytes]) -> None:
    server.terminate()
    try:
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


async def drive(
    clients: list[httpx.AsyncClient], path: str, headers: dict[str, str], *, requests: int
) -> tuple[float, list[float], int]:
    """Send `requests` GETs, one in flight per client; (seconds, latencies, errors)."""
    latencies: list[float] = []
    errors = 0
    remaining = requests

    async def worker(client: httpx.AsyncClient) -> None:
        nonlocal remaining, errors
        while remaining > 0:
            remaining -= 1
            started = time.perf_counter()
            response = await client.get(path, headers=headers)
            latencies.append(time.perf_counter() - started)
            if response.status_code != 200:
                errors += 1

    started = time.perf_counter()
    await asyncio.gather(*(worker(client) for client in clients))
    return time.perf_counter() - started, latencies, errors


async def measure(
    target: str,
    base_url: str,
    endpoints: list[tuple[str, str, dict[str, str]]],
    arguments: argparse.Namespace,
) -> list[Result]:
    # One client with one connection per concurrent worker: a single httpx client with a
    # large pool spends more CPU scanning its pool than sending, and would be the bottleneck.
    async with contextlib.AsyncExitStack() as stack:
        clients = [
            await stack.enter_async_context(
                httpx.AsyncClient(
                    base_url=base_url, limits=httpx.Limits(max_connections=1), timeout=30
                )
            )
            for _ in range(arguments.concurrency)
        ]
        results = []
        for name, path, headers in endpoints:
            await drive(clients, path, headers, requests=arguments.warmup)
            seconds, latencies, errors = await drive(
                clients, path, headers, requests=arguments.requests
            )
            results.append(Result(target, name, arguments.requests, seconds, latencies, errors))
    return results


async def fetch_bodies(base_url: str) -> tuple[dict[str, str], bytes, bytes]:
    """Log in, then take the real answers of both endpoints for the bare app to repeat."""
    async with httpx.AsyncClient(base_url=base_url) as client:
        tenant = {"X-Tenant-ID": TENANT_SLUG}
        login = await client.post(
            "/api/auth/login", json={"email": EMAIL, "password": PASSWORD}, headers=tenant
        )
        if login.status_code != 200:
            raise SystemExit(f"login failed ({login.status_code}): {login.text}")
        headers = {**tenant, "Authorization": f"Bearer {login.json()['access_token']}"}
        health = await client.get("/api/health")
        me = await client.get("/api/auth/me", headers=headers)
        for response in (health, me):
            if response.status_code != 200:
                raise SystemExit(f"{response.url} answered {response.status_code}: {response.text}")
        return headers, health.content, me.content


def serve_bare(port: int, health_body: str, me_body: str) -> None:
    """The baseline: a raw ASGI app that answers the same bytes, on the same server stack."""
    import uvicorn

    bodies = {
        "/api/health/live": b'{"status":"ok"}',
        "/api/health": health_body.encode(),
        "/api/auth/me": me_body.encode(),
    }

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        body = bodies.get(scope["path"])
        status = 200 if body is not None else 404
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [(b"content-type", b"application/json")],
            }
        )
        await send({"type": "http.response.body", "body": body or b""})

    uvicorn.run(
        app,
        host="127.0.0.1",
        port=port,
        loop="uvloop",
        http="httptools",
        log_level="warning",
        access_log=False,
        lifespan="off",
    )


def report(results: list[Result], arguments: argparse.Namespace) -> None:
    bare = {r.endpoint: r for r in results if r.target == "bare"}
    print(
        f"\n{arguments.requests} requests per endpoint, concurrency {arguments.concurrency}, "
        f"after {arguments.warmup} warm-up requests\n"
    )
    header = f"{'target':<8}{'endpoint':<23}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}"
    print(f"{header}{'errors':>8}{'vs bare':>10}")
    for result in results:
        baseline = bare[result.endpoint]
        ratio = result.rps / baseline.rps
        print(
            f"{result.target:<8}{result.endpoint:<23}{result.rps:>10.0f}"
            f"{result.percentile(0.50):>10.2f}{result.percentile(0.99):>10.2f}"
            f"{result.errors:>8}{ratio:>9.0%}"
        )
    print("\nvs bare = requests/s relative to the bare ASGI app answering the same bytes.")


async def run(arguments: argparse.Namespace) -> None:
    rustok_cli = Path(sys.executable).with_name("rustok")
    with tempfile.TemporaryDirectory(prefix="rustok-bench-") as directory:
        environment = app_environment("")
        database_url = await prepare_database(Path(directory), environment)
        environment["RUSTOK_DATABASE_URL"] = database_url

        app_port = free_port()
        app_url = f"http://127.0.0.1:{app_port}"
        app_server = start(
            [str(rustok_cli), "serve", "--host", "127.0.0.1", "--port", str(app_port)],
            environment,
        )
        bare_server: subprocess.Popen[bytes] | None = None
        try:
            await wait_until_serving(app_url, "/api/health/live", app_server)
            headers, health_body, me_body = await fetch_bodies(app_url)

            bare_port = free_port()
            bare_url = f"http://127.0.0.1:{bare_port}"
            bare_server = start(
                [
                    sys.executable,
                    __file__,
                    "--serve-bare",
                    str(bare_port),
                    health_body.decode(),
                    me_body.decode(),
                ],
                environment,
            )
            await wait_until_serving(bare_url, "/api/health", bare_server)

            endpoints = [
                # No dependency behind it: what the framework and middleware alone cost.
                ("GET /api/health/live", "/api/health/live", {}),
                ("GET /api/health", "/api/health", {}),
                ("GET /api/auth/me", "/api/auth/me", headers),
            ]
            results = await measure("app", app_url, endpoints, arguments)
            results += await measure("bare", bare_url, endpoints, arguments)
        finally:
            stop(app_server)
            if bare_server is not None:
                stop(bare_server)
    report(results, arguments)


def main() -> None:
    if len(sys.argv) == 5 and sys.argv[1] == "--serve-bare":
        serve_bare(int(sys.argv[2]), sys.argv[3], sys.argv[4])
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--requests", type=int, default=3000, help="measured requests per endpoint")
    parser.add_argument("--concurrency", type=int, default=32, help="requests in flight at once")
    parser.add_argument("--warmup", type=int, default=300, help="unmeasured requests first")
    arguments = parser.parse_args()
    if min(arguments.requests, arguments.concurrency) < 1 or arguments.warmup < 0:
        parser.error("--requests and --concurrency must be at least 1, --warmup at least 0")
    uvloop.run(run(arguments))


if __name__ == "__main__":
    main()
