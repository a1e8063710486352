"""The real server over real HTTP: `rustok serve` in its own process, as `make run` starts it.

Two stacks run the same checks:

- embedded: `rustok db migrate`, `rustok seed --demo`, `rustok serve` on a fresh SQLite file,
  with every default (exactly what `make run` does);
- distributed: a fresh PostgreSQL database, Redis, NATS JetStream (a stream of its own), and
  two API processes: `rustok serve` (with the workers) and `rustok serve --no-workers`.

Every client talks from its own loopback address (127.x.y.z), so the per-IP rate limits it
meets are its own, and each distributed stack leases a Redis database of its own, so stacks of
earlier runs or of other xdist workers cannot answer for it. The servers are stopped with
SIGTERM by the last test, which expects each to exit 0 (graceful shutdown).
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import re
import signal
import socket
import subprocess
import time
import uuid
from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

import httpx
import pytest

from rustok.testing.services import nats_url, need, postgres_url, redis_url
from tests.cli.running import cli_environment, empty_postgres_database, run_rustok, rustok_command
from tests.events.nats_server import free_port

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator
    from pathlib import Path

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("e2e")]

START_TIMEOUT_SECONDS = 30.0
STOP_TIMEOUT_SECONDS = 15.0
PROPAGATION_TIMEOUT_SECONDS = 10.0
ADMIN = {"email": "admin@demo.rustok.dev", "password": "rustok-demo-admin"}  # the README's
PROBLEM_JSON = "application/problem+json"
MAX_BODY_BYTES = 1_048_576
DISTRIBUTED = pytest.param(
    "distributed", marks=[pytest.mark.postgres, pytest.mark.redis, pytest.mark.nats]
)


def wait_until(
    condition: Callable[[], object], *, timeout: float, message: str, interval: float = 0.05
) -> None:
    """Poll `condition` until it is truthy; fail with `message` at the deadline."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() >= deadline:
            raise AssertionError(message)
        time.sleep(interval)


def _bindable(address: str) -> bool:
    try:
        with socket.socket() as probe:
            probe.bind((address, 0))
    except OSError:
        return False
    return True


def client_address() -> str:
    """A loopback address of its own (Linux routes all of 127/8), else 127.0.0.1."""
    address = f"127.{random.randint(1, 254)}.{random.randint(1, 254)}.{random.randint(2, 254)}"
    return address if _bindable(address) else "127.0.0.1"


