"""Built-in roles follow the code: what a new version grants them reaches existing tenants."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import delete, select

from rustok.bootstrap import default_modules
from rustok.rbac.models import Role, RolePermission
from rustok.rbac.policy import ADMIN, builtin_roles
from rustok.testing.events import outbox_rows

if TYPE_CHECKING:
    from rustok.bootstrap import Container
    from rustok.tenancy.schemas import TenantDetail


async def _admin_grants(container: Container, tenant: TenantDetail) -> set[tuple[str, str]]:
    async with container.platform_sessions() as session:
        rows = await session.execute(
            select(RolePermission.resource, RolePermission.action)
            .join(Role, Role.id == RolePermission.role_id)
            .where(Role.tenant_id == tenant.id, Role.slug == ADMIN)
        )
        return {(resource, action) for resource, action in rows}


async def _installs(container: Container) -> int:
    rows = await outbox_rows(container)
    return sum(
        1
        for row in rows
        if row.event_type == "rbac.role.changed" and row.payload["change"] == "installed"
    )


async def test_a_tenant_whose_builtin_roles_lag_behind_the_code_is_brought_up_to_date(
    container: Container, tenant: TenantDetail, other_tenant: TenantDetail
) -> None:
    expected = {
        (str(g.resource), g.action.value) for g in builtin_roles(default_modules())[0].grants
    }
    async with container.platform_sessions() as session, session.begin():
        # As if this tenant was created by a version whose admin role lacked two grants.
        admin = await session.scalar(
            select(Role.id).where(Role.tenant_id == tenant.id, Role.slug == ADMIN)
        )
        await session.execute(
            delete(RolePermission).where(
                RolePermission.role_id == admin,
                RolePermission.resource.in_(["users", "events"]),
            )
        )
    installs_before = await _installs(container)
    seen: list[tuple[int, int]] = []

    changed = await container.roles.sync_builtin_roles(
        progress=lambda done, total: seen.append((done, total))
    )
    again = await container.roles.sync_builtin_roles()

    assert changed == 1
    assert again == 0
    assert await _admin_grants(container, tenant) == expected
    assert await _admin_grants(container, other_tenant) == expected
    assert await _installs(container) == installs_before + 1
    assert seen == [(0, 2), (1, 2), (2, 2)]
