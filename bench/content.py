"""Content benchmark: the node list over REST and GraphQL, beside the reference apps, under wrk.

    .venv/bin/python bench/content.py                      # 3 rounds of 5 s, sqlite + postgres
    .venv/bin/python bench/content.py --quick              # 1 round of 2 s
        --stacks sqlite-memory,postgres-memory --rounds N --seconds S --concurrency C

One page of 20 posts (content nodes of kind `post`) served in German, each with its
translations, author, category and tags: `GET /api/content/nodes?kind=post&limit=20&locale=de`
and the same page as a GraphQL query sent by GET (`nodes(first: 20) { ... author { name }
category { name } tags { name } }`), both as the public reads them. It reuses bench/http.py as it
is (stacks, `rustok serve` in production mode, the bare ASGI and minimal FastAPI references
answering the app's bytes, wrk at 64 connections alternating the three servers, CPU per
request, wrk's own CPU as its ceiling); only the endpoints, the seed (the demo plus 30 posts,
so a page is full) and the read of the reference bodies differ. Before the load it counts the
SQL statements one request of each kind runs, in process, on a database seeded the same way.
"""

from __future__ import annotations

import sys
from pathlib import Path

# Like bench/http.py: with this directory first on sys.path, `import http` would find it.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != _HERE]

import argparse  # noqa: E402
import importlib.util  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import shutil  # noqa: E402
import signal  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402
from typing import TYPE_CHECKING, Any  # noqa: E402
from urllib.parse import quote, urlsplit  # noqa: E402

import httpx  # noqa: E402
import uvloop  # noqa: E402

if TYPE_CHECKING:
    from types import ModuleType

PAGE_SIZE = 20
EXTRA_POSTS = 30
SEQUENTIAL = 50
REST_PATH = f"/api/content/nodes?kind=post&limit={PAGE_SIZE}&locale=de"
GRAPHQL_QUERY = (
    f'{{ nodes(first: {PAGE_SIZE}, kind: "post", locale: "de") {{ edges {{ node {{ id title '
    "servedLocale translations { locale title slug excerpt html } author { id name } "
    "category { id name slug } tags { id name slug } } } pageInfo { hasNextPage endCursor } } }"
)
GRAPHQL_PATH = "/api/graphql?query=" + quote(GRAPHQL_QUERY)


def load_harness() -> ModuleType:
    """bench/http.py as a module (its name would clash with the standard library's `http`)."""
    spec = importlib.util.spec_from_file_location("rustok_bench_http", _HERE / "http.py")
    if spec is None or spec.loader is None:
        raise SystemExit("bench/http.py not found")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


HARNESS = load_harness()
ENDPOINTS = (
    HARNESS.Endpoint("REST node list", REST_PATH, tenant=True),
    HARNESS.Endpoint("GraphQL node list", GRAPHQL_PATH, tenant=True),
)


async def seed(database_url: str) -> None:
    """The harness's seed (migrations, demo, write target), then 30 more posts in en and de
    with a category and a tag each, so that a page of 20 is full."""
    await HARNESS_SEED(database_url)
    from rustok.blog.permissions import POSTS
    from rustok.blog.schemas import PostCreate
    from rustok.blog.service import PostService
    from rustok.bootstrap import build_container
    from rustok.content.service import CategoryService, TagService
    from rustok.core.permissions import Action, Permission, Reach, Scope
    from rustok.core.settings import Settings
    from rustok.tenancy.identifiers import TenantKey

    settings = Settings(database_url=database_url, embedded_workers=False, log_level="WARNING")
    container = build_container(settings)
    try:
        tenant = await container.tenant_resolver.resolve(TenantKey("slug", HARNESS.DEMO_TENANT))
        author = next(
            user.id
            for user in await container.auth.list_platform_operators()
            if user.tenant_id == tenant.id
        )
        editor = Reach(Permission(POSTS, Action.MANAGE), Scope.ALL, author)
        categories = await container.service(CategoryService).list_categories(tenant.id)
        tags = await container.service(TagService).list_tags(tenant.id)
        for index in range(EXTRA_POSTS):
            await container.service(PostService).create(
                tenant.id,
                PostCreate.model_validate(
                    {
                        "status": "published",
                        "category_id": categories.items[index % len(categories.items)].id,
                        "tag_ids": [tags.items[index % len(tags.items)].id],
                        "translations": [
                            {
                                "locale": "en",
                                "title": f"Benchmark post {index}",
                                "excerpt": "A post of the benchmark.",
                                "body": "Some *markdown* text. " * 40,
                            },
                            {
                                "locale": "de",
                                "title": f"Benchmark-Beitrag {index}",
                                "excerpt": "Ein Beitrag des Benchmarks.",
                                "body": "Etwas *Markdown*-Text. " * 40,
                            },
                        ],
                    }
                ),
                reach=editor,
            )
    finally:
        await container.close()


HARNESS_SEED = HARNESS.seed


def log_in(app: Any) -> Any:
    """No log-in (the reads are public): the app's anonymous answers, which the references
    repeat, stored by path (the references route by path; the query is the app's business)."""
    headers = {"X-Tenant-ID": HARNESS.DEMO_TENANT}
    bodies = {}
    with httpx.Client(base_url=app.url, timeout=30) as client:
        for endpoint in ENDPOINTS:
            response = client.get(endpoint.path, headers=headers)
            if response.status_code != 200 or '"errors"' in response.text[:20]:
                raise SystemExit(
                    f"{endpoint.label} answered {response.status_code}: {response.text}"
                )
            bodies[urlsplit(endpoint.path).path] = response.text
    return HARNESS.Session(headers, "", bodies)