@dataclass
class Server:
    """One `rustok serve` process; its output goes to a file, shown when something fails."""

    name: str
    port: int
    process: subprocess.Popen[bytes]
    log_path: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def client(
        self, *, address: str | None = None, headers: dict[str, str] | None = None
    ) -> httpx.Client:
        """A client from `address`, by default a loopback address no other client uses."""
        transport = httpx.HTTPTransport(local_address=address or client_address())
        return httpx.Client(base_url=self.url, transport=transport, headers=headers, timeout=10.0)

    def ready(self) -> bool:
        assert self.process.poll() is None, f"{self.name} exited early:\n{self.log()}"
        try:
            return httpx.get(f"{self.url}/api/health/ready", timeout=1.0).status_code == 200
        except httpx.TransportError:
            return False

    def stop(self) -> int | None:
        """SIGTERM, then the exit code; None (after SIGKILL) when it does not stop in time."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=STOP_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            return None


def start_server(name: str, env: dict[str, str], directory: Path, *args: str) -> Server:
    port = free_port()
    log_path = directory / f"{name}.log"
    with log_path.open("wb") as log_file:
        process = subprocess.Popen(
            [*rustok_command(), "serve", "--port", str(port), *args],
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            cwd=directory,
        )
    server = Server(name, port, process, log_path)
    try:
        wait_until(
            server.ready,
            timeout=START_TIMEOUT_SECONDS,
            message=f"{name} not ready in {START_TIMEOUT_SECONDS}s:\n{server.log()}",
        )
    except BaseException:
        server.stop()
        raise
    return server


@dataclass
class Stack:
    name: str
    env: dict[str, str]
    servers: list[Server] = field(default_factory=list)

    @property
    def api(self) -> Server:
        """Where the walkthrough talks: the process that also runs the workers."""
        return self.servers[0]


def _prepare_database(env: dict[str, str], directory: Path) -> None:
    for command in (("db", "migrate"), ("seed", "--demo")):
        result = run_rustok(*command, env=env, cwd=directory)
        assert result.code == 0, result


# Redis keys are not namespaced by deployment: a tenant slug cached there by another stack (an
# earlier run, or another xdist worker) points at the tenant id of that stack's database. So
# each distributed stack leases a Redis database of its own and forgets the tenant cache in it
# first: every version of the key format, so that a format bump cannot leave stale keys behind.
_SHARED_TENANT_KEYS = "rustok:tenant:*"
_LEASE_SECONDS = 600
_REDIS_DATABASES = range(1, 16)


def _redis_url_with_database(index: int) -> str:
    parts = urlsplit(redis_url())
    return urlunsplit((parts.scheme, parts.netloc, f"/{index}", parts.query, parts.fragment))


@contextlib.contextmanager
def redis_database_lease() -> Iterator[str]:
    """The URL of a Redis database (1-15) no other e2e stack uses meanwhile, its tenant keys
    forgotten; the lease (a key in the configured database) expires on its own after a crash."""
    import redis

    control = redis.Redis.from_url(redis_url())
    token = uuid.uuid4().hex
    leased: list[int] = []

    def lease() -> bool:
        for index in _REDIS_DATABASES:
            if control.set(f"rustok:e2e:lease:{index}", token, nx=True, ex=_LEASE_SECONDS):
                leased.append(index)
                return True
        return False

    try:
        wait_until(lease, timeout=START_TIMEOUT_SECONDS, message="no free Redis database to lease")
        url = _redis_url_with_database(leased[0])
        _forget_shared_tenant_keys(url)
        yield url
        _forget_shared_tenant_keys(url)
    finally:
        if leased and control.get(f"rustok:e2e:lease:{leased[0]}") == token.encode():
            control.delete(f"rustok:e2e:lease:{leased[0]}")
        control.close()


def _forget_shared_tenant_keys(url: str) -> None:
    import redis

    client = redis.Redis.from_url(url)
    try:
        stale = list(client.scan_iter(match=_SHARED_TENANT_KEYS))
        if stale:
            client.delete(*stale)
    finally:
        client.close()


async def _delete_stream(stream: str) -> None:
    import nats
    from nats.js.errors import NotFoundError

    connection = await nats.connect(nats_url())
    try:
        with contextlib.suppress(NotFoundError):
            await connection.jetstream().delete_stream(stream)
    finally:
        await connection.close()


def _embedded(resources: ExitStack, directory: Path) -> Stack:
    stack = Stack("embedded", cli_environment(f"sqlite+aiosqlite:///{directory / 'rustok.db'}"))
    _prepare_database(stack.env, directory)
    resources.callback(lambda: [server.stop() for server in stack.servers])
    stack.servers.append(start_server("serve", stack.env, directory))
    return stack


def _distributed(resources: ExitStack, directory: Path) -> Stack:
    need("PostgreSQL", postgres_url(), 5432)
    need("Redis", redis_url(), 6379)
    need("NATS", nats_url(), 4222)
    database_url = resources.enter_context(empty_postgres_database(postgres_url()))
    suffix = uuid.uuid4().hex[:10]
    stream = f"RUSTOK_E2E_{suffix}"
    resources.callback(lambda: asyncio.run(_delete_stream(stream)))
    env = cli_environment(
        database_url,
        redis_url=resources.enter_context(redis_database_lease()),
        event_transport="nats",
        nats_url=nats_url(),
        nats_stream=stream,
        nats_subject_prefix=f"e2e{suffix}.events",
    )
    stack = Stack("distributed", env)
    _prepare_database(env, directory)
    resources.callback(lambda: [server.stop() for server in stack.servers])
    stack.servers.append(start_server("serve-a", env, directory))
    stack.servers.append(start_server("serve-b-no-workers", env, directory, "--no-workers"))
    return stack


@pytest.fixture(scope="module", params=["embedded", DISTRIBUTED])
def stack(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    directory = tmp_path_factory.mktemp(request.param)
    with ExitStack() as resources:
        build = _embedded if request.param == "embedded" else _distributed
        yield build(resources, directory)


def assert_problem(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert (response.status_code, response.headers["content-type"]) == (status, PROBLEM_JSON), (
        response.text
    )
    body: dict[str, Any] = response.json()
    assert (body["status"], body["code"]) == (status, code)
    assert body["request_id"] == response.headers["x-request-id"]
    return body


def login(client: httpx.Client, tenant: str, credentials: dict[str, str]) -> str:
    response = client.post("/api/auth/login", json=credentials, headers={"X-Tenant-ID": tenant})
    assert response.status_code == 200, response.text
    token: str = response.json()["access_token"]
    return token


def bearer(token: str, tenant: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", "X-Tenant-ID": tenant}


# --- the README's "Try it", step by step -------------------------------------------------------


def test_the_readme_walkthrough(stack: Stack) -> None:
    with stack.api.client() as http:
        health = http.get("/api/health")
        metrics = http.get("/metrics")
        by_header = http.get("/api/tenant", headers={"X-Tenant-ID": "demo"})
        by_host = http.get("/api/tenant", headers={"Host": f"localhost:{stack.api.port}"})
        signed_in = http.post("/api/auth/login", headers={"X-Tenant-ID": "demo"}, json=ADMIN)
        assert signed_in.status_code == 200, signed_in.text
        token = signed_in.json()["access_token"]
        me = http.get("/api/auth/me", headers=bearer(token, "demo"))
        created = http.post(
            "/api/admin/tenants",
            headers=bearer(token, "demo"),
            json={"name": "Acme", "slug": "acme", "domain": "shop.acme.test"},
        )
        registered = http.post(
            "/api/auth/register",
            headers={"X-Tenant-ID": "acme"},
            json={"email": "jo@example.com", "password": "a-long-secret"},
        )
        assert registered.status_code == 201, registered.text
        customer = registered.json()["access_token"]
        customer_lists_tenants = http.get("/api/admin/tenants", headers=bearer(customer, "acme"))
        customer_on_demo = http.get("/api/auth/me", headers=bearer(customer, "demo"))
        docs = http.get("/api/docs")
        openapi = http.get("/api/openapi.json")

    assert health.status_code == 200
    assert health.json()["status"] == "ok"
    assert {name: check["status"] for name, check in health.json()["checks"].items()} == {
        "database": "ok",
        "stores": "ok",
        "event_transport": "ok",
        "outbox_lag": "ok",
        "consumer_backlog": "ok",
    }
    assert metrics.status_code == 200
    cache_metrics = {
        line.split(" ")[0]
        for line in metrics.text.splitlines()
        if line.startswith("rustok_tenant_cache_") and line.split(" ")[0].endswith("_total")
    }
    assert cache_metrics == {
        "rustok_tenant_cache_hits_total",
        "rustok_tenant_cache_misses_total",
        "rustok_tenant_cache_coalesced_total",
    }
    assert by_header.status_code == 200
    demo = by_header.json()
    assert (demo["slug"], demo["name"], demo["default_locale"]) == ("demo", "Demo Store", "en")
    assert [
        (loc["locale"], loc["is_default"], loc["fallback_locale"]) for loc in demo["locales"]
    ] == [
        ("de", False, "en"),
        ("en", True, None),
        ("ru", False, "en"),
    ]
    assert (by_host.status_code, by_host.json()) == (200, demo)
    assert (signed_in.json()["token_type"], signed_in.json()["expires_in"]) == ("bearer", 900)
    assert me.status_code == 200
    assert (me.json()["email"], me.json()["roles"], me.json()["tenant_id"]) == (
        ADMIN["email"],
        ["admin"],
        demo["id"],
    )
    assert created.status_code == 201, created.text
    acme = created.json()
    assert (acme["slug"], acme["name"], acme["domain"], acme["is_active"]) == (
        "acme",
        "Acme",
        "shop.acme.test",
        True,
    )
    assert registered.json()["user"]["roles"] == ["customer"]
    assert registered.json()["user"]["tenant_id"] == acme["id"]
    assert_problem(customer_lists_tenants, 403, "FORBIDDEN")
    assert_problem(customer_on_demo, 401, "TOKEN_TENANT_MISMATCH")
    assert (docs.status_code, docs.headers["content-type"]) == (200, "text/html; charset=utf-8")
    assert openapi.status_code == 200, openapi.text  # what the interactive docs load
    assert {"/api/auth/login", "/api/admin/tenants", "/api/tenant"} <= set(openapi.json()["paths"])
    for server in stack.servers:  # every replica sees the new tenant and its domain
        with server.client() as http:
            assert (
                http.get("/api/tenant", headers={"X-Tenant-ID": "acme"}).json()["id"] == acme["id"]
            )
            seen = http.get("/api/tenant", headers={"Host": "shop.acme.test"})
            assert (seen.status_code, seen.json()["slug"]) == (200, "acme")


# --- request ids, rate limits, bad input -------------------------------------------------------


def test_the_request_id_is_echoed_and_generated_when_missing(stack: Stack) -> None:
    request_id = f"e2e-{uuid.uuid4().hex}"

    with stack.api.client() as http:
        given = http.get(
            "/api/tenant", headers={"X-Tenant-ID": "no-such", "X-Request-ID": request_id}
        )
        generated = http.get("/api/health")

    assert given.headers["x-request-id"] == request_id
    assert assert_problem(given, 404, "TENANT_NOT_FOUND")["request_id"] == request_id
    assert re.fullmatch(r"[0-9a-f]{32}", generated.headers["x-request-id"])


def test_the_101st_request_from_one_client_gets_429(stack: Stack) -> None:
    """With Redis, the replicas share one budget: requests alternate between them."""
    address = client_address()  # one client, whichever replica it reaches
    clients = [server.client(address=address) for server in stack.servers]
    try:
        allowed = [clients[n % len(clients)].get("/api/health") for n in range(100)]
        refused = clients[100 % len(clients)].get("/api/health")
    finally:
        for client in clients:
            client.close()

    assert [response.status_code for response in allowed] == [200] * 100
    assert [response.headers["RateLimit-Remaining"] for response in allowed] == [
        str(remaining) for remaining in range(99, -1, -1)
    ]
    assert_problem(refused, 429, "RATE_LIMITED")
    assert (refused.headers["RateLimit-Limit"], refused.headers["RateLimit-Remaining"]) == (
        "100",
        "0",
    )
    assert refused.headers["X-RateLimit-Limit"] == "100"
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert refused.headers["RateLimit-Reset"] == refused.headers["Retry-After"]


def test_malformed_json_is_a_400_problem(stack: Stack) -> None:
    with stack.api.client() as http:
        response = http.post(
            "/api/auth/login",
            content=b'{"email": "admin@demo.rustok.dev", password}',
            headers={"X-Tenant-ID": "demo", "Content-Type": "application/json"},
        )

    body = assert_problem(response, 400, "MALFORMED_JSON")
    assert body["errors"] == [
        {"field": "body", "message": "Expecting property name enclosed in double quotes"}
    ]


def _assert_too_large(response: httpx.Response) -> None:
    body = assert_problem(response, 413, "PAYLOAD_TOO_LARGE")
    assert body["detail"] == f"The request body is larger than {MAX_BODY_BYTES} bytes."
    assert body["errors"] == [{"field": "body", "message": f"at most {MAX_BODY_BYTES} bytes"}]


def test_an_oversized_body_is_a_413_problem(stack: Stack) -> None:
    with stack.api.client() as http:
        response = http.post(
            "/api/auth/register",
            content=b"x" * (MAX_BODY_BYTES + 1),
            headers={"X-Tenant-ID": "demo", "Content-Type": "application/json"},
        )

    _assert_too_large(response)


def test_an_oversized_chunked_body_is_a_413_problem(stack: Stack) -> None:
    def chunks() -> Iterable[bytes]:
        for _ in range(17):  # 17 x 64 KiB: past the limit, with no Content-Length to tell
            yield b"x" * 65_536

    with stack.api.client() as http:
        response = http.post(
            "/api/auth/register",
            content=chunks(),
            headers={"X-Tenant-ID": "demo", "Content-Type": "application/json"},
        )

    _assert_too_large(response)


# --- replicas: what one process changes, the other sees ----------------------------------------


@pytest.mark.parametrize("stack", [DISTRIBUTED], indirect=True)
def test_a_tenant_renamed_on_one_replica_is_seen_renamed_on_the_other(stack: Stack) -> None:
    a, b = stack.servers
    with a.client() as on_a, b.client(headers={"X-Tenant-ID": "demo"}) as on_b:
        before = on_b.get("/api/tenant")  # now cached on B (and in Redis)
        token = login(on_a, "demo", ADMIN)
        renamed = on_a.patch(
            f"/api/admin/tenants/{before.json()['id']}",
            headers=bearer(token, "demo"),
            json={"name": "Demo Renamed"},
        )

        def b_sees_the_new_name() -> bool:
            return bool(on_b.get("/api/tenant").json()["name"] == "Demo Renamed")

        wait_until(
            b_sees_the_new_name,
            timeout=PROPAGATION_TIMEOUT_SECONDS,
            interval=0.2,  # stays well inside the per-IP budget while polling
            message="replica B still serves the old tenant name",
        )
        restored = on_a.patch(
            f"/api/admin/tenants/{before.json()['id']}",
            headers=bearer(token, "demo"),
            json={"name": "Demo Store"},
        )

    assert (before.status_code, before.json()["name"]) == (200, "Demo Store")
    assert (renamed.status_code, renamed.json()["name"]) == (200, "Demo Renamed")
    assert restored.status_code == 200


@pytest.mark.parametrize("stack", [DISTRIBUTED], indirect=True)
def test_a_role_change_on_one_replica_takes_effect_on_the_other(stack: Stack) -> None:
    a, b = stack.servers
    with a.client() as on_a, b.client() as on_b:
        registered = on_b.post(
            "/api/auth/register",
            headers={"X-Tenant-ID": "demo"},
            json={"email": f"rita-{uuid.uuid4().hex[:8]}@example.com", "password": "a-long-secret"},
        )
        customer = registered.json()["access_token"]
        refused = on_b.get("/api/admin/roles", headers=bearer(customer, "demo"))
        admin = login(on_a, "demo", ADMIN)
        created = on_a.post(
            "/api/admin/roles",
            headers=bearer(admin, "demo"),
            json={
                "slug": f"auditor-{uuid.uuid4().hex[:8]}",
                "name": "Auditor",
                "permissions": [{"permission": "roles:list"}],
            },
        )
        granted = on_a.put(
            f"/api/admin/users/{registered.json()['user']['id']}/roles",
            headers=bearer(admin, "demo"),
            json={"roles": ["customer", created.json()["slug"]]},
        )

        def b_allows_it() -> bool:
            response = on_b.get("/api/admin/roles", headers=bearer(customer, "demo"))
            return response.status_code == 200

        wait_until(
            b_allows_it,
            timeout=PROPAGATION_TIMEOUT_SECONDS,
            interval=0.2,  # stays well inside the customer's budget while polling
            message="replica B still refuses the permission granted on A",
        )

    assert registered.status_code == 201, registered.text
    assert_problem(refused, 403, "FORBIDDEN")
    assert created.status_code == 201, created.text
    assert granted.status_code == 200, granted.text


# --- last: graceful shutdown --------------------------------------------------------------------


def test_sigterm_stops_every_server_with_exit_code_0(stack: Stack) -> None:
    started = time.monotonic()

    codes = {server.name: server.stop() for server in stack.servers}

    logs = {server.name: server.log() for server in stack.servers}
    assert time.monotonic() - started < STOP_TIMEOUT_SECONDS
    assert all("Application shutdown complete." in log for log in logs.values()), logs
    assert codes == dict.fromkeys(logs, 0)
