"""Settings, containers and HTTP clients for tests, on a given database URL."""

from __future__ import annotations

from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

import httpx

from rustok.api.app import create_app
from rustok.bootstrap import build_container
from rustok.core.settings import Settings

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from rustok.bootstrap import Container
    from rustok.core.modules import ModuleDescriptor
    from rustok.stores.base import Stores

TEST_JWT_SECRET = "test-secret-0123456789-0123456789-abcdef"  # noqa: S105 - test only


def settings_for_tests(database_url: str, **overrides: Any) -> Settings:
    """Settings for a test: cheap password hashing, JSON logs, everything else as shipped."""
    values: dict[str, Any] = {
        "env": "test",
        "database_url": database_url,
        "jwt_secret": TEST_JWT_SECRET,
        "argon2_time_cost": 1,
        "argon2_memory_kib": 64,
        "argon2_parallelism": 1,
        "log_format": "json",
        "redis_url": None,
        # A test box runs two workers against one PostgreSQL with everything else: starting a
        # backend process can take seconds there, which is not what any test is about.
        "db_connect_timeout": 30.0,
    }
    values.update(overrides)
    return Settings(**values)


@asynccontextmanager
async def running_container(
    settings: Settings,
    *,
    modules: list[ModuleDescriptor] | None = None,
    stores: Stores | None = None,
) -> AsyncIterator[Container]:
    container = build_container(settings, modules=modules, stores=stores)
    await container.start()
    try:
        yield container
    finally:
        await container.close()


def client_for(container: Container) -> httpx.AsyncClient:
    app = create_app(container, manage_container=False)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test")
