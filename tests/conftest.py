"""Fixtures shared by every test: one fresh, migrated database per test, on every backend."""

from __future__ import annotations

from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

import pytest
from _pytest.nodeid import coerce_node_id

from rustok.testing.app import client_for, running_container, settings_for_tests
from rustok.testing.database import PostgresTestDatabase, SqliteTestDatabase
from rustok.testing.factories import make_tenant
from rustok.testing.services import need, postgres_url

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Callable, Iterator
    from contextlib import AbstractAsyncContextManager
    from pathlib import Path

    import httpx

    from rustok.bootstrap import Container
    from rustok.core.settings import Settings
    from rustok.tenancy.schemas import TenantDetail
    from rustok.testing.database import TestDatabase


@pytest.fixture(
    scope="session",
    params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)],
)
def test_database(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[TestDatabase]:
    database: TestDatabase
    if request.param == "postgres":
        need("PostgreSQL", postgres_url(), 5432)
        database = PostgresTestDatabase(postgres_url())
    else:
        database = SqliteTestDatabase(tmp_path_factory.mktemp("sqlite"))
    database.create()
    yield database
    database.drop()


@pytest.fixture
def backend(test_database: TestDatabase) -> str:
    return "postgres" if isinstance(test_database, PostgresTestDatabase) else "sqlite"


@pytest.fixture
async def database_url(test_database: TestDatabase) -> str:
    return await test_database.reset()


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    # Uploaded media of a test go to its own directory, never to the work tree's var/.
    return settings_for_tests(
        database_url, modules={"media": {"storage_dir": str(tmp_path / "media")}}
    )


@pytest.fixture
async def container(settings: Settings) -> AsyncIterator[Container]:
    async with running_container(settings) as running:
        yield running


@pytest.fixture
async def client(container: Container) -> AsyncIterator[httpx.AsyncClient]:
    async with client_for(container) as http:
        yield http


@pytest.fixture
def make_client(
    settings: Settings,
) -> Callable[..., AbstractAsyncContextManager[httpx.AsyncClient]]:
    """`async with make_client(rate_limit_enabled=False) as client:` on the same database."""

    @asynccontextmanager
    async def factory(**overrides: Any) -> AsyncIterator[httpx.AsyncClient]:
        async with (
            running_container(settings.model_copy(update=overrides)) as running,
            client_for(running) as http,
        ):
            yield http

    return factory


@pytest.fixture
async def unlimited_client(
    make_client: Callable[..., AbstractAsyncContextManager[httpx.AsyncClient]],
) -> AsyncIterator[httpx.AsyncClient]:
    """A client whose app has rate limiting off, for tests that send many requests."""
    async with make_client(rate_limit_enabled=False) as http:
        yield http


@pytest.fixture
async def tenant(container: Container) -> TenantDetail:
    return await make_tenant(container, slug="acme", name="Acme")


@pytest.fixture
async def other_tenant(container: Container) -> TenantDetail:
    return await make_tenant(container, slug="globex", name="Globex")


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """`@pytest.mark.backends("postgres")` keeps a test only for those database backends.

    Such combinations do not exist rather than being skipped, so a skip in the report always
    means a missing service.
    """
    _keep_xdist_groups(config, items)
    kept, dropped = [], []
    for item in items:
        marker = item.get_closest_marker("backends")
        callspec = getattr(item, "callspec", None)
        backend = callspec.params.get("test_database") if callspec is not None else None
        if marker is not None and backend is not None and backend not in marker.args:
            dropped.append(item)
        else:
            kept.append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


def _keep_xdist_groups(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Give `@pytest.mark.xdist_group` tests the node id suffix `--dist loadgroup` sends by.

    pytest 9.2 keeps a node's id in `_id`; pytest-xdist 3.8 still writes the suffix to
    `_nodeid` (pytest-dev/pytest-xdist#1386), so every group was spread over both workers and
    the module-scoped servers of tests/e2e and tests/ops started once per worker (about a
    minute of the suite). Runs after xdist's own hook (`trylast`): a fixed xdist finds the
    suffix there and this does nothing; drop it then.
    """
    if not getattr(config.option, "loadgroup", False):  # set in xdist's workers only
        return
    for item in items:
        marks = item.iter_markers("xdist_group")
        groups = sorted(
            {str(m.args[0] if m.args else m.kwargs.get("name", "default")) for m in marks}
        )
        if not groups:
            continue
        suffix = "@" + "_".join(groups)
        if not item.nodeid.endswith(suffix):
            item._id = coerce_node_id(item.nodeid + suffix)
        if not item.nodeid.endswith(suffix):
            raise pytest.UsageError(f"cannot put {item.nodeid} in its xdist group {suffix}")
