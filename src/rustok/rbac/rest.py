"""Admin REST for roles and user role assignments (`/api/admin/roles`, `/api/admin/users/...`)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Response

from rustok.core.permissions import Action, all_permissions
from rustok.rbac.permissions import ROLES, USERS
from rustok.rbac.schemas import RoleCreate, RoleRead, RoleUpdate, UserRolesRead, UserRolesUpdate
from rustok.web.access import Access, ContainerDep, TenantDep, require

router = APIRouter(prefix="/admin")


@router.get("/permissions", response_model=list[str], summary="Every permission there is")
async def list_permissions(
    _: Annotated[Access, require(ROLES, Action.READ)],
) -> list[str]:
    return all_permissions()


@router.get("/roles", response_model=list[RoleRead], summary="Roles of this tenant")
async def list_roles(
    container: ContainerDep,
    tenant: TenantDep,
    _: Annotated[Access, require(ROLES, Action.LIST)],
) -> list[RoleRead]:
    return await container.roles.list_roles(tenant.id)


@router.post("/roles", response_model=RoleRead, status_code=201, summary="Create a custom role")
async def create_role(
    data: RoleCreate,
    container: ContainerDep,
    tenant: TenantDep,
    access: Annotated[Access, require(ROLES, Action.CREATE)],
) -> RoleRead:
    return await container.roles.create_role(tenant.id, data, caller_id=access.principal.user_id)


@router.get("/roles/{role_id}", response_model=RoleRead, summary="One role")
async def get_role(
    role_id: uuid.UUID,
    container: ContainerDep,
    tenant: TenantDep,
    _: Annotated[Access, require(ROLES, Action.READ)],
) -> RoleRead:
    return await container.roles.get_role(tenant.id, role_id)


@router.patch(
    "/roles/{role_id}",
    response_model=RoleRead,
    summary="Rename a custom role or set its permissions",
)
async def update_role(
    role_id: uuid.UUID,
    data: RoleUpdate,
    container: ContainerDep,
    tenant: TenantDep,
    access: Annotated[Access, require(ROLES, Action.UPDATE)],
) -> RoleRead:
    return await container.roles.update_role(
        tenant.id, role_id, data, caller_id=access.principal.user_id
    )


@router.delete("/roles/{role_id}", status_code=204, summary="Delete a custom role")
async def delete_role(
    role_id: uuid.UUID,
    container: ContainerDep,
    tenant: TenantDep,
    access: Annotated[Access, require(ROLES, Action.DELETE)],
) -> Response:
    await container.roles.delete_role(tenant.id, role_id, caller_id=access.principal.user_id)
    return Response(status_code=204)


@router.put("/users/{user_id}/roles", response_model=UserRolesRead, summary="Set a user's roles")
async def set_user_roles(
    user_id: uuid.UUID,
    data: UserRolesUpdate,
    container: ContainerDep,
    tenant: TenantDep,
    access: Annotated[Access, require(USERS, Action.UPDATE)],
) -> UserRolesRead:
    return await container.roles.set_user_roles(
        tenant.id, user_id, data.roles, caller_id=access.principal.user_id
    )
