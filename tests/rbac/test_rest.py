"""Roles live in the database and are enforced from it; changes take effect at once."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from sqlalchemy import func, select

from rustok.core.permissions import Action, Permission, Scope
from rustok.events.permissions import EVENTS
from rustok.rbac.models import Role
from rustok.testing.factories import auth_headers, make_user, user_token

if TYPE_CHECKING:
    import httpx

    from rustok.bootstrap import Container
    from rustok.tenancy.schemas import TenantDetail


async def _role_count(container: Container, tenant: TenantDetail) -> int:
    async with container.platform_sessions() as session:
        query = select(func.count()).select_from(Role).where(Role.tenant_id == tenant.id)
        return await session.scalar(query) or 0


async def test_every_tenant_gets_the_builtin_roles(
    client: httpx.AsyncClient, container: Container, tenant: TenantDetail
) -> None:
    token = await user_token(client, container, tenant, email="a@acme.test", roles=["admin"])

    response = await client.get("/api/admin/roles", headers=auth_headers(tenant, token))

    roles = {role["slug"]: role for role in response.json()}
    assert set(roles) == {"admin", "manager", "customer"}
    assert all(role["is_system"] for role in roles.values())
    admin = {g["permission"] for g in roles["admin"]["permissions"]}
    # Manage over every resource of the modules this deployment runs, and no platform power.
    every = {f"{resource}:manage" for module in container.registry for resource in module.resources}
    assert {"events:manage", "modules:manage", "roles:manage", "users:manage"} <= every
    assert admin == every


async def test_a_custom_role_grants_exactly_its_permissions_and_changes_apply_at_once(
    client: httpx.AsyncClient, container: Container, tenant: TenantDetail
) -> None:
    admin = auth_headers(
        tenant, await user_token(client, container, tenant, email="a@acme.test", roles=["admin"])
    )
    created = await client.post(
        "/api/admin/roles",
        json={"slug": "auditor", "name": "Auditor", "permissions": [{"permission": "roles:list"}]},
        headers=admin,
    )
    auditor = auth_headers(
        tenant, await user_token(client, container, tenant, email="x@acme.test", roles=["auditor"])
    )

    allowed = await client.get("/api/admin/roles", headers=auditor)
    not_granted = await client.post(
        "/api/admin/roles", json={"slug": "x", "name": "X"}, headers=auditor
    )
    await client.patch(
        f"/api/admin/roles/{created.json()['id']}", json={"permissions": []}, headers=admin
    )
    revoked = await client.get("/api/admin/roles", headers=auditor)

    assert created.status_code == 201
    assert allowed.status_code == 200
    assert not_granted.status_code == 403
    assert revoked.status_code == 403
    assert revoked.json()["code"] == "FORBIDDEN"


async def test_manage_implies_every_action(
    client: httpx.AsyncClient, container: Container, tenant: TenantDetail
) -> None:
    admin = auth_headers(
        tenant, await user_token(client, container, tenant, email="a@acme.test", roles=["admin"])
    )
    await client.post(
        "/api/admin/roles",
        json={
            "slug": "role-keeper",
            "name": "Keeper",
            "permissions": [{"permission": "roles:manage"}],
        },
        headers=admin,
    )
    keeper = auth_headers(
        tenant,
        await user_token(client, container, tenant, email="k@acme.test", roles=["role-keeper"]),
    )

    created = await client.post(
        "/api/admin/roles", json={"slug": "temp", "name": "Temp"}, headers=keeper
    )
    deleted = await client.delete(f"/api/admin/roles/{created.json()['id']}", headers=keeper)

    assert created.status_code == 201
    assert deleted.status_code == 204


async def test_a_user_may_do_what_any_of_its_roles_grants_at_the_widest_scope(
    client: httpx.AsyncClient, container: Container, tenant: TenantDetail
) -> None:
    admin = auth_headers(
        tenant, await user_token(client, container, tenant, email="a@acme.test", roles=["admin"])
    )
    # Each role grants what the other does not, so dropping either one's grants shows.
    for slug, grants in (
        ("lister", [{"permission": "roles:list"}, {"permission": "events:read", "scope": "own"}]),
        ("reader", [{"permission": "roles:read"}, {"permission": "events:read", "scope": "all"}]),
    ):
        created = await client.post(
            "/api/admin/roles",
            json={"slug": slug, "name": slug.title(), "permissions": grants},
            headers=admin,
        )
        assert created.status_code == 201, created.text
    both = auth_headers(
        tenant,
        await user_token(
            client, container, tenant, email="b@acme.test", roles=["lister", "reader"]
        ),
    )

    listed = await client.get("/api/admin/roles", headers=both)
    read = await client.get("/api/admin/permissions", headers=both)
    scopes = [
        await container.permissions.scope_for(tenant.id, roles, Permission(EVENTS, Action.READ))
        # A role without grants here (unknown, or emptied) must not hide the ones after it.
        for roles in (["lister", "reader"], ["reader", "lister"], ["ghost", "reader"])
    ]

    assert listed.status_code == 200
    assert read.status_code == 200
    assert scopes == [Scope.ALL, Scope.ALL, Scope.ALL]


async def test_assigning_roles_changes_what_a_user_may_do(
    client: httpx.AsyncClient, container: Container, tenant: TenantDetail
) -> None:
    admin = auth_headers(
        tenant, await user_token(client, container, tenant, email="a@acme.test", roles=["admin"])
    )
    user = await make_user(container, tenant, email="m@acme.test")
    from rustok.testing.factories import login

    member = auth_headers(tenant, (await login(client, tenant, "m@acme.test"))["access_token"])

    before = await client.get("/api/admin/roles", headers=member)
    assigned = await client.put(
        f"/api/admin/users/{user.id}/roles", json={"roles": ["admin"]}, headers=admin
    )
    after = await client.get("/api/admin/roles", headers=member)

    assert before.status_code == 403
    assert assigned.json() == {"user_id": str(user.id), "roles": ["admin"]}
    assert after.status_code == 200


async def test_unknown_roles_and_bad_permissions_are_rejected_without_writes(
    client: httpx.AsyncClient, container: Container, tenant: TenantDetail
) -> None:
    admin = auth_headers(
        tenant, await user_token(client, container, tenant, email="a@acme.test", roles=["admin"])
    )
    user = await make_user(container, tenant, email="m@acme.test")
    roles_before = await _role_count(container, tenant)

    unknown_role = await client.put(
        f"/api/admin/users/{user.id}/roles", json={"roles": ["wizard"]}, headers=admin
    )
    bad_permission = await client.post(
        "/api/admin/roles",
        json={"slug": "bad", "name": "Bad", "permissions": [{"permission": "products:fly"}]},
        headers=admin,
    )
    taken = await client.post(
        "/api/admin/roles", json={"slug": "admin", "name": "Again"}, headers=admin
    )

    assert unknown_role.status_code == 404
    assert unknown_role.json()["code"] == "ROLE_NOT_FOUND"
    assert bad_permission.status_code == 422
    assert bad_permission.json()["errors"][0]["field"] == "body.permissions.0.permission"
    assert taken.status_code == 409
    assert taken.json()["code"] == "ROLE_SLUG_TAKEN"
    assert await _role_count(container, tenant) == roles_before


async def test_builtin_roles_cannot_be_deleted(
    client: httpx.AsyncClient, container: Container, tenant: TenantDetail
) -> None:
    admin = auth_headers(
        tenant, await user_token(client, container, tenant, email="a@acme.test", roles=["admin"])
    )
    roles = (await client.get("/api/admin/roles", headers=admin)).json()
    customer_id = next(role["id"] for role in roles if role["slug"] == "customer")

    response = await client.delete(f"/api/admin/roles/{customer_id}", headers=admin)

    assert response.status_code == 409
    assert response.json()["code"] == "SYSTEM_ROLE_PROTECTED"


async def test_roles_and_users_of_another_tenant_are_out_of_reach(
    client: httpx.AsyncClient,
    container: Container,
    tenant: TenantDetail,
    other_tenant: TenantDetail,
) -> None:
    admin = auth_headers(
        tenant, await user_token(client, container, tenant, email="a@acme.test", roles=["admin"])
    )
    other_admin = auth_headers(
        other_tenant,
        await user_token(client, container, other_tenant, email="a@globex.test", roles=["admin"]),
    )
    foreign_user = await make_user(container, other_tenant, email="victim@globex.test")
    foreign_roles = (await client.get("/api/admin/roles", headers=other_admin)).json()
    foreign_role_id = foreign_roles[0]["id"]

    read = await client.get(f"/api/admin/roles/{foreign_role_id}", headers=admin)
    delete = await client.delete(f"/api/admin/roles/{foreign_role_id}", headers=admin)
    escalate = await client.put(
        f"/api/admin/users/{foreign_user.id}/roles", json={"roles": ["admin"]}, headers=admin
    )

    assert read.status_code == 404
    assert delete.status_code == 404
    assert escalate.status_code == 404
    assert escalate.json()["code"] == "USER_NOT_FOUND"


@pytest.mark.parametrize("role", ["manager", "customer"])
async def test_non_admins_cannot_touch_roles(
    client: httpx.AsyncClient, container: Container, tenant: TenantDetail, role: str
) -> None:
    token = await user_token(client, container, tenant, email=f"{role}@acme.test", roles=[role])

    response = await client.post(
        "/api/admin/roles",
        json={"slug": "mine", "name": "Mine"},
        headers=auth_headers(tenant, token),
    )

    assert response.status_code == 403
