"""Checkout benchmark: checkouts per second with 50 concurrent buyers against `rustok serve`, on
SQLite and on PostgreSQL, plus the storefront's product list under wrk beside the reference apps.

    .venv/bin/python bench/checkout.py                  # both databases, 20 s of checkouts each
    .venv/bin/python bench/checkout.py --quick          # 5 s, one round of the product list
        --databases sqlite,postgres --buyers 50 --seconds 20 --rounds 3 --concurrency 64

It reuses bench/http.py's kit: a fresh database migrated and seeded as `rustok seed --demo`
(the demo shop), `rustok serve` as shipped in production mode (rate limiting on with budgets
nothing reaches, JSON access log), server CPU from /proc, wrk for the reads, the bare ASGI and
minimal FastAPI reference apps answering the app's own bytes.

A buyer is a loop: create a cart, add two lines, check out (four requests, the checkout with an
`Idempotency-Key`), as fast as the server answers; 50 of them at once, in this process, over
keep-alive connections. The load generator's ceiling is measured in the same run: the same 50
buyers against the bare reference app answering the same bytes for those four requests. Its
CPU is printed beside each figure. The SQL statements of one checkout are counted in-process
(a listener on the engine) on the same database.
"""

from __future__ import annotations

import sys
from pathlib import Path

# bench/http.py sits beside this script: with its directory first on sys.path, `import http`
# (which httpx does) would find it instead of the standard library.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != _HERE]

import argparse  # noqa: E402
import asyncio  # noqa: E402
import contextlib  # noqa: E402
import importlib.util  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import resource  # noqa: E402
import statistics  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from typing import TYPE_CHECKING, Any  # noqa: E402

import httpx  # noqa: E402
import uvloop  # noqa: E402

if TYPE_CHECKING:
    from types import ModuleType
DEMO = {"X-Tenant-ID": "demo"}
PRODUCTS = "/api/commerce/products"
PRODUCTS_QUERY = f"{PRODUCTS}?limit=20"


def _kit() -> ModuleType:
    """bench/http.py, loaded under another name (as `http` it would shadow the standard
    library's)."""
    spec = importlib.util.spec_from_file_location("bench_http_kit", _HERE / "http.py")
    if spec is None or spec.loader is None:
        raise SystemExit("bench/http.py is missing")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


kit = _kit()


@dataclass(frozen=True)
class Shop:
    variants: tuple[str, str]
    admin: dict[str, str]


@dataclass(frozen=True)
class Run:
    checkouts: int
    seconds: float
    latencies_ms: list[float]
    failures: dict[int, int]
    server_cpu: float
    client_cpu: float

    @property
    def rate(self) -> float:
        return self.checkouts / self.seconds

    def percentile(self, share: float) -> float:
        ordered = sorted(self.latencies_ms) or [0.0]
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def prepare(app_url: str) -> Shop:
    """The demo admin's token, and two variants of one active product with a million units."""
    from rustok.core.settings import Settings

    defaults = Settings()
    with httpx.Client(base_url=app_url, timeout=30, headers=DEMO) as client:
        login = client.post(
            "/api/auth/login",
            json={"email": defaults.demo_admin_email, "password": defaults.demo_admin_password},
        )
        admin = {**DEMO, "Authorization": f"Bearer {login.json()['access_token']}"}
        products = client.get(PRODUCTS_QUERY).json()["items"]
        chosen = next(
            p["variants"][:2]
            for p in products
            if len(p["variants"]) >= 2
            and all(
                v["manage_inventory"] and any(x["currency_code"] == "EUR" for x in v["prices"])
                for v in p["variants"][:2]
            )
        )
        for variant in chosen:
            answer = client.post(
                f"/api/commerce/variants/{variant['id']}/inventory/adjust",
                json={"adjustment": 1_000_000, "reason": "bench"},
                headers=admin,
            )
            if answer.status_code != 200:
                raise SystemExit(f"stocking failed ({answer.status_code}): {answer.text}")
    return Shop((chosen[0]["id"], chosen[1]["id"]), admin)


