"""Tenant isolation of auth: nothing of tenant A works, or shows, on tenant B."""

from __future__ import annotations

import hashlib
import uuid
from typing import TYPE_CHECKING, Any

import jwt

from rustok.auth.models import AuthSession, RefreshToken, User
from rustok.testing.factories import DEFAULT_PASSWORD, auth_headers, login, make_user

if TYPE_CHECKING:
    import httpx

    from rustok.bootstrap import Container
    from rustok.tenancy.schemas import TenantDetail
    from tests.auth.conftest import Db

EMAIL = "ada@example.com"


def session_id_of(tokens: dict[str, Any]) -> uuid.UUID:
    claims = jwt.decode(tokens["access_token"], options={"verify_signature": False})
    return uuid.UUID(claims["session_id"])


async def test_the_same_email_can_sign_up_in_two_tenants(
    client: httpx.AsyncClient, tenant: TenantDetail, other_tenant: TenantDetail, db: Db
) -> None:
    payload = {"email": EMAIL, "password": DEFAULT_PASSWORD}

    in_a = await client.post("/api/auth/register", json=payload, headers=auth_headers(tenant))
    in_b = await client.post("/api/auth/register", json=payload, headers=auth_headers(other_tenant))

    assert (in_a.status_code, in_b.status_code) == (201, 201)
    user_a, user_b = in_a.json()["user"], in_b.json()["user"]
    assert user_a["id"] != user_b["id"]
    assert (user_a["tenant_id"], user_b["tenant_id"]) == (str(tenant.id), str(other_tenant.id))
    assert await db.count(User, User.tenant_id == tenant.id) == 1
    assert await db.count(User, User.tenant_id == other_tenant.id) == 1


async def test_a_token_of_tenant_a_is_refused_on_tenant_b_without_leaking_anything(
    client: httpx.AsyncClient,
    container: Container,
    tenant: TenantDetail,
    other_tenant: TenantDetail,
) -> None:
    user = await make_user(container, tenant, email=EMAIL)
    tokens = await login(client, tenant, EMAIL)
    token = tokens["access_token"]

    responses = [
        await client.get("/api/auth/me", headers=auth_headers(other_tenant, token)),
        await client.get("/api/auth/sessions", headers=auth_headers(other_tenant, token)),
        await client.post("/api/auth/logout", headers=auth_headers(other_tenant, token)),
        await client.post(
            "/api/auth/sessions/revoke-all", headers=auth_headers(other_tenant, token)
        ),
    ]

    for response in responses:
        assert response.status_code == 401
        body = response.json()
        assert body["code"] == "TOKEN_TENANT_MISMATCH"
        assert body["detail"] == "This access token is not valid for this tenant."
        for secret in (str(user.id), EMAIL, str(tenant.id), tenant.slug):
            assert secret not in response.text
    assert (
        await client.get("/api/auth/me", headers=auth_headers(tenant, token))
    ).status_code == 200


async def test_a_refresh_token_of_tenant_a_is_unknown_on_tenant_b(
    client: httpx.AsyncClient,
    container: Container,
    tenant: TenantDetail,
    other_tenant: TenantDetail,
    db: Db,
) -> None:
    await make_user(container, tenant, email=EMAIL)
    tokens = await login(client, tenant, EMAIL)

    response = await client.post(
        "/api/auth/refresh",
        json={"refresh_token": tokens["refresh_token"]},
        headers=auth_headers(other_tenant),
    )

    assert response.status_code == 401
    assert response.json()["code"] == "REFRESH_TOKEN_INVALID"
    stored = await db.one(RefreshToken)
    assert stored.token_hash == hashlib.sha256(tokens["refresh_token"].encode()).hexdigest()
    assert stored.rotated_at is None
    assert await db.count(AuthSession, AuthSession.revoked_at.is_not(None)) == 0


async def test_credentials_of_tenant_a_do_not_log_in_on_tenant_b(
    client: httpx.AsyncClient,
    container: Container,
    tenant: TenantDetail,
    other_tenant: TenantDetail,
    db: Db,
) -> None:
    await make_user(container, tenant, email=EMAIL)

    response = await client.post(
        "/api/auth/login",
        json={"email": EMAIL, "password": DEFAULT_PASSWORD},
        headers=auth_headers(other_tenant),
    )

    assert response.status_code == 401
    assert response.json()["code"] == "INVALID_CREDENTIALS"
    assert await db.count(AuthSession) == 0


async def test_namesakes_in_two_tenants_are_separate_accounts(
    client: httpx.AsyncClient,
    container: Container,
    tenant: TenantDetail,
    other_tenant: TenantDetail,
    db: Db,
) -> None:
    await make_user(container, tenant, email=EMAIL, password="password-in-a")
    await make_user(container, other_tenant, email=EMAIL, password="password-in-b")
    in_a = await login(client, tenant, EMAIL, "password-in-a")
    in_b = await login(client, other_tenant, EMAIL, "password-in-b")
    wrong = await client.post(
        "/api/auth/login",
        json={"email": EMAIL, "password": "password-in-a"},
        headers=auth_headers(other_tenant),
    )

    sessions_b = await client.get(
        "/api/auth/sessions", headers=auth_headers(other_tenant, in_b["access_token"])
    )
    revoked_in_b = await client.post(
        "/api/auth/sessions/revoke-all", headers=auth_headers(other_tenant, in_b["access_token"])
    )
    logout_b = await client.post(
        "/api/auth/logout",
        json={"refresh_token": in_a["refresh_token"]},
        headers=auth_headers(other_tenant, in_b["access_token"]),
    )

    assert wrong.json()["code"] == "INVALID_CREDENTIALS"
    assert [item["id"] for item in sessions_b.json()] == [str(session_id_of(in_b))]
    assert revoked_in_b.json() == {"revoked": 0}
    assert logout_b.status_code == 204
    session_a = await db.one(AuthSession, AuthSession.id == session_id_of(in_a))
    assert session_a.revoked_at is None
    me_a = await client.get("/api/auth/me", headers=auth_headers(tenant, in_a["access_token"]))
    assert (me_a.status_code, me_a.json()["tenant_id"]) == (200, str(tenant.id))


async def test_a_forged_token_naming_tenant_b_with_a_session_of_tenant_a_is_refused(
    client: httpx.AsyncClient,
    container: Container,
    tenant: TenantDetail,
    other_tenant: TenantDetail,
) -> None:
    # Even someone holding the signing secret cannot move a session across tenants: the
    # session lookup is filtered by the tenant the request resolved to.
    user = await make_user(container, tenant, email=EMAIL)
    tokens = await login(client, tenant, EMAIL)
    claims = jwt.decode(tokens["access_token"], options={"verify_signature": False})
    moved = jwt.encode(
        {**claims, "tenant_id": str(other_tenant.id)},
        container.settings.jwt_secret,
        algorithm="HS256",
    )

    response = await client.get("/api/auth/me", headers=auth_headers(other_tenant, moved))

    assert response.status_code == 401
    assert response.json()["code"] == "SESSION_REVOKED"
    assert str(user.id) not in response.text