def check_same_bytes(servers: dict[str, Any], session: Any) -> None:
    for name, server in servers.items():
        with httpx.Client(base_url=server.url) as client:
            for endpoint in ENDPOINTS:
                expected = session.bodies[urlsplit(endpoint.path).path].encode()
                body = client.get(endpoint.path, headers=session.headers).content
                # FastAPI re-encodes the stored answer compactly; Strawberry's has spaces.
                same = body == expected or (
                    name == "fastapi" and json.loads(body) == json.loads(expected)
                )
                if not same:
                    raise SystemExit(f"{name} answers {endpoint.label} with other bytes")


async def count_statements(directory: Path, cpu_ms: dict[str, float]) -> dict[str, int]:
    """SQL statements of one request of each kind (after one warm-up request), in process;
    `cpu_ms` gets the process CPU per request of 50 sequential ones."""
    from sqlalchemy import event

    from rustok.testing.app import client_for, running_container, settings_for_tests

    database_url = f"sqlite+aiosqlite:///{directory / 'statements.db'}"
    await seed(database_url)
    counts: dict[str, int] = {}
    settings = settings_for_tests(database_url, embedded_workers=False, log_level="WARNING")
    async with running_container(settings) as container, client_for(container) as client:
        seen: list[str] = []

        def record(*args: object) -> None:
            seen.append(str(args[2]))

        engine = container.engine.sync_engine
        for endpoint in ENDPOINTS:
            headers = {"X-Tenant-ID": HARNESS.DEMO_TENANT}
            warm = await client.get(endpoint.path, headers=headers)
            if warm.status_code != 200:
                raise SystemExit(f"{endpoint.label} answered {warm.status_code}: {warm.text}")
            seen.clear()
            event.listen(engine, "before_cursor_execute", record)
            try:
                await client.get(endpoint.path, headers=headers)
            finally:
                event.remove(engine, "before_cursor_execute", record)
            counts[endpoint.label] = len(seen)
            # Process CPU of sequential requests (no concurrency, ASGI in process): what one
            # request costs the server, whatever the machine's load does to wall-clock figures.
            started = time.process_time()
            for _ in range(SEQUENTIAL):
                await client.get(endpoint.path, headers=headers)
            cpu_ms[endpoint.label] = (time.process_time() - started) * 1000 / SEQUENTIAL
    return counts


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="1 round of 2 s per case")
    parser.add_argument("--rounds", type=int, help="rounds per endpoint (default 3)")
    parser.add_argument("--seconds", type=int, help="seconds per wrk run (default 5)")
    parser.add_argument("--concurrency", type=int, default=64, help="wrk connections")
    parser.add_argument(
        "--stacks",
        default="sqlite-memory,postgres-memory",
        help="comma-separated: " + ", ".join(stack.name for stack in HARNESS.STACKS),
    )
    arguments = parser.parse_args()
    arguments.rounds = arguments.rounds or (1 if arguments.quick else 3)
    arguments.seconds = arguments.seconds or (2 if arguments.quick else 5)
    arguments.no_writes = True
    known = {stack.name: stack for stack in HARNESS.STACKS}
    names = [name.strip() for name in arguments.stacks.split(",") if name.strip()]
    unknown = [name for name in names if name not in known]
    if unknown:
        parser.error(f"unknown stack(s) {', '.join(unknown)}; known: {', '.join(known)}")
    arguments.stack_list = [known[name] for name in names]
    if min(arguments.rounds, arguments.seconds, arguments.concurrency) < 1:
        parser.error("--rounds, --seconds and --concurrency must be at least 1")
    return arguments


def main() -> None:
    arguments = parse_arguments()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: `apt-get install -y wrk` (or `make bench`)")
    # The harness's functions look these names up in their module at call time.
    HARNESS.ENDPOINTS = ENDPOINTS
    HARNESS.seed = seed
    HARNESS.log_in = log_in
    HARNESS.check_same_bytes = check_same_bytes
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    load = os.getloadavg()[0]
    print(
        f"{started}, load {load:.2f}, {os.cpu_count()} cores; {arguments.rounds} round(s) of "
        f"{arguments.seconds} s per case, wrk -t1 -c{arguments.concurrency}",
        flush=True,
    )
    output: list[str] = []
    with tempfile.TemporaryDirectory(prefix=f"rustok-bench-{uuid.uuid4().hex[:6]}-") as directory:
        cpu_ms: dict[str, float] = {}
        statements = uvloop.run(count_statements(Path(directory), cpu_ms))
        for stack in arguments.stack_list:
            output += [*HARNESS.run_stack(stack, arguments, Path(directory)), ""]
    print(f"\n{started}, load {load:.2f} at the start\n")
    print("\n".join(output))
    print(
        "In process, SQLite, one request at a time after a warm-up: SQL statements per request"
        f" and the process CPU per request (mean of {SEQUENTIAL}, test client included):"
    )
    for label, count in statements.items():
        print(f"  {label}: {count} statements; {cpu_ms[label]:.1f} ms CPU per request")


if __name__ == "__main__":
    main()
