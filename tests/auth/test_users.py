"""The tenant's users for its admins (`/api/admin/users`): listing, reading, and deactivation,
which ends every session at once and cannot be turned against a stronger admin, the caller
itself or the tenant's last admin."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from rustok.auth.models import AuthSession, User
from rustok.auth.schemas import UserStatus
from rustok.events.models import SysEvent
from rustok.rbac.errors import LastAdmin
from rustok.rbac.schemas import PermissionGrant, RoleCreate
from rustok.testing.factories import DEFAULT_PASSWORD, auth_headers, login, make_user

if TYPE_CHECKING:
    import httpx

    from rustok.bootstrap import Container
    from rustok.tenancy.schemas import TenantDetail
    from tests.auth.conftest import Db


async def _headers(client: httpx.AsyncClient, tenant: TenantDetail, email: str) -> dict[str, str]:
    return auth_headers(tenant, (await login(client, tenant, email))["access_token"])


async def _status_events(db: Db) -> list[Any]:
    return [
        event.payload
        for event in await db.all(SysEvent, SysEvent.event_type == "auth.user.updated")
        if event.payload.get("changes") == ["status"]
    ]


async def test_admins_list_and_read_the_tenants_users_with_their_roles(
    client: httpx.AsyncClient,
    container: Container,
    tenant: TenantDetail,
    other_tenant: TenantDetail,
) -> None:
    await make_user(container, tenant, email="boss@acme.test", roles=("admin",))
    ada = await make_user(container, tenant, email="ada@acme.test")
    await make_user(container, tenant, email="bob@acme.test")
    stranger = await make_user(container, other_tenant, email="eve@globex.test")
    admin = await _headers(client, tenant, "boss@acme.test")

    first = await client.get("/api/admin/users?limit=2", headers=admin)
    second = await client.get(
        "/api/admin/users", params={"after": first.json()["next_cursor"]}, headers=admin
    )
    by_email = await client.get("/api/admin/users?email=ADA", headers=admin)
    one = await client.get(f"/api/admin/users/{ada.id}", headers=admin)
    foreign = await client.get(f"/api/admin/users/{stranger.id}", headers=admin)

    assert [u["email"] for u in first.json()["items"]] == ["boss@acme.test", "ada@acme.test"]
    assert first.json()["has_more"] is True
    assert [u["email"] for u in second.json()["items"]] == ["bob@acme.test"]
    assert second.json()["has_more"] is False
    assert [u["email"] for u in by_email.json()["items"]] == ["ada@acme.test"]
    assert one.json()["roles"] == ["customer"]
    assert one.json()["status"] == "active"
    assert foreign.status_code == 404
    assert foreign.json()["code"] == "USER_NOT_FOUND"


async def test_customers_and_strangers_cannot_list_users(
    client: httpx.AsyncClient, container: Container, tenant: TenantDetail
) -> None:
    await make_user(container, tenant, email="ada@acme.test")
    customer = await _headers(client, tenant, "ada@acme.test")

    listed = await client.get("/api/admin/users", headers=customer)
    anonymous = await client.get("/api/admin/users", headers=auth_headers(tenant))

    assert listed.status_code == 403
    assert anonymous.status_code == 401


async def test_deactivation_ends_every_session_refuses_login_and_emits_once(
    client: httpx.AsyncClient, container: Container, tenant: TenantDetail, db: Db
) -> None:
    await make_user(container, tenant, email="boss@acme.test", roles=("admin",))
    ada = await make_user(container, tenant, email="ada@acme.test")
    tokens = await login(client, tenant, "ada@acme.test")
    admin = await _headers(client, tenant, "boss@acme.test")

    deactivated = await client.post(f"/api/admin/users/{ada.id}/deactivate", headers=admin)
    again = await client.post(f"/api/admin/users/{ada.id}/deactivate", headers=admin)
    me = await client.get("/api/auth/me", headers=auth_headers(tenant, tokens["access_token"]))
    refreshed = await client.post(
        "/api/auth/refresh",
        json={"refresh_token": tokens["refresh_token"]},
        headers=auth_headers(tenant),
    )
    relogin = await client.post(
        "/api/auth/login",
        json={"email": "ada@acme.test", "password": DEFAULT_PASSWORD},
        headers=auth_headers(tenant),
    )
    live = await db.count(
        AuthSession, AuthSession.user_id == ada.id, AuthSession.revoked_at.is_(None)
    )

    assert deactivated.status_code == 200, deactivated.text
    assert deactivated.json()["status"] == "inactive"
    assert again.status_code == 200
    assert me.status_code == 401
    assert refreshed.status_code == 401
    assert relogin.status_code == 401
    assert live == 0
    assert len(await _status_events(db)) == 1

    activated = await client.post(f"/api/admin/users/{ada.id}/activate", headers=admin)
    assert activated.json()["status"] == "active"
    old_token = await client.get(
        "/api/auth/me", headers=auth_headers(tenant, tokens["access_token"])
    )
    assert old_token.status_code == 401
    assert len(await _status_events(db)) == 2


async def test_deactivation_refuses_the_caller_itself_the_last_admin_and_a_stronger_user(
    client: httpx.AsyncClient, container: Container, tenant: TenantDetail, db: Db
) -> None:
    boss = await make_user(container, tenant, email="boss@acme.test", roles=("admin",))
    await container.roles.create_role(
        tenant.id,
        RoleCreate(
            slug="support",
            name="Support",
            permissions=[
                PermissionGrant(permission="users:read"),
                PermissionGrant(permission="users:update"),
            ],
        ),
        caller_id=None,
    )
    helper = await make_user(container, tenant, email="help@acme.test", roles=("support",))
    # A peer: support holds everything ada's roles carry (a customer carries grants support
    # lacks, so deactivating a customer takes more than `users:update`).
    ada = await make_user(container, tenant, email="ada@acme.test", roles=("support",))
    customer = await make_user(container, tenant, email="cu@acme.test")
    admin = await _headers(client, tenant, "boss@acme.test")
    support = await _headers(client, tenant, "help@acme.test")

    itself = await client.post(f"/api/admin/users/{boss.id}/deactivate", headers=admin)
    stronger = await client.post(f"/api/admin/users/{boss.id}/deactivate", headers=support)
    peer_ok = await client.post(f"/api/admin/users/{ada.id}/deactivate", headers=support)
    wider = await client.post(f"/api/admin/users/{customer.id}/deactivate", headers=support)
    second_admin = await make_user(container, tenant, email="two@acme.test", roles=("admin",))
    await client.post(f"/api/admin/users/{helper.id}/deactivate", headers=admin)
    last_admin_check = await client.post(
        f"/api/admin/users/{second_admin.id}/deactivate", headers=admin
    )
    statuses = {u.email: u.status for u in await db.all(User, User.tenant_id == tenant.id)}

    assert itself.status_code == 409
    assert itself.json()["code"] == "SELF_DEACTIVATION"
    assert stronger.status_code == 403
    assert stronger.json()["code"] == "GRANT_NOT_HELD"
    assert stronger.json()["errors"][0]["field"] == "path.user_id"
    assert peer_ok.status_code == 200
    assert wider.status_code == 403
    assert wider.json()["code"] == "GRANT_NOT_HELD"
    assert last_admin_check.status_code == 200
    assert statuses == {
        "boss@acme.test": "active",
        "help@acme.test": "inactive",
        "ada@acme.test": "inactive",
        "two@acme.test": "inactive",
        "cu@acme.test": "active",
    }


async def test_the_last_active_admin_cannot_be_deactivated_by_the_platform(
    container: Container, tenant: TenantDetail, db: Db
) -> None:
    boss = await make_user(container, tenant, email="boss@acme.test", roles=("admin",))

    with pytest.raises(LastAdmin):
        await container.auth.set_user_status(
            tenant.id, boss.id, UserStatus.INACTIVE, caller_id=None
        )

    assert (await db.one(User, User.id == boss.id)).status == "active"
    assert await _status_events(db) == []