async def buyer(
    client: httpx.AsyncClient,
    shop: Shop,
    deadline: float,
    latencies: list[float],
    failures: dict[int, int],
) -> int:
    """Checkouts until the deadline: cart, two lines, checkout; the number that succeeded."""
    done = 0
    while time.monotonic() < deadline:
        started = time.perf_counter()
        cart = await client.post("/api/commerce/carts", json={"currency_code": "EUR"})
        if cart.status_code != 201:
            failures[cart.status_code] = failures.get(cart.status_code, 0) + 1
            continue
        cart_id = cart.json()["id"]
        for variant_id in shop.variants:
            line = await client.post(
                f"/api/commerce/carts/{cart_id}/lines",
                json={"variant_id": variant_id, "quantity": 1},
            )
            if line.status_code not in (200, 201):
                failures[line.status_code] = failures.get(line.status_code, 0) + 1
        order = await client.post(
            f"/api/commerce/carts/{cart_id}/checkout",
            json={"email": "buyer@example.com"},
            headers={"Idempotency-Key": str(uuid.uuid4())},
        )
        if order.status_code == 201:
            done += 1
            latencies.append((time.perf_counter() - started) * 1000)
        else:
            failures[order.status_code] = failures.get(order.status_code, 0) + 1
    return done


async def checkouts(server: Any, shop: Shop, buyers: int, seconds: float) -> Run:
    limits = httpx.Limits(max_connections=buyers, max_keepalive_connections=buyers)
    async with httpx.AsyncClient(
        base_url=server.url, headers=DEMO, limits=limits, timeout=60
    ) as client:
        warm: list[float] = []
        await asyncio.gather(
            *(buyer(client, shop, time.monotonic() + 1, warm, {}) for _ in range(buyers))
        )
        latencies: list[float] = []
        failures: dict[int, int] = {}
        cpu_before = kit.tree_cpu_seconds(server.pids)
        usage_before = resource.getrusage(resource.RUSAGE_SELF)
        started = time.monotonic()
        deadline = started + seconds
        counts = await asyncio.gather(
            *(buyer(client, shop, deadline, latencies, failures) for _ in range(buyers))
        )
        elapsed = time.monotonic() - started
        usage_after = resource.getrusage(resource.RUSAGE_SELF)
    client_cpu = (usage_after.ru_utime - usage_before.ru_utime) + (
        usage_after.ru_stime - usage_before.ru_stime
    )
    return Run(
        checkouts=sum(counts),
        seconds=elapsed,
        latencies_ms=latencies,
        failures=failures,
        server_cpu=kit.tree_cpu_seconds(server.pids) - cpu_before,
        client_cpu=client_cpu,
    )


async def statements_per_checkout(database_url: str, app_url: str, shop: Shop) -> int:
    """One two-line checkout run in-process on the same database, its statements counted."""
    from sqlalchemy import event

    from rustok.bootstrap import build_container
    from rustok.commerce.orders.schemas import CheckoutInput
    from rustok.commerce.orders.service import OrderService
    from rustok.core.settings import Settings
    from rustok.tenancy.identifiers import parse_header

    async with httpx.AsyncClient(base_url=app_url, headers=DEMO, timeout=30) as client:
        cart_id = (await client.post("/api/commerce/carts", json={"currency_code": "EUR"})).json()[
            "id"
        ]
        for variant_id in shop.variants:
            await client.post(
                f"/api/commerce/carts/{cart_id}/lines",
                json={"variant_id": variant_id, "quantity": 1},
            )
    container = build_container(
        Settings(database_url=database_url, embedded_workers=False, log_level="WARNING")
    )
    await container.start()
    seen: list[str] = []

    def record(*args: Any) -> None:
        seen.append(args[2])

    try:
        tenant = await container.tenant_resolver.resolve(parse_header("demo"))
        engine = container.engine.sync_engine
        event.listen(engine, "before_cursor_execute", record)
        try:
            await container.service(OrderService).checkout(
                tenant,
                uuid.UUID(cart_id),
                CheckoutInput(email="counted@example.com"),
                customer_id=None,
            )
        finally:
            event.remove(engine, "before_cursor_execute", record)
    finally:
        await container.close()
    return len(seen)


