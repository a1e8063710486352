"""No way up: a tenant's users cannot reach platform authority, nor grant what they do not hold.

Each route an attacker used (or could use) to climb is probed as admin, manager and customer;
every refusal also checks that nothing was written.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import select

from rustok.rbac.models import Role, RolePermission, UserRole
from rustok.rbac.schemas import PermissionGrant, RoleCreate
from rustok.testing.factories import auth_headers, make_user, user_token

if TYPE_CHECKING:
    import httpx

    from rustok.bootstrap import Container
    from rustok.tenancy.schemas import TenantDetail


async def _grants(container: Container, tenant: TenantDetail) -> set[tuple[str, str, str, str]]:
    """Every (role, resource, action, scope) of the tenant, read behind the API's back."""
    async with container.platform_sessions() as session:
        rows = await session.execute(
            select(Role.slug, RolePermission.resource, RolePermission.action, RolePermission.scope)
            .join(RolePermission, RolePermission.role_id == Role.id)
            .where(Role.tenant_id == tenant.id)
        )
        return {(slug, resource, action, scope) for slug, resource, action, scope in rows}


async def _roles_of(container: Container, user_id: uuid.UUID | str) -> list[str]:
    async with container.platform_sessions() as session:
        rows = await session.scalars(
            select(Role.slug)
            .join(UserRole, UserRole.role_id == Role.id)
            .where(UserRole.user_id == uuid.UUID(str(user_id)))
            .order_by(Role.slug)
        )
        return list(rows.all())


async def _signed_in(
    client: httpx.AsyncClient, container: Container, tenant: TenantDetail, role: str
) -> tuple[dict[str, str], str]:
    email = f"{role}@{tenant.slug}.test"
    token = await user_token(client, container, tenant, email=email, roles=[role])
    me = await client.get("/api/auth/me", headers=auth_headers(tenant, token))
    return auth_headers(tenant, token), str(me.json()["id"])


async def _role_id(client: httpx.AsyncClient, headers: dict[str, str], slug: str) -> str:
    roles = (await client.get("/api/admin/roles", headers=headers)).json()
    return str(next(role["id"] for role in roles if role["slug"] == slug))


@pytest.mark.parametrize(
    ("role", "status", "code"),
    [
        ("admin", 404, "ROLE_NOT_FOUND"),
        ("manager", 403, "FORBIDDEN"),
        ("customer", 403, "FORBIDDEN"),
    ],
)
async def test_no_tenant_user_can_give_itself_super_admin(
    client: httpx.AsyncClient,
    container: Container,
    tenant: TenantDetail,
    role: str,
    status: int,
    code: str,
) -> None:
    headers, user_id = await _signed_in(client, container, tenant, role)

    response = await client.put(
        f"/api/admin/users/{user_id}/roles", json={"roles": ["super_admin"]}, headers=headers
    )
    tenants = await client.get("/api/admin/tenants", headers=headers)

    assert (response.status_code, response.json()["code"]) == (status, code)
    assert await _roles_of(container, user_id) == [role]
    assert tenants.status_code == 403


@pytest.mark.parametrize(("role", "status"), [("admin", 422), ("manager", 403), ("customer", 403)])
async def test_no_custom_role_can_carry_tenant_management(
    client: httpx.AsyncClient,
    container: Container,
    tenant: TenantDetail,
    role: str,
    status: int,
) -> None:
    headers, _ = await _signed_in(client, container, tenant, role)
    before = await _grants(container, tenant)

    response = await client.post(
        "/api/admin/roles",
        json={"slug": "root", "name": "Root", "permissions": [{"permission": "tenants:manage"}]},
        headers=headers,
    )

    assert response.status_code == status
    if status == 422:
        error = response.json()["errors"][0]
        assert error["field"] == "body.permissions.0.permission"
        assert "platform" in error["message"]
    assert await _grants(container, tenant) == before


@pytest.mark.parametrize("permissions", [["tenants:manage"], ["events:manage"], []])
async def test_builtin_roles_cannot_be_edited_through_the_api(
    client: httpx.AsyncClient,
    container: Container,
    tenant: TenantDetail,
    permissions: list[str],
) -> None:
    headers, _ = await _signed_in(client, container, tenant, "admin")
    admin_role = await _role_id(client, headers, "admin")
    before = await _grants(container, tenant)

    response = await client.patch(
        f"/api/admin/roles/{admin_role}",
        json={"permissions": [{"permission": p} for p in permissions]},
        headers=headers,
    )
    renamed = await client.patch(
        f"/api/admin/roles/{admin_role}", json={"name": "Boss"}, headers=headers
    )

    if "tenants:manage" in permissions:
        assert response.status_code == 422
    else:
        assert (response.status_code, response.json()["code"]) == (409, "SYSTEM_ROLE_PROTECTED")
    assert (renamed.status_code, renamed.json()["code"]) == (409, "SYSTEM_ROLE_PROTECTED")
    assert await _grants(container, tenant) == before


