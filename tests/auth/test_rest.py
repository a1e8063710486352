"""The auth REST API: every route, its answers and what it leaves in the database."""

from __future__ import annotations

import asyncio
import hashlib
import json
import uuid
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import jwt
import pytest
from sqlalchemy import update

from rustok.auth.models import AuthSession, RefreshToken, User
from rustok.core.clock import utcnow
from rustok.stores.memory import MemoryStores
from rustok.stores.redis import RedisStores
from rustok.testing.app import client_for, running_container
from rustok.testing.factories import DEFAULT_PASSWORD, auth_headers, login, make_user

if TYPE_CHECKING:
    from collections.abc import Callable
    from contextlib import AbstractAsyncContextManager

    import httpx

    from rustok.bootstrap import Container
    from rustok.core.settings import Settings
    from rustok.tenancy.schemas import TenantDetail
    from tests.auth.conftest import Db

EMAIL = "ada@example.com"
NEW_PASSWORD = "a-brand-new-passphrase"


def session_id_of(tokens: dict[str, Any]) -> uuid.UUID:
    claims = jwt.decode(tokens["access_token"], options={"verify_signature": False})
    return uuid.UUID(claims["session_id"])


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


async def me(client: httpx.AsyncClient, tenant: TenantDetail, tokens: dict[str, Any]) -> Any:
    return await client.get("/api/auth/me", headers=auth_headers(tenant, tokens["access_token"]))


async def refresh(client: httpx.AsyncClient, tenant: TenantDetail, token: str) -> httpx.Response:
    return await client.post(
        "/api/auth/refresh", json={"refresh_token": token}, headers=auth_headers(tenant)
    )