def reference_bodies(app_url: str, shop: Shop, directory: Path) -> Path:
    """The app's own answers to a buyer's four requests and to the product list, for the
    reference apps (which answer by path and ignore the method)."""
    with httpx.Client(base_url=app_url, headers=DEMO, timeout=30) as client:
        cart = client.post("/api/commerce/carts", json={"currency_code": "EUR"})
        cart_id = cart.json()["id"]
        line = cart
        for variant_id in shop.variants:
            line = client.post(
                f"/api/commerce/carts/{cart_id}/lines",
                json={"variant_id": variant_id, "quantity": 1},
            )
        order = client.post(
            f"/api/commerce/carts/{cart_id}/checkout", json={"email": "ref@example.com"}
        )
        products = client.get(PRODUCTS_QUERY)
    bodies = {
        "/api/commerce/carts": cart.text,
        f"/api/commerce/carts/{cart_id}/lines": line.text,
        f"/api/commerce/carts/{cart_id}/checkout": order.text,
        PRODUCTS: products.text,
    }
    path = directory / "checkout-bodies.json"
    path.write_text(json.dumps(bodies), "utf-8")
    return path


@contextlib.contextmanager
def references(bodies: Path, directory: Path) -> Any:
    servers = {}
    environment = {**os.environ, "BENCH_REFERENCE_BODIES": str(bodies)}
    try:
        for kind in ("bare", "fastapi"):
            port = kit.free_port()
            servers[kind] = kit.start_server(
                kind,
                [sys.executable, "-c", kit.serve_reference_source(kind, port, 1)],
                environment,
                port,
                directory,
            )
            kit.wait_until_serving(servers[kind], 1)
        yield servers
    finally:
        for server in servers.values():
            kit.stop_server(server)


async def ceiling(server: Any, cart_id: str, buyers: int, seconds: float) -> Run:
    """The load generator against the bare app replaying the app's bytes: what this process
    can drive when the server does nothing."""
    limits = httpx.Limits(max_connections=buyers, max_keepalive_connections=buyers)
    latencies: list[float] = []
    async with httpx.AsyncClient(base_url=server.url, headers=DEMO, limits=limits) as client:

        async def loop(deadline: float) -> int:
            done = 0
            while time.monotonic() < deadline:
                started = time.perf_counter()
                await client.post("/api/commerce/carts", json={"currency_code": "EUR"})
                for _ in range(2):
                    await client.post(f"/api/commerce/carts/{cart_id}/lines", json={})
                await client.post(f"/api/commerce/carts/{cart_id}/checkout", json={})
                latencies.append((time.perf_counter() - started) * 1000)
                done += 1
            return done

        usage_before = resource.getrusage(resource.RUSAGE_SELF)
        started = time.monotonic()
        counts = await asyncio.gather(*(loop(started + seconds) for _ in range(buyers)))
        elapsed = time.monotonic() - started
        usage_after = resource.getrusage(resource.RUSAGE_SELF)
    return Run(
        checkouts=sum(counts),
        seconds=elapsed,
        latencies_ms=latencies,
        failures={},
        server_cpu=0.0,
        client_cpu=(usage_after.ru_utime - usage_before.ru_utime)
        + (usage_after.ru_stime - usage_before.ru_stime),
    )


def product_list(
    servers: dict[str, Any], rounds: int, seconds: int, concurrency: int
) -> dict[str, list[Any]]:
    """wrk on the product list: app, bare, FastAPI alternately, the order rotating each round."""
    samples: dict[str, list[Any]] = {name: [] for name in servers}
    for server in servers.values():
        kit.wrk(server, PRODUCTS_QUERY, DEMO, 1, concurrency)
    for round_number in range(rounds):
        names = list(servers)
        names = names[round_number % len(names) :] + names[: round_number % len(names)]
        for name in names:
            samples[name].append(kit.wrk(servers[name], PRODUCTS_QUERY, DEMO, seconds, concurrency))
    return samples