async def _delegate(
    client: httpx.AsyncClient,
    container: Container,
    tenant: TenantDetail,
    permissions: list[dict[str, str]],
) -> tuple[dict[str, str], str]:
    """A user whose only role is a custom one with `permissions`, made by the tenant's admin."""
    admin, _ = await _signed_in(client, container, tenant, "admin")
    created = await client.post(
        "/api/admin/roles",
        json={"slug": "delegate", "name": "Delegate", "permissions": permissions},
        headers=admin,
    )
    assert created.status_code == 201, created.text
    return await _signed_in(client, container, tenant, "delegate")


async def test_a_role_editor_cannot_write_a_permission_it_lacks_into_a_role(
    client: httpx.AsyncClient, container: Container, tenant: TenantDetail
) -> None:
    headers, _ = await _delegate(
        client, container, tenant, [{"permission": "roles:manage"}, {"permission": "users:update"}]
    )
    before = await _grants(container, tenant)

    wider = await client.post(
        "/api/admin/roles",
        json={"slug": "wide", "name": "Wide", "permissions": [{"permission": "events:manage"}]},
        headers=headers,
    )
    own_role = await _role_id(client, headers, "delegate")
    widen_own = await client.patch(
        f"/api/admin/roles/{own_role}",
        json={"permissions": [{"permission": "roles:manage"}, {"permission": "users:manage"}]},
        headers=headers,
    )
    narrower = await client.post(
        "/api/admin/roles",
        json={"slug": "narrow", "name": "Narrow", "permissions": [{"permission": "roles:list"}]},
        headers=headers,
    )

    assert (wider.status_code, wider.json()["code"]) == (403, "GRANT_NOT_HELD")
    assert wider.json()["errors"] == [
        {"field": "body.permissions", "message": "not held by you: events:manage (all)"}
    ]
    assert (widen_own.status_code, widen_own.json()["code"]) == (403, "GRANT_NOT_HELD")
    assert narrower.status_code == 201
    after = await _grants(container, tenant)
    assert after - before == {("narrow", "roles", "list", "all")}


async def test_a_scope_reaches_no_further_when_handed_on(
    client: httpx.AsyncClient, container: Container, tenant: TenantDetail
) -> None:
    headers, _ = await _delegate(
        client,
        container,
        tenant,
        [{"permission": "roles:create"}, {"permission": "events:read", "scope": "own"}],
    )

    all_orders = await client.post(
        "/api/admin/roles",
        json={"slug": "all-orders", "name": "A", "permissions": [{"permission": "events:read"}]},
        headers=headers,
    )
    own_orders = await client.post(
        "/api/admin/roles",
        json={
            "slug": "own-orders",
            "name": "O",
            "permissions": [{"permission": "events:read", "scope": "own"}],
        },
        headers=headers,
    )

    assert (all_orders.status_code, all_orders.json()["code"]) == (403, "GRANT_NOT_HELD")
    assert own_orders.status_code == 201


async def test_a_user_manager_cannot_grant_or_strip_roles_stronger_than_its_own(
    client: httpx.AsyncClient, container: Container, tenant: TenantDetail
) -> None:
    headers, delegate_id = await _delegate(
        client, container, tenant, [{"permission": "users:update"}, {"permission": "roles:list"}]
    )
    await container.roles.create_role(
        tenant.id,
        RoleCreate(
            slug="editor", name="Editor", permissions=[PermissionGrant(permission="events:read")]
        ),
        caller_id=None,
    )
    editor = await make_user(container, tenant, email="e@acme.test", roles=["editor"])
    customer = await make_user(container, tenant, email="c@acme.test")

    promote_self = await client.put(
        f"/api/admin/users/{delegate_id}/roles",
        json={"roles": ["delegate", "admin"]},
        headers=headers,
    )
    strip_editor = await client.put(
        f"/api/admin/users/{editor.id}/roles", json={"roles": ["customer"]}, headers=headers
    )
    promote_customer = await client.put(
        f"/api/admin/users/{customer.id}/roles", json={"roles": ["editor"]}, headers=headers
    )

    for response in (promote_self, strip_editor, promote_customer):
        assert (response.status_code, response.json()["code"]) == (403, "GRANT_NOT_HELD")
        assert response.json()["errors"][0]["field"] == "body.roles"
    assert await _roles_of(container, delegate_id) == ["delegate"]
    assert await _roles_of(container, editor.id) == ["editor"]
    assert await _roles_of(container, customer.id) == ["customer"]


async def test_the_last_admin_keeps_the_admin_role(
    client: httpx.AsyncClient, container: Container, tenant: TenantDetail
) -> None:
    first, first_id = await _signed_in(client, container, tenant, "admin")
    second = await make_user(container, tenant, email="second@acme.test", roles=["admin"])

    demote_other = await client.put(
        f"/api/admin/users/{second.id}/roles", json={"roles": ["customer"]}, headers=first
    )
    demote_self = await client.put(
        f"/api/admin/users/{first_id}/roles", json={"roles": ["manager"]}, headers=first
    )

    assert demote_other.status_code == 200
    assert (demote_self.status_code, demote_self.json()["code"]) == (409, "LAST_ADMIN")
    assert await _roles_of(container, first_id) == ["admin"]
