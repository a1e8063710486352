"""Cached sessions on two replicas sharing Redis: every revocation made through one is refused
by the other on its very next request, and an authenticated read runs no SQL in between."""

from __future__ import annotations

from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import event

from rustok.rbac.schemas import PermissionGrant, RoleCreate
from rustok.stores.memory import MemoryGenerations, MemoryStores
from rustok.stores.redis import RedisStores
from rustok.testing.app import client_for, running_container
from rustok.testing.factories import DEFAULT_PASSWORD, auth_headers, login, make_tenant, make_user
from rustok.testing.services import need, redis_url, wait_until_async
from tests.events.probe import new_thing

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Iterator

    import httpx

    from rustok.bootstrap import Container
    from rustok.core.settings import Settings
    from rustok.tenancy.schemas import TenantDetail

EMAIL = "ada@example.com"


class Replica:
    def __init__(self, container: Container, client: httpx.AsyncClient) -> None:
        self.container = container
        self.client = client

    async def me(self, tenant: TenantDetail, token: str) -> httpx.Response:
        return await self.client.get("/api/auth/me", headers=auth_headers(tenant, token))


@asynccontextmanager
async def _replicas(settings: Settings, *, shared_redis: bool) -> AsyncIterator[list[Replica]]:
    config = settings.model_copy(update={"rate_limit_enabled": False, "embedded_workers": False})
    namespace = new_thing()
    replicas: list[Replica] = []
    stores = [
        RedisStores(redis_url(), namespace=namespace) if shared_redis else MemoryStores()
        for _ in range(2)
    ]
    async with (
        running_container(config, stores=stores[0]) as first,
        running_container(config, stores=stores[1]) as second,
        client_for(first) as first_client,
        client_for(second) as second_client,
    ):
        replicas = [Replica(first, first_client), Replica(second, second_client)]
        yield replicas


@pytest.fixture
async def pair(settings: Settings) -> AsyncIterator[list[Replica]]:
    need("Redis", redis_url(), 6379)
    async with _replicas(settings, shared_redis=True) as replicas:
        yield replicas


@pytest.fixture
async def acme(pair: list[Replica]) -> TenantDetail:
    return await make_tenant(pair[0].container, slug="acme")


@pytest.fixture
async def globex(pair: list[Replica]) -> TenantDetail:
    return await make_tenant(pair[0].container, slug="globex")


@pytest.fixture
def queries(pair: list[Replica]) -> Iterator[list[str]]:
    """The SQL statements the second replica runs meanwhile."""
    seen: list[str] = []

    def record(*args: Any) -> None:
        seen.append(str(args[2]))

    engine = pair[1].container.engine.sync_engine
    event.listen(engine, "before_cursor_execute", record)
    yield seen
    event.remove(engine, "before_cursor_execute", record)


async def _session(replica: Replica, tenant: TenantDetail) -> dict[str, Any]:
    return await login(replica.client, tenant, EMAIL)


async def _cached_on(replica: Replica, tenant: TenantDetail, token: str) -> None:
    """The replica has answered with this token, so it holds the session's state."""
    response = await replica.me(tenant, token)
    assert response.status_code == 200, response.text


async def test_an_authenticated_read_runs_no_sql_once_the_session_is_cached(
    pair: list[Replica], acme: TenantDetail, queries: list[str]
) -> None:
    await make_user(pair[0].container, acme, email=EMAIL)
    token = (await _session(pair[0], acme))["access_token"]
    await _cached_on(pair[1], acme, token)
    queries.clear()

    for _ in range(3):
        response = await pair[1].me(acme, token)
        assert response.status_code == 200
        assert response.json()["email"] == EMAIL

    assert queries == []


async def test_logout_on_one_replica_refuses_the_token_on_the_other(
    pair: list[Replica], acme: TenantDetail
) -> None:
    await make_user(pair[0].container, acme, email=EMAIL)
    token = (await _session(pair[0], acme))["access_token"]
    await _cached_on(pair[1], acme, token)

    logout = await pair[0].client.post("/api/auth/logout", headers=auth_headers(acme, token))
    assert logout.status_code == 204

    refused = await pair[1].me(acme, token)
    assert refused.status_code == 401
    assert refused.json()["code"] == "SESSION_REVOKED"