def run_database(database: str, arguments: argparse.Namespace, directory: Path) -> list[str]:
    stack = kit.Stack(database, "memory", 1, writes=False)
    label = {"sqlite": "SQLite", "postgres": "PostgreSQL"}[database]
    with kit.running_app(stack, directory) as app:
        shop = prepare(app.url)
        database_url = app_database_url(app)
        statements = uvloop.run(statements_per_checkout(database_url, app.url, shop))
        run = uvloop.run(checkouts(app, shop, arguments.buyers, arguments.seconds))
        bodies = reference_bodies(app.url, shop, directory)
        with references(bodies, directory) as refs:
            stored = json.loads(bodies.read_text("utf-8"))
            cart_id = json.loads(stored["/api/commerce/carts"])["id"]
            limit = uvloop.run(ceiling(refs["bare"], cart_id, arguments.buyers, arguments.seconds))
            reads = product_list(
                {"app": app, **refs},
                arguments.rounds,
                arguments.read_seconds,
                arguments.concurrency,
            )
    app_rps = statistics.median(s.rps for s in reads["app"])
    lines = [
        f"**{label}**, {arguments.buyers} buyers, {arguments.seconds} s",
        "",
        "| what | checkouts/s | p50 ms | p99 ms | server CPU ms/checkout | client CPU | failed |",
        "|---|---|---|---|---|---|---|",
        f"| rustok serve | {run.rate:.1f} | {run.percentile(0.5):.0f} | "
        f"{run.percentile(0.99):.0f} | {run.server_cpu * 1000 / max(1, run.checkouts):.1f} | "
        f"{run.client_cpu / run.seconds:.0%} | {sum(run.failures.values())} {run.failures or ''} |",
        f"| load generator ceiling (bare app, same bytes) | {limit.rate:.1f} | "
        f"{limit.percentile(0.5):.0f} | {limit.percentile(0.99):.0f} | - | "
        f"{limit.client_cpu / limit.seconds:.0%} | - |",
        "",
        f"SQL statements per two-line checkout: {statements}",
        "",
        f"`GET {PRODUCTS_QUERY}` (anonymous), wrk -t1 -c{arguments.concurrency}, "
        f"{arguments.rounds} round(s) of {arguments.read_seconds} s:",
        "",
        "| target | req/s | p50 ms | p99 ms | CPU ms/req | app / this | wrk CPU | box busy |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, samples in reads.items():
        rps = statistics.median(s.rps for s in samples)
        lines.append(
            f"| {name} | {rps:.0f} | {statistics.median(s.p50_ms for s in samples):.1f} | "
            f"{statistics.median(s.p99_ms for s in samples):.1f} | "
            f"{statistics.median(s.cpu_ms_per_request for s in samples):.3f} | "
            f"{'' if name == 'app' else f'{app_rps / rps:.1%}'} | "
            f"{statistics.median(s.wrk_cpu / s.seconds for s in samples):.0%} | "
            f"{statistics.median(s.box_busy for s in samples):.0%} |"
        )
    return lines


def app_database_url(app: Any) -> str:
    """The database `running_app` gave the server, read back from the server's environment."""
    environment = Path(f"/proc/{app.process.pid}/environ").read_bytes().split(b"\0")
    for entry in environment:
        key, _, value = entry.partition(b"=")
        if key == b"RUSTOK_DATABASE_URL":
            return value.decode()
    raise SystemExit("the server has no RUSTOK_DATABASE_URL")


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="5 s of checkouts, 1 read round")
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--buyers", type=int, default=50)
    parser.add_argument("--seconds", type=int, help="seconds of checkouts (default 20)")
    parser.add_argument("--rounds", type=int, help="product-list rounds (default 3)")
    parser.add_argument("--read-seconds", type=int, help="seconds per wrk run (default 5)")
    parser.add_argument("--concurrency", type=int, default=64)
    arguments = parser.parse_args()
    arguments.seconds = arguments.seconds or (5 if arguments.quick else 20)
    arguments.rounds = arguments.rounds or (1 if arguments.quick else 3)
    arguments.read_seconds = arguments.read_seconds or (2 if arguments.quick else 5)
    arguments.database_list = [d.strip() for d in arguments.databases.split(",") if d.strip()]
    unknown = set(arguments.database_list) - {"sqlite", "postgres"}
    if unknown:
        parser.error(f"unknown database(s): {', '.join(sorted(unknown))}")
    return arguments


def main() -> None:
    arguments = parse_arguments()
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    print(f"{started}, load {os.getloadavg()[0]:.2f}, {os.cpu_count()} cores", flush=True)
    output: list[str] = []
    with tempfile.TemporaryDirectory(prefix="rustok-checkout-") as directory:
        for database in arguments.database_list:
            output += [*run_database(database, arguments, Path(directory)), ""]
            print("\n".join(output[-20:]), flush=True)
    print(f"\n{started}\n")
    print("\n".join(output))


if __name__ == "__main__":
    main()
