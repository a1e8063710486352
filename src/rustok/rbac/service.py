"""RBAC use cases: built-in roles per tenant, custom roles, and who holds which role."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from sqlalchemy.exc import IntegrityError

from rustok.core.errors import FieldError
from rustok.rbac.errors import RoleNotFound, RoleSlugTaken, SystemRoleProtected, UserNotFound
from rustok.rbac.events import RoleChanged
from rustok.rbac.models import Role
from rustok.rbac.permissions import Permission, Scope
from rustok.rbac.policy import BUILTIN_ROLES, SUPER_ADMIN
from rustok.rbac.repository import RoleRepository
from rustok.rbac.schemas import PermissionGrant, RoleRead, UserRolesRead

if TYPE_CHECKING:
    import uuid
    from collections.abc import Sequence

    from sqlalchemy.ext.asyncio import AsyncSession

    from rustok.core.uow import UnitOfWork, UnitOfWorkFactory
    from rustok.rbac.checker import PermissionChecker
    from rustok.rbac.models import RolePermission
    from rustok.rbac.schemas import RoleCreate, RoleUpdate


def _read(role: Role, grants: Sequence[RolePermission]) -> RoleRead:
    return RoleRead(
        id=role.id,
        slug=role.slug,
        name=role.name,
        description=role.description,
        is_system=role.is_system,
        permissions=[
            PermissionGrant(permission=f"{grant.resource}:{grant.action}", scope=Scope(grant.scope))
            for grant in grants
            if grant.role_id == role.id
        ],
        created_at=role.created_at,
        updated_at=role.updated_at,
    )


def _rows(grants: Sequence[PermissionGrant]) -> list[tuple[str, str, str]]:
    unique: dict[tuple[str, str], str] = {}
    for grant in grants:
        permission = Permission.parse(grant.permission)
        unique[(permission.resource.value, permission.action.value)] = grant.scope.value
    return [(resource, action, scope) for (resource, action), scope in unique.items()]


class RoleService:
    def __init__(self, uow: UnitOfWorkFactory, checker: PermissionChecker) -> None:
        self._uow = uow
        self._checker = checker

    def _invalidate_after_commit(self, uow: UnitOfWork, tenant_id: uuid.UUID) -> None:
        uow.on_commit(lambda: self._checker.invalidate(tenant_id))

    def _changed(
        self,
        uow: UnitOfWork,
        tenant_id: uuid.UUID,
        role: Role,
        change: Literal["created", "updated", "deleted"],
    ) -> None:
        uow.emit(
            RoleChanged(tenant_id=tenant_id, role_id=role.id, role_slug=role.slug, change=change),
            tenant_id=tenant_id,
        )
        self._invalidate_after_commit(uow, tenant_id)

    async def install_builtin_roles(self, uow: UnitOfWork, tenant_id: uuid.UUID) -> None:
        """Create (or bring up to date) the built-in roles of a tenant, inside `uow`."""
        repo = RoleRepository(uow.session, tenant_id)
        existing = {role.slug: role for role in await repo.roles()}
        for definition in BUILTIN_ROLES:
            role = existing.get(definition.slug)
            if role is None:
                role = Role(
                    tenant_id=tenant_id,
                    slug=definition.slug,
                    name=definition.name,
                    description=definition.description,
                    is_system=True,
                )
                await repo.add_role(role)
            rows = [(g.resource.value, g.action.value, g.scope.value) for g in definition.grants]
            await repo.replace_permissions(role.id, rows)
        uow.emit(
            RoleChanged(tenant_id=tenant_id, role_id=None, role_slug=None, change="installed"),
            tenant_id=tenant_id,
        )
        self._invalidate_after_commit(uow, tenant_id)

    async def assign_roles(
        self, uow: UnitOfWork, tenant_id: uuid.UUID, user_id: uuid.UUID, slugs: Sequence[str]
    ) -> tuple[str, ...]:
        """Make `slugs` the user's roles, inside `uow`; unknown slugs raise RoleNotFound."""
        repo = RoleRepository(uow.session, tenant_id)
        wanted = sorted(set(slugs))
        roles = await repo.roles_by_slug(wanted)
        missing = sorted(set(wanted) - {role.slug for role in roles})
        if missing:
            raise RoleNotFound(
                f"No role {', '.join(missing)} in this tenant.",
                fields=[FieldError("roles", f"unknown role {slug!r}") for slug in missing],
            )
        await repo.set_user_roles(user_id, roles)
        return tuple(wanted)

    async def role_slugs_of(
        self, session: AsyncSession, tenant_id: uuid.UUID, user_id: uuid.UUID
    ) -> tuple[str, ...]:
        return await RoleRepository(session, tenant_id).user_role_slugs(user_id)

    async def list_roles(self, tenant_id: uuid.UUID) -> list[RoleRead]:
        """Every role of the tenant with its permissions."""
        async with self._uow() as uow:
            repo = RoleRepository(uow.session, tenant_id)
            roles = await repo.roles()
            grants = await repo.permissions([role.id for role in roles])
            return [_read(role, grants) for role in roles]

    async def get_role(self, tenant_id: uuid.UUID, role_id: uuid.UUID) -> RoleRead:
        async with self._uow() as uow:
            repo = RoleRepository(uow.session, tenant_id)
            role = await self._access_role(repo, role_id)
            return _read(role, await repo.permissions([role.id]))

    async def create_role(self, tenant_id: uuid.UUID, data: RoleCreate) -> RoleRead:
        """Create a custom role; its permissions take effect at once for its holders."""
        async with self._uow() as uow:
            repo = RoleRepository(uow.session, tenant_id)
            role = Role(
                tenant_id=tenant_id,
                slug=data.slug,
                name=data.name,
                description=data.description,
                is_system=False,
            )
            try:
                async with uow.session.begin_nested():
                    await repo.add_role(role)
            except IntegrityError:
                raise RoleSlugTaken(
                    f"A role {data.slug!r} already exists.",
                    fields=[FieldError("body.slug", "already taken")],
                ) from None
            await repo.replace_permissions(role.id, _rows(data.permissions))
            result = _read(role, await repo.permissions([role.id]))
            self._changed(uow, tenant_id, role, "created")
            await uow.commit()
            return result

    async def update_role(
        self, tenant_id: uuid.UUID, role_id: uuid.UUID, data: RoleUpdate
    ) -> RoleRead:
        """Rename a role or replace its permissions (the super_admin role cannot be narrowed)."""
        async with self._uow() as uow:
            repo = RoleRepository(uow.session, tenant_id)
            role = await self._access_role(repo, role_id)
            if data.permissions is not None and role.slug == SUPER_ADMIN.slug:
                raise SystemRoleProtected("The super_admin role's permissions are fixed.")
            if data.name is not None:
                role.name = data.name
            if data.description is not None:
                role.description = data.description
            if data.permissions is not None:
                await repo.replace_permissions(role.id, _rows(data.permissions))
            await uow.session.flush()
            result = _read(role, await repo.permissions([role.id]))
            self._changed(uow, tenant_id, role, "updated")
            await uow.commit()
            return result

    async def delete_role(self, tenant_id: uuid.UUID, role_id: uuid.UUID) -> None:
        """Delete a custom role; built-in roles stay."""
        async with self._uow() as uow:
            repo = RoleRepository(uow.session, tenant_id)
            role = await self._access_role(repo, role_id)
            if role.is_system:
                raise SystemRoleProtected(f"The built-in role {role.slug!r} cannot be deleted.")
            self._changed(uow, tenant_id, role, "deleted")
            await repo.delete_role(role)
            await uow.commit()

    async def set_user_roles(
        self, tenant_id: uuid.UUID, user_id: uuid.UUID, slugs: Sequence[str]
    ) -> UserRolesRead:
        """Replace the roles of a user of this tenant."""
        async with self._uow() as uow:
            repo = RoleRepository(uow.session, tenant_id)
            if not await repo.user_exists(user_id):
                raise UserNotFound("No such user in this tenant.")
            roles = await self.assign_roles(uow, tenant_id, user_id, slugs)
            uow.emit(
                RoleChanged(
                    tenant_id=tenant_id,
                    role_id=None,
                    role_slug=None,
                    change="assigned",
                    user_id=user_id,
                ),
                tenant_id=tenant_id,
            )
            await uow.commit()
            return UserRolesRead(user_id=user_id, roles=list(roles))

    @staticmethod
    async def _access_role(repo: RoleRepository, role_id: uuid.UUID) -> Role:
        role = await repo.role(role_id)
        if role is None:
            raise RoleNotFound("No such role in this tenant.")
        return role