async def test_revoke_all_on_one_replica_refuses_the_other_sessions_on_the_other(
    pair: list[Replica], acme: TenantDetail
) -> None:
    await make_user(pair[0].container, acme, email=EMAIL)
    kept = (await _session(pair[0], acme))["access_token"]
    other = (await _session(pair[0], acme))["access_token"]
    await _cached_on(pair[1], acme, kept)
    await _cached_on(pair[1], acme, other)

    revoked = await pair[0].client.post(
        "/api/auth/sessions/revoke-all", headers=auth_headers(acme, kept)
    )
    assert revoked.status_code == 200

    assert (await pair[1].me(acme, other)).status_code == 401
    assert (await pair[1].me(acme, kept)).status_code == 200


async def test_a_password_change_on_one_replica_refuses_the_other_sessions_on_the_other(
    pair: list[Replica], acme: TenantDetail
) -> None:
    await make_user(pair[0].container, acme, email=EMAIL)
    current = (await _session(pair[0], acme))["access_token"]
    other = (await _session(pair[0], acme))["access_token"]
    await _cached_on(pair[1], acme, other)

    changed = await pair[0].client.post(
        "/api/auth/change-password",
        json={"current_password": DEFAULT_PASSWORD, "new_password": "another-good-password"},
        headers=auth_headers(acme, current),
    )
    assert changed.status_code == 204, changed.text

    assert (await pair[1].me(acme, other)).status_code == 401


async def test_a_refresh_token_reuse_on_one_replica_refuses_the_session_on_the_other(
    pair: list[Replica], acme: TenantDetail, settings: Settings
) -> None:
    await make_user(pair[0].container, acme, email=EMAIL)
    first = await _session(pair[0], acme)
    await _cached_on(pair[1], acme, first["access_token"])

    async def refresh(token: str) -> httpx.Response:
        return await pair[0].client.post(
            "/api/auth/refresh", json={"refresh_token": token}, headers=auth_headers(acme)
        )

    rotated = await refresh(first["refresh_token"])
    assert rotated.status_code == 200
    await refresh(rotated.json()["refresh_token"])  # the successor spent: the first is stale
    reused = await refresh(first["refresh_token"])
    assert reused.status_code == 401

    assert (await pair[1].me(acme, first["access_token"])).status_code == 401


async def test_deactivating_a_user_on_one_replica_refuses_its_token_on_the_other(
    pair: list[Replica], acme: TenantDetail
) -> None:
    await make_user(pair[0].container, acme, email="boss@example.com", roles=("admin",))
    user = await make_user(pair[0].container, acme, email=EMAIL)
    token = (await _session(pair[0], acme))["access_token"]
    await _cached_on(pair[1], acme, token)
    boss = await login(pair[0].client, acme, "boss@example.com")

    deactivated = await pair[0].client.post(
        f"/api/admin/users/{user.id}/deactivate",
        headers=auth_headers(acme, boss["access_token"]),
    )
    assert deactivated.status_code == 200, deactivated.text

    refused = await pair[1].me(acme, token)
    assert refused.status_code == 401
    assert refused.json()["code"] == "SESSION_REVOKED"


async def test_a_role_change_on_one_replica_reaches_the_grants_on_the_other(
    pair: list[Replica], acme: TenantDetail
) -> None:
    await make_user(pair[0].container, acme, email="boss@example.com", roles=("admin",))
    user = await make_user(pair[0].container, acme, email=EMAIL, roles=("admin",))
    token = (await _session(pair[0], acme))["access_token"]
    headers = auth_headers(acme, token)
    assert (await pair[1].client.get("/api/admin/roles", headers=headers)).status_code == 200

    await pair[0].container.roles.set_user_roles(acme.id, user.id, ["customer"], caller_id=None)

    refused = await pair[1].client.get("/api/admin/roles", headers=headers)
    assert refused.status_code == 403
    assert (await pair[1].me(acme, token)).json()["roles"] == ["customer"]