def assert_problem(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert body["code"] == code
    return body


# --- register ------------------------------------------------------------------------------


async def test_register_creates_a_customer_and_logs_them_in(
    client: httpx.AsyncClient, container: Container, tenant: TenantDetail, db: Db
) -> None:
    response = await client.post(
        "/api/auth/register",
        json={"email": " Ada@Example.COM ", "password": DEFAULT_PASSWORD, "name": "  Ada  "},
        headers={**auth_headers(tenant), "User-Agent": "tests/1.0"},
    )

    assert response.status_code == 201, response.text
    body = response.json()
    assert set(body) == {"access_token", "refresh_token", "token_type", "expires_in", "user"}
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == container.settings.access_token_ttl_seconds
    user = body["user"]
    assert set(user) == {
        "id",
        "email",
        "name",
        "status",
        "roles",
        "is_platform_operator",
        "tenant_id",
        "created_at",
        "last_login_at",
    }
    assert user["is_platform_operator"] is False
    assert user["email"] == EMAIL
    assert user["name"] == "Ada"
    assert user["status"] == "active"
    assert user["roles"] == ["customer"]
    assert user["tenant_id"] == str(tenant.id)
    assert user["last_login_at"] is not None
    row = await db.one(User)
    assert (str(row.id), row.email, row.tenant_id) == (user["id"], EMAIL, tenant.id)
    assert row.password_hash.startswith("$argon2id$")
    session = await db.one(AuthSession)
    assert session.id == session_id_of(body)
    assert (session.ip_address, session.user_agent) == ("127.0.0.1", "tests/1.0")
    stored = await db.one(RefreshToken)
    assert stored.token_hash == sha256(body["refresh_token"])
    assert stored.session_id == session.id
    assert (await me(client, tenant, body)).json()["id"] == user["id"]


async def test_register_twice_with_the_same_email_is_409(
    client: httpx.AsyncClient, tenant: TenantDetail, db: Db
) -> None:
    first = await client.post(
        "/api/auth/register",
        json={"email": EMAIL, "password": DEFAULT_PASSWORD},
        headers=auth_headers(tenant),
    )
    second = await client.post(
        "/api/auth/register",
        json={"email": "ADA@example.com", "password": "another-password"},
        headers=auth_headers(tenant),
    )

    assert first.status_code == 201
    body = assert_problem(second, 409, "EMAIL_TAKEN")
    assert body["errors"] == [{"field": "body.email", "message": "already registered"}]
    assert await db.count(User) == 1
    assert await db.count(AuthSession) == 1
    assert await db.count(RefreshToken) == 1


async def test_login_fails_closed_while_the_counter_store_is_down(
    container: Container, tenant: TenantDetail, db: Db, settings: Settings
) -> None:
    await make_user(container, tenant, email=EMAIL)
    # A replica whose rate-limit counters live on a Redis nobody answers at (ADR 0003).
    unreachable = RedisStores("redis://127.0.0.1:1/0", connect_timeout_seconds=0.2)
    stores = MemoryStores()
    stores.rate_limits = unreachable.rate_limits
    try:
        async with (
            running_container(settings, stores=stores) as replica,
            client_for(replica) as client,
        ):
            login_response = await client.post(
                "/api/auth/login",
                json={"email": EMAIL, "password": DEFAULT_PASSWORD},
                headers=auth_headers(tenant),
            )
            ordinary = await client.get("/api/openapi.json")
    finally:
        await unreachable.close()

    assert_problem(login_response, 503, "UNAVAILABLE")
    assert ordinary.status_code == 200  # ordinary requests fail open meanwhile
    assert await db.count(AuthSession) == 0
    assert (await db.one(User)).last_login_at is None


@pytest.mark.parametrize(
    ("payload", "fields"),
    [
        ({"email": "not-an-email", "password": DEFAULT_PASSWORD}, ["body.email"]),
        ({"email": EMAIL, "password": "short"}, ["body.password"]),
        ({"email": EMAIL, "password": "p" * 7}, ["body.password"]),
        ({"email": EMAIL, "password": "p" * 129}, ["body.password"]),
        ({"email": EMAIL, "password": DEFAULT_PASSWORD, "name": "n" * 201}, ["body.name"]),
        ({"email": EMAIL, "password": DEFAULT_PASSWORD, "name": "a\x00b"}, ["body.name"]),
        ({"email": EMAIL, "password": "\ud800" * 8}, ["body.password"]),
        ({"email": EMAIL, "password": DEFAULT_PASSWORD, "role": "admin"}, ["body.role"]),
        ({"password": DEFAULT_PASSWORD}, ["body.email"]),
        ({"email": EMAIL}, ["body.password"]),
        ({}, ["body.email", "body.password"]),
        ({"email": 42, "password": ["x"]}, ["body.email", "body.password"]),
        ({"email": "a" * 310 + "@example.com", "password": DEFAULT_PASSWORD}, ["body.email"]),
    ],
)
async def test_register_refuses_bad_input_with_422_naming_the_fields(
    client: httpx.AsyncClient,
    tenant: TenantDetail,
    db: Db,
    payload: dict[str, Any],
    fields: list[str],
) -> None:
    response = await client.post(
        "/api/auth/register",
        # Serialised here because httpx cannot encode a lone surrogate; JSON escapes it.
        content=json.dumps(payload),
        headers={**auth_headers(tenant), "Content-Type": "application/json"},
    )

    body = assert_problem(response, 422, "VALIDATION_ERROR")
    assert [error["field"] for error in body["errors"]] == fields
    assert await db.count(User) == 0
    assert await db.count(AuthSession) == 0


@pytest.mark.parametrize("password", ["p" * 8, "p" * 128])
async def test_register_accepts_passwords_at_the_policy_limits(
    client: httpx.AsyncClient, tenant: TenantDetail, password: str
) -> None:
    response = await client.post(
        "/api/auth/register",
        json={"email": EMAIL, "password": password},
        headers=auth_headers(tenant),
    )

    assert response.status_code == 201


async def test_register_with_malformed_json_is_400(
    client: httpx.AsyncClient, tenant: TenantDetail, db: Db
) -> None:
    response = await client.post(
        "/api/auth/register",
        content=b'{"email": ',
        headers={**auth_headers(tenant), "Content-Type": "application/json"},
    )

    assert_problem(response, 400, "MALFORMED_JSON")
    assert await db.count(User) == 0


async def test_register_without_a_tenant_is_400(client: httpx.AsyncClient, db: Db) -> None:
    response = await client.post(
        "/api/auth/register", json={"email": EMAIL, "password": DEFAULT_PASSWORD}
    )

    assert_problem(response, 400, "TENANT_REQUIRED")
    assert await db.count(User) == 0


# --- login ---------------------------------------------------------------------------------


async def test_login_answers_tokens_and_the_user(
    client: httpx.AsyncClient, container: Container, tenant: TenantDetail, db: Db
) -> None:
    created = await make_user(container, tenant, email=EMAIL)

    response = await client.post(
        "/api/auth/login",
        json={"email": "  ADA@example.com", "password": DEFAULT_PASSWORD},
        headers={**auth_headers(tenant), "User-Agent": "browser/2"},
    )

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == container.settings.access_token_ttl_seconds
    user = body["user"]
    assert user["id"] == str(created.id)
    assert (user["email"], user["roles"], user["status"]) == (EMAIL, ["customer"], "active")
    assert created.last_login_at is None
    row = await db.one(User)
    assert row.last_login_at is not None
    assert datetime.fromisoformat(user["last_login_at"]) == row.last_login_at
    session = await db.one(AuthSession)
    assert session.id == session_id_of(body)
    assert (session.user_id, session.tenant_id) == (created.id, tenant.id)
    assert (session.ip_address, session.user_agent) == ("127.0.0.1", "browser/2")
    assert session.revoked_at is None
    ttl = container.settings.refresh_token_ttl_seconds
    lifetime = session.expires_at - session.created_at
    assert abs(lifetime - timedelta(seconds=ttl)) < timedelta(seconds=1)
    claims = jwt.decode(
        body["access_token"],
        container.settings.jwt_secret,
        algorithms=["HS256"],
        audience=container.settings.jwt_audience,
    )
    assert claims["sub"] == str(created.id)
    assert claims["tenant_id"] == str(tenant.id)
    assert claims["roles"] == ["customer"]
    assert claims["exp"] - claims["iat"] == container.settings.access_token_ttl_seconds


async def test_wrong_password_and_unknown_email_fail_alike(
    client: httpx.AsyncClient, container: Container, tenant: TenantDetail, db: Db
) -> None:
    await make_user(container, tenant, email=EMAIL)

    wrong_password = await client.post(
        "/api/auth/login",
        json={"email": EMAIL, "password": "not-the-password"},
        headers=auth_headers(tenant),
    )
    unknown_email = await client.post(
        "/api/auth/login",
        json={"email": "nobody@example.com", "password": "not-the-password"},
        headers=auth_headers(tenant),
    )

    first = assert_problem(wrong_password, 401, "INVALID_CREDENTIALS")
    second = assert_problem(unknown_email, 401, "INVALID_CREDENTIALS")
    for body in (first, second):
        body.pop("request_id")
    assert first == second
    assert first["detail"] == "The e-mail or password is wrong."
    assert wrong_password.headers["www-authenticate"] == "Bearer"
    assert await db.count(AuthSession) == 0
    assert (await db.one(User)).last_login_at is None


async def test_login_of_a_deactivated_user_is_401_user_inactive(
    client: httpx.AsyncClient, container: Container, tenant: TenantDetail, db: Db
) -> None:
    await make_user(container, tenant, email=EMAIL)
    await db.execute(update(User).values(status="inactive"))

    response = await client.post(
        "/api/auth/login",
        json={"email": EMAIL, "password": DEFAULT_PASSWORD},
        headers=auth_headers(tenant),
    )

    assert_problem(response, 401, "USER_INACTIVE")
    assert await db.count(AuthSession) == 0


@pytest.mark.parametrize(
    ("payload", "fields"),
    [
        ({"email": "ada", "password": DEFAULT_PASSWORD}, ["body.email"]),
        ({"email": EMAIL, "password": ""}, ["body.password"]),
        ({"email": EMAIL, "password": "p" * 129}, ["body.password"]),
        ({"email": EMAIL}, ["body.password"]),
        ({"email": EMAIL, "password": DEFAULT_PASSWORD, "otp": "1"}, ["body.otp"]),
    ],
)
async def test_login_refuses_bad_input_with_422(
    client: httpx.AsyncClient,
    container: Container,
    tenant: TenantDetail,
    db: Db,
    payload: dict[str, Any],
    fields: list[str],
) -> None:
    await make_user(container, tenant, email=EMAIL)

    response = await client.post("/api/auth/login", json=payload, headers=auth_headers(tenant))

    body = assert_problem(response, 422, "VALIDATION_ERROR")
    assert [error["field"] for error in body["errors"]] == fields
    assert await db.count(AuthSession) == 0


async def test_login_attempts_are_rate_limited_per_ip_and_email(
    client: httpx.AsyncClient, container: Container, tenant: TenantDetail, db: Db
) -> None:
    await make_user(container, tenant, email=EMAIL)
    await make_user(container, tenant, email="grace@example.com")
    attempts = int(container.settings.rate_limit_login.split("/")[0])
    wrong = {"email": EMAIL, "password": "not-the-password"}

    statuses = [
        (await client.post("/api/auth/login", json=wrong, headers=auth_headers(tenant))).status_code
        for _ in range(attempts)
    ]
    refused = await client.post(
        "/api/auth/login",
        json={"email": "Ada@Example.com", "password": DEFAULT_PASSWORD},
        headers=auth_headers(tenant),
    )
    other_email = await client.post(
        "/api/auth/login",
        json={"email": "grace@example.com", "password": DEFAULT_PASSWORD},
        headers=auth_headers(tenant),
    )

    assert statuses == [401] * attempts
    assert_problem(refused, 429, "RATE_LIMITED")
    assert int(refused.headers["retry-after"]) >= 1
    assert other_email.status_code == 200
    assert await db.count(AuthSession) == 1


# --- refresh -------------------------------------------------------------------------------


async def test_refresh_rotates_the_refresh_token(
    client: httpx.AsyncClient, container: Container, tenant: TenantDetail, db: Db
) -> None:
    await make_user(container, tenant, email=EMAIL)
    tokens = await login(client, tenant, EMAIL)
    before = await db.one(AuthSession)

    response = await refresh(client, tenant, tokens["refresh_token"])

    assert response.status_code == 200, response.text
    fresh = response.json()
    assert fresh["refresh_token"] != tokens["refresh_token"]
    assert fresh["access_token"] != tokens["access_token"]
    assert fresh["user"]["email"] == EMAIL
    assert session_id_of(fresh) == before.id
    old = await db.one(RefreshToken, RefreshToken.token_hash == sha256(tokens["refresh_token"]))
    new = await db.one(RefreshToken, RefreshToken.token_hash == sha256(fresh["refresh_token"]))
    assert old.rotated_at is not None
    assert new.rotated_at is None
    assert new.session_id == before.id
    after = await db.one(AuthSession)
    assert after.last_used_at > before.last_used_at
    assert after.expires_at > before.expires_at
    assert (await me(client, tenant, fresh)).status_code == 200
    assert (await me(client, tenant, tokens)).status_code == 200


async def _age_rotation(db: Db, token: str, seconds: float) -> None:
    """Move the rotation of `token` into the past, as if it happened `seconds` ago."""
    await db.execute(
        update(RefreshToken)
        .where(RefreshToken.token_hash == sha256(token))
        .values(rotated_at=utcnow() - timedelta(seconds=seconds))
    )


async def test_reused_refresh_token_ends_the_session(
    client: httpx.AsyncClient, container: Container, tenant: TenantDetail, db: Db
) -> None:
    await make_user(container, tenant, email=EMAIL)
    tokens = await login(client, tenant, EMAIL)
    fresh = (await refresh(client, tenant, tokens["refresh_token"])).json()
    grace = container.settings.refresh_reuse_grace_seconds
    await _age_rotation(db, tokens["refresh_token"], grace + 1)

    replay = await refresh(client, tenant, tokens["refresh_token"])

    assert_problem(replay, 401, "REFRESH_TOKEN_REUSED")
    session = await db.one(AuthSession)
    assert session.revoked_at is not None
    assert session.revoked_reason == "refresh_token_reuse"
    assert_problem(await refresh(client, tenant, fresh["refresh_token"]), 401, "SESSION_REVOKED")
    assert_problem(await me(client, tenant, fresh), 401, "SESSION_REVOKED")
    assert_problem(
        await refresh(client, tenant, tokens["refresh_token"]), 401, "REFRESH_TOKEN_REUSED"
    )
    assert await db.count(RefreshToken) == 2


async def test_a_second_use_within_the_grace_window_answers_the_same_pair(
    client: httpx.AsyncClient, container: Container, tenant: TenantDetail, db: Db
) -> None:
    await make_user(container, tenant, email=EMAIL)
    tokens = await login(client, tenant, EMAIL)
    first = (await refresh(client, tenant, tokens["refresh_token"])).json()

    second = await refresh(client, tenant, tokens["refresh_token"])

    assert second.status_code == 200, second.text
    assert second.json()["refresh_token"] == first["refresh_token"]
    assert second.json()["access_token"] == first["access_token"]
    assert (await db.one(AuthSession)).revoked_at is None
    assert await db.count(RefreshToken) == 2
    onward = await refresh(client, tenant, first["refresh_token"])
    assert onward.status_code == 200
    assert (await me(client, tenant, onward.json())).status_code == 200


async def test_a_second_use_after_the_pair_moved_on_is_reuse_even_within_the_window(
    client: httpx.AsyncClient, container: Container, tenant: TenantDetail, db: Db
) -> None:
    await make_user(container, tenant, email=EMAIL)
    tokens = await login(client, tenant, EMAIL)
    first = (await refresh(client, tenant, tokens["refresh_token"])).json()
    await refresh(client, tenant, first["refresh_token"])

    replay = await refresh(client, tenant, tokens["refresh_token"])

    assert_problem(replay, 401, "REFRESH_TOKEN_REUSED")
    assert (await db.one(AuthSession)).revoked_reason == "refresh_token_reuse"


async def test_two_tabs_refreshing_at_once_both_get_the_same_pair(
    client: httpx.AsyncClient, container: Container, tenant: TenantDetail, db: Db
) -> None:
    await make_user(container, tenant, email=EMAIL)
    tokens = await login(client, tenant, EMAIL)

    responses = await asyncio.gather(
        refresh(client, tenant, tokens["refresh_token"]),
        refresh(client, tenant, tokens["refresh_token"]),
    )

    assert [response.status_code for response in responses] == [200, 200]
    assert responses[0].json()["refresh_token"] == responses[1].json()["refresh_token"]
    assert (await db.one(AuthSession)).revoked_at is None
    assert await db.count(RefreshToken) == 2


async def test_without_a_grace_window_the_same_token_used_twice_at_once_succeeds_once(
    make_client: Callable[..., AbstractAsyncContextManager[httpx.AsyncClient]],
    container: Container,
    tenant: TenantDetail,
    db: Db,
) -> None:
    await make_user(container, tenant, email=EMAIL)
    async with make_client(refresh_reuse_grace_seconds=0) as strict:
        tokens = await login(strict, tenant, EMAIL)

        responses = await asyncio.gather(
            refresh(strict, tenant, tokens["refresh_token"]),
            refresh(strict, tenant, tokens["refresh_token"]),
        )

        assert sorted(response.status_code for response in responses) == [200, 401]
        winner = next(response for response in responses if response.status_code == 200)
        loser = next(response for response in responses if response.status_code == 401)
        assert loser.json()["code"] == "REFRESH_TOKEN_REUSED"
        assert (await db.one(AuthSession)).revoked_reason == "refresh_token_reuse"
        assert_problem(await me(strict, tenant, winner.json()), 401, "SESSION_REVOKED")


async def test_unknown_refresh_token_is_401_and_writes_nothing(
    client: httpx.AsyncClient, container: Container, tenant: TenantDetail, db: Db
) -> None:
    await make_user(container, tenant, email=EMAIL)
    await login(client, tenant, EMAIL)

    response = await refresh(client, tenant, "made-up-token")

    assert_problem(response, 401, "REFRESH_TOKEN_INVALID")
    assert await db.count(RefreshToken) == 1
    assert (await db.one(RefreshToken)).rotated_at is None
    assert (await db.one(AuthSession)).revoked_at is None


async def test_refresh_of_an_expired_session_is_401_session_expired(
    client: httpx.AsyncClient, container: Container, tenant: TenantDetail, db: Db
) -> None:
    await make_user(container, tenant, email=EMAIL)
    tokens = await login(client, tenant, EMAIL)
    await db.execute(update(AuthSession).values(expires_at=utcnow() - timedelta(seconds=1)))

    response = await refresh(client, tenant, tokens["refresh_token"])

    assert_problem(response, 401, "SESSION_EXPIRED")
    assert (await db.one(RefreshToken)).rotated_at is None
    assert await db.count(RefreshToken) == 1


async def test_refresh_for_a_deactivated_user_is_401_user_inactive(
    client: httpx.AsyncClient, container: Container, tenant: TenantDetail, db: Db
) -> None:
    await make_user(container, tenant, email=EMAIL)
    tokens = await login(client, tenant, EMAIL)
    await db.execute(update(User).values(status="inactive"))

    response = await refresh(client, tenant, tokens["refresh_token"])

    assert_problem(response, 401, "USER_INACTIVE")
    assert (await db.one(RefreshToken)).rotated_at is None


@pytest.mark.parametrize(
    ("payload", "field"),
    [({}, "body.refresh_token"), ({"refresh_token": ""}, "body.refresh_token")],
)
async def test_refresh_refuses_bad_input_with_422(
    client: httpx.AsyncClient, tenant: TenantDetail, payload: dict[str, Any], field: str
) -> None:
    response = await client.post("/api/auth/refresh", json=payload, headers=auth_headers(tenant))

    body = assert_problem(response, 422, "VALIDATION_ERROR")
    assert [error["field"] for error in body["errors"]] == [field]


# --- logout --------------------------------------------------------------------------------


async def test_logout_ends_the_current_session_only(
    client: httpx.AsyncClient, container: Container, tenant: TenantDetail, db: Db
) -> None:
    await make_user(container, tenant, email=EMAIL)
    leaving = await login(client, tenant, EMAIL)
    staying = await login(client, tenant, EMAIL)

    response = await client.post(
        "/api/auth/logout", headers=auth_headers(tenant, leaving["access_token"])
    )

    assert response.status_code == 204
    assert response.content == b""
    ended = await db.one(AuthSession, AuthSession.id == session_id_of(leaving))
    assert (ended.revoked_at is not None, ended.revoked_reason) == (True, "logout")
    assert_problem(await me(client, tenant, leaving), 401, "SESSION_REVOKED")
    assert_problem(await refresh(client, tenant, leaving["refresh_token"]), 401, "SESSION_REVOKED")
    assert (await me(client, tenant, staying)).status_code == 200


async def test_logout_with_a_refresh_token_of_another_own_session_ends_both(
    client: httpx.AsyncClient, container: Container, tenant: TenantDetail, db: Db
) -> None:
    await make_user(container, tenant, email=EMAIL)
    current = await login(client, tenant, EMAIL)
    other = await login(client, tenant, EMAIL)

    response = await client.post(
        "/api/auth/logout",
        json={"refresh_token": other["refresh_token"]},
        headers=auth_headers(tenant, current["access_token"]),
    )

    assert response.status_code == 204
    sessions = await db.all(AuthSession)
    assert [session.revoked_reason for session in sessions] == ["logout", "logout"]


async def test_logout_ignores_a_refresh_token_of_another_user(
    client: httpx.AsyncClient, container: Container, tenant: TenantDetail, db: Db
) -> None:
    await make_user(container, tenant, email=EMAIL)
    await make_user(container, tenant, email="grace@example.com")
    ada = await login(client, tenant, EMAIL)
    grace = await login(client, tenant, "grace@example.com")

    response = await client.post(
        "/api/auth/logout",
        json={"refresh_token": grace["refresh_token"]},
        headers=auth_headers(tenant, ada["access_token"]),
    )

    assert response.status_code == 204
    grace_session = await db.one(AuthSession, AuthSession.id == session_id_of(grace))
    assert grace_session.revoked_at is None
    assert (await me(client, tenant, grace)).status_code == 200


async def test_logout_needs_a_logged_in_caller(
    client: httpx.AsyncClient, tenant: TenantDetail
) -> None:
    response = await client.post("/api/auth/logout", headers=auth_headers(tenant))

    assert_problem(response, 401, "UNAUTHENTICATED")
    assert response.headers["www-authenticate"] == "Bearer"


# --- me ------------------------------------------------------------------------------------


async def test_me_answers_the_callers_account(
    client: httpx.AsyncClient, container: Container, tenant: TenantDetail
) -> None:
    created = await make_user(container, tenant, email=EMAIL)
    tokens = await login(client, tenant, EMAIL)

    response = await me(client, tenant, tokens)

    assert response.status_code == 200
    assert response.json() == {**tokens["user"], "id": str(created.id)}


async def test_a_role_change_applies_to_the_next_request(
    client: httpx.AsyncClient, container: Container, tenant: TenantDetail
) -> None:
    created = await make_user(container, tenant, email=EMAIL)
    tokens = await login(client, tenant, EMAIL)

    await container.roles.set_user_roles(
        tenant.id, created.id, ["manager", "customer"], caller_id=None
    )

    assert (await me(client, tenant, tokens)).json()["roles"] == ["customer", "manager"]


async def test_me_of_a_user_deactivated_after_login_is_401_user_inactive(
    client: httpx.AsyncClient, container: Container, tenant: TenantDetail, db: Db
) -> None:
    await make_user(container, tenant, email=EMAIL)
    tokens = await login(client, tenant, EMAIL)
    await db.execute(update(User).values(status="inactive"))

    assert_problem(await me(client, tenant, tokens), 401, "USER_INACTIVE")


async def test_me_of_an_expired_session_is_401_session_expired(
    client: httpx.AsyncClient, container: Container, tenant: TenantDetail, db: Db
) -> None:
    await make_user(container, tenant, email=EMAIL)
    tokens = await login(client, tenant, EMAIL)
    await db.execute(update(AuthSession).values(expires_at=utcnow() - timedelta(seconds=1)))

    assert_problem(await me(client, tenant, tokens), 401, "SESSION_EXPIRED")


async def test_me_without_a_token_is_401(client: httpx.AsyncClient, tenant: TenantDetail) -> None:
    assert_problem(
        await client.get("/api/auth/me", headers=auth_headers(tenant)), 401, "UNAUTHENTICATED"
    )


# --- sessions ------------------------------------------------------------------------------


async def test_sessions_lists_the_callers_live_sessions(
    client: httpx.AsyncClient, container: Container, tenant: TenantDetail, db: Db
) -> None:
    await make_user(container, tenant, email=EMAIL)
    await make_user(container, tenant, email="grace@example.com")
    first = await login(client, tenant, EMAIL)
    revoked = await login(client, tenant, EMAIL)
    expired = await login(client, tenant, EMAIL)
    current = await login(client, tenant, EMAIL)
    await login(client, tenant, "grace@example.com")
    await db.execute(
        update(AuthSession)
        .where(AuthSession.id == session_id_of(revoked))
        .values(revoked_at=utcnow(), revoked_reason="logout")
    )
    await db.execute(
        update(AuthSession)
        .where(AuthSession.id == session_id_of(expired))
        .values(expires_at=utcnow() - timedelta(seconds=1))
    )

    response = await client.get(
        "/api/auth/sessions", headers=auth_headers(tenant, current["access_token"])
    )

    assert response.status_code == 200
    listed = response.json()
    assert [item["id"] for item in listed] == [
        str(session_id_of(current)),
        str(session_id_of(first)),
    ]
    assert [item["current"] for item in listed] == [True, False]
    assert set(listed[0]) == {
        "id",
        "ip_address",
        "user_agent",
        "created_at",
        "last_used_at",
        "expires_at",
        "current",
    }
    assert listed[0]["ip_address"] == "127.0.0.1"
    assert datetime.fromisoformat(listed[0]["expires_at"]) > utcnow()


async def test_revoke_all_ends_every_other_session(
    client: httpx.AsyncClient, container: Container, tenant: TenantDetail, db: Db
) -> None:
    await make_user(container, tenant, email=EMAIL)
    others = [await login(client, tenant, EMAIL) for _ in range(2)]
    current = await login(client, tenant, EMAIL)
    headers = auth_headers(tenant, current["access_token"])

    response = await client.post("/api/auth/sessions/revoke-all", headers=headers)
    again = await client.post("/api/auth/sessions/revoke-all", headers=headers)

    assert (response.status_code, response.json()) == (200, {"revoked": 2})
    assert (again.status_code, again.json()) == (200, {"revoked": 0})
    assert (await me(client, tenant, current)).status_code == 200
    for tokens in others:
        assert_problem(await me(client, tenant, tokens), 401, "SESSION_REVOKED")
        assert_problem(
            await refresh(client, tenant, tokens["refresh_token"]), 401, "SESSION_REVOKED"
        )
    reasons = sorted(str(session.revoked_reason) for session in await db.all(AuthSession))
    assert reasons == ["None", "revoke_all", "revoke_all"]


# --- change password -----------------------------------------------------------------------


async def test_change_password_replaces_it_and_ends_other_sessions(
    client: httpx.AsyncClient, container: Container, tenant: TenantDetail, db: Db
) -> None:
    await make_user(container, tenant, email=EMAIL)
    other = await login(client, tenant, EMAIL)
    current = await login(client, tenant, EMAIL)
    old_hash = (await db.one(User)).password_hash

    response = await client.post(
        "/api/auth/change-password",
        json={"current_password": DEFAULT_PASSWORD, "new_password": NEW_PASSWORD},
        headers=auth_headers(tenant, current["access_token"]),
    )

    assert response.status_code == 204
    assert response.content == b""
    user = await db.one(User)
    assert user.password_hash != old_hash
    assert user.password_changed_at is not None
    assert (await me(client, tenant, current)).status_code == 200
    assert_problem(await me(client, tenant, other), 401, "SESSION_REVOKED")
    ended = await db.one(AuthSession, AuthSession.id == session_id_of(other))
    assert ended.revoked_reason == "password_changed"
    old_login = await client.post(
        "/api/auth/login",
        json={"email": EMAIL, "password": DEFAULT_PASSWORD},
        headers=auth_headers(tenant),
    )
    assert_problem(old_login, 401, "INVALID_CREDENTIALS")
    assert (await login(client, tenant, EMAIL, NEW_PASSWORD))["user"]["email"] == EMAIL


async def test_change_password_with_a_wrong_current_password_is_422(
    client: httpx.AsyncClient, container: Container, tenant: TenantDetail, db: Db
) -> None:
    await make_user(container, tenant, email=EMAIL)
    other = await login(client, tenant, EMAIL)
    current = await login(client, tenant, EMAIL)
    old_hash = (await db.one(User)).password_hash

    response = await client.post(
        "/api/auth/change-password",
        json={"current_password": "not-the-password", "new_password": NEW_PASSWORD},
        headers=auth_headers(tenant, current["access_token"]),
    )

    body = assert_problem(response, 422, "CURRENT_PASSWORD_INCORRECT")
    assert body["errors"] == [{"field": "body.current_password", "message": "does not match"}]
    user = await db.one(User)
    assert (user.password_hash, user.password_changed_at) == (old_hash, None)
    assert (await me(client, tenant, other)).status_code == 200


@pytest.mark.parametrize(
    ("payload", "fields"),
    [
        ({"current_password": DEFAULT_PASSWORD, "new_password": "short"}, ["body.new_password"]),
        ({"current_password": DEFAULT_PASSWORD}, ["body.new_password"]),
        ({"new_password": NEW_PASSWORD}, ["body.current_password"]),
    ],
)
async def test_change_password_refuses_bad_input_with_422(
    client: httpx.AsyncClient,
    container: Container,
    tenant: TenantDetail,
    db: Db,
    payload: dict[str, Any],
    fields: list[str],
) -> None:
    await make_user(container, tenant, email=EMAIL)
    tokens = await login(client, tenant, EMAIL)
    old_hash = (await db.one(User)).password_hash

    response = await client.post(
        "/api/auth/change-password",
        json=payload,
        headers=auth_headers(tenant, tokens["access_token"]),
    )

    body = assert_problem(response, 422, "VALIDATION_ERROR")
    assert [error["field"] for error in body["errors"]] == fields
    assert (await db.one(User)).password_hash == old_hash


# --- every route ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/api/auth/logout"),
        ("GET", "/api/auth/me"),
        ("GET", "/api/auth/sessions"),
        ("POST", "/api/auth/sessions/revoke-all"),
        ("POST", "/api/auth/change-password"),
    ],
)
async def test_authenticated_routes_refuse_anonymous_callers(
    client: httpx.AsyncClient, tenant: TenantDetail, method: str, path: str
) -> None:
    response = await client.request(method, path, headers=auth_headers(tenant))

    assert_problem(response, 401, "UNAUTHENTICATED")


async def test_sessions_record_the_client_address_behind_a_trusted_proxy(
    make_client: Callable[..., AbstractAsyncContextManager[httpx.AsyncClient]],
    container: Container,
    tenant: TenantDetail,
    db: Db,
) -> None:
    await make_user(container, tenant, email=EMAIL)

    async with make_client(trusted_proxies=["127.0.0.1/32"]) as proxied:
        response = await proxied.post(
            "/api/auth/login",
            json={"email": EMAIL, "password": DEFAULT_PASSWORD},
            headers={**auth_headers(tenant), "X-Forwarded-For": "203.0.113.9"},
        )

    assert response.status_code == 200
    assert (await db.one(AuthSession)).ip_address == "203.0.113.9"
