"""The permission checker's cache: one load per tenant, kept apart per tenant, dropped on change."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from sqlalchemy import event

from rustok.core.permissions import Action, Permission, Scope
from rustok.rbac.permissions import ROLES
from rustok.rbac.schemas import PermissionGrant, RoleCreate
from rustok.testing.events import drain

if TYPE_CHECKING:
    from rustok.bootstrap import Container
    from rustok.tenancy.schemas import TenantDetail

ROLES_LIST = Permission(ROLES, Action.LIST)


async def test_grants_are_loaded_once_per_tenant_until_they_change(
    container: Container, tenant: TenantDetail, other_tenant: TenantDetail
) -> None:
    checker = container.permissions
    # Same role name, different grants: a mix-up between the tenants shows in the answer.
    await container.roles.create_role(
        tenant.id,
        RoleCreate(
            slug="auditor",
            name="Auditor",
            permissions=[PermissionGrant(permission=str(ROLES_LIST))],
        ),
        caller_id=None,
    )
    loads: list[str] = []

    def record(*args: Any) -> None:
        # Only the checker reads grants; the loads run in tasks of their own (gather, the
        # single-flight), so they are told apart by their table, not by the task.
        if "FROM roles JOIN role_permissions" in args[2]:
            loads.append(args[2])

    await drain(container)  # the role's event drops the cache when it arrives: let it first
    checker.drop_local(tenant.id)
    checker.drop_local(other_tenant.id)
    event.listen(container.engine.sync_engine, "before_cursor_execute", record)
    try:
        # Cold for both tenants at once: concurrent loads of two tenants stay apart.
        cold = await asyncio.gather(
            checker.scope_for(tenant.id, ["auditor"], ROLES_LIST),
            checker.scope_for(other_tenant.id, ["auditor"], ROLES_LIST),
        )
        warm = [await checker.scope_for(tenant.id, ["auditor"], ROLES_LIST) for _ in range(3)]
        loads_while_warm = len(loads)
        await checker.invalidate(tenant.id)
        reloaded = await checker.scope_for(tenant.id, ["auditor"], ROLES_LIST)
    finally:
        event.remove(container.engine.sync_engine, "before_cursor_execute", record)

    assert cold == [Scope.ALL, Scope.NONE]
    assert warm == [Scope.ALL] * 3
    assert loads_while_warm == 2
    assert reloaded is Scope.ALL
    assert len(loads) == 3