async def test_deleting_a_role_on_one_replica_drops_it_from_the_sessions_on_the_other(
    pair: list[Replica], acme: TenantDetail
) -> None:
    role = await pair[0].container.roles.create_role(
        acme.id,
        RoleCreate(
            slug="auditor", name="Auditor", permissions=[PermissionGrant(permission="roles:list")]
        ),
        caller_id=None,
    )
    await make_user(pair[0].container, acme, email=EMAIL, roles=("customer", "auditor"))
    token = (await _session(pair[0], acme))["access_token"]
    assert sorted((await pair[1].me(acme, token)).json()["roles"]) == ["auditor", "customer"]

    await pair[0].container.roles.delete_role(acme.id, role.id, caller_id=None)

    assert (await pair[1].me(acme, token)).json()["roles"] == ["customer"]


async def test_withdrawing_platform_authority_on_one_replica_applies_on_the_other(
    pair: list[Replica], acme: TenantDetail
) -> None:
    await make_user(pair[0].container, acme, email=EMAIL, operator=True)
    token = (await _session(pair[0], acme))["access_token"]
    headers = auth_headers(acme, token)
    assert (await pair[1].client.get("/api/admin/tenants", headers=headers)).status_code == 200

    await pair[0].container.auth.set_platform_operator(
        tenant_id=acme.id, email=EMAIL, operator=False
    )

    assert (await pair[1].client.get("/api/admin/tenants", headers=headers)).status_code == 403


async def test_a_cached_session_never_answers_for_another_tenant(
    pair: list[Replica], acme: TenantDetail, globex: TenantDetail
) -> None:
    await make_user(pair[0].container, acme, email=EMAIL)
    token = (await _session(pair[0], acme))["access_token"]
    await _cached_on(pair[1], acme, token)

    for replica in pair:
        refused = await replica.me(globex, token)
        assert refused.status_code == 401
        assert refused.json()["code"] == "TOKEN_TENANT_MISMATCH"


async def test_replicas_in_one_process_without_redis_share_their_generations(
    settings: Settings,
) -> None:
    # The in-process store is shared by the whole process (two containers of one test too).
    async with _replicas(settings, shared_redis=False) as (first, second):
        acme = await make_tenant(first.container, slug="acme")
        await make_user(first.container, acme, email=EMAIL)
        token = (await _session(first, acme))["access_token"]
        await _cached_on(second, acme, token)

        logout = await first.client.post("/api/auth/logout", headers=auth_headers(acme, token))
        assert logout.status_code == 204

        assert (await second.me(acme, token)).status_code == 401


async def test_a_change_from_another_process_reaches_the_cache_through_the_event_stream(
    settings: Settings,
) -> None:
    # `rustok operator revoke` beside a server without Redis: no store is shared, only the
    # database; the server's relay hears of the change from the outbox.
    cli_stores, server_stores = MemoryStores(), MemoryStores()
    cli_stores.generations = MemoryGenerations({})
    server_stores.generations = MemoryGenerations({})
    config = settings.model_copy(update={"rate_limit_enabled": False})
    async with (
        running_container(config, stores=server_stores) as server,
        running_container(
            config.model_copy(update={"embedded_workers": False}), stores=cli_stores
        ) as cli,
        client_for(server) as client,
    ):
        acme = await make_tenant(cli, slug="acme")
        await make_user(cli, acme, email=EMAIL, operator=True)
        token = (await login(client, acme, EMAIL))["access_token"]
        headers = auth_headers(acme, token)
        assert (await client.get("/api/admin/tenants", headers=headers)).status_code == 200

        await cli.auth.set_platform_operator(tenant_id=acme.id, email=EMAIL, operator=False)

        async def refused() -> bool:
            response = await client.get("/api/admin/tenants", headers=headers)
            return response.status_code == 403

        await wait_until_async(refused, timeout=10)
