"""A database restart costs the requests that meet a broken connection a 503, not a 500."""

from __future__ import annotations

from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from rustok.testing.app import client_for, running_container
from rustok.testing.factories import auth_headers, user_token

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Callable
    from contextlib import AbstractAsyncContextManager

    import httpx

    from rustok.bootstrap import Container
    from rustok.core.settings import Settings
    from rustok.tenancy.schemas import TenantDetail


async def _terminate_connections(database_url: str) -> int:
    """Kill every other server connection to the database, as a restart would."""
    engine = create_async_engine(database_url, poolclass=NullPool)
    try:
        async with engine.connect() as connection:
            result = await connection.execute(
                text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            )
            return int(result.scalar_one())
    finally:
        await engine.dispose()


@asynccontextmanager
async def _signed_in(
    make_client: Callable[..., AbstractAsyncContextManager[httpx.AsyncClient]],
    container: Container,
    tenant: TenantDetail,
) -> AsyncIterator[tuple[httpx.AsyncClient, dict[str, str]]]:
    """A client of an app whose pool only the requests touch (no relay or consumers), and the
    headers of a signed-in user. Sessions are not cached, so that every request authenticates
    against the database."""
    async with make_client(
        embedded_workers=False, rate_limit_enabled=False, auth_session_cache_seconds=0
    ) as client:
        token = await user_token(client, container, tenant, email="ada@example.com")
        yield client, auth_headers(tenant, token)


@pytest.mark.backends("postgres")
async def test_a_lost_connection_is_a_503_and_the_next_request_gets_a_fresh_one(
    container: Container,
    tenant: TenantDetail,
    database_url: str,
    make_client: Callable[..., AbstractAsyncContextManager[httpx.AsyncClient]],
) -> None:
    async with _signed_in(make_client, container, tenant) as (client, headers):
        assert (await client.get("/api/auth/me", headers=headers)).status_code == 200

        assert await _terminate_connections(database_url) >= 1
        lost = await client.get("/api/auth/me", headers=headers)
        after = [(await client.get("/api/auth/me", headers=headers)).status_code for _ in range(3)]

    assert lost.status_code == 503
    assert lost.headers["content-type"] == "application/problem+json"
    assert lost.headers["retry-after"] == "1"
    assert lost.json()["code"] == "DATABASE_UNAVAILABLE"
    assert after == [200, 200, 200]


@pytest.mark.backends("postgres")
async def test_graphql_names_a_lost_connection_and_the_retry_succeeds(
    container: Container,
    tenant: TenantDetail,
    database_url: str,
    make_client: Callable[..., AbstractAsyncContextManager[httpx.AsyncClient]],
) -> None:
    async with _signed_in(make_client, container, tenant) as (client, headers):
        query = {"query": "{ me { email } }"}
        assert (await client.post("/api/graphql", json=query, headers=headers)).status_code == 200

        assert await _terminate_connections(database_url) >= 1
        lost = await client.post("/api/graphql", json=query, headers=headers)
        retried = await client.post("/api/graphql", json=query, headers=headers)

    assert lost.status_code == 503
    assert lost.headers["retry-after"] == "1"
    codes = [error["extensions"]["code"] for error in lost.json()["errors"]]
    assert codes == ["DATABASE_UNAVAILABLE"]
    assert retried.status_code == 200
    assert retried.json()["data"]["me"]["email"] == "ada@example.com"


_ONE_CONNECTION = {
    "db_pool_size": 1,
    "db_max_overflow": 0,
    "db_pool_timeout": 0.05,
    "embedded_workers": False,
    "rate_limit_enabled": False,
}


@pytest.mark.backends("postgres")
async def test_an_exhausted_pool_is_a_503_not_a_500(
    settings: Settings, tenant: TenantDetail, container: Container
) -> None:
    async with (
        running_container(settings.model_copy(update=_ONE_CONNECTION)) as running,
        client_for(running) as client,
    ):
        token = await user_token(client, container, tenant, email="ada@example.com")
        headers = auth_headers(tenant, token)
        async with running.engine.connect() as held:
            await held.execute(text("SELECT 1"))  # the pool's only connection, kept busy
            refused = await client.get("/api/auth/me", headers=headers)
        after = await client.get("/api/auth/me", headers=headers)

    assert refused.status_code == 503
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.headers["retry-after"] == "1"
    assert refused.json()["code"] == "DATABASE_UNAVAILABLE"
    assert after.status_code == 200


@pytest.mark.backends("postgres")
async def test_graphql_answers_an_exhausted_pool_as_rest_does(
    settings: Settings, tenant: TenantDetail, container: Container
) -> None:
    async with (
        running_container(settings.model_copy(update=_ONE_CONNECTION)) as running,
        client_for(running) as client,
    ):
        token = await user_token(client, container, tenant, email="ada@example.com")
        headers = auth_headers(tenant, token)
        query = {"query": "{ me { email } }"}
        async with running.engine.connect() as held:
            await held.execute(text("SELECT 1"))  # the pool's only connection, kept busy
            refused = await client.post("/api/graphql", json=query, headers=headers)
        after = await client.post("/api/graphql", json=query, headers=headers)

    assert refused.status_code == 503
    assert refused.headers["retry-after"] == "1"
    codes = [error["extensions"]["code"] for error in refused.json()["errors"]]
    assert codes == ["DATABASE_UNAVAILABLE"]
    assert after.status_code == 200
    assert after.json()["data"]["me"]["email"] == "ada@example.com"
