"""RBAC use cases: built-in roles per tenant, custom roles, and who holds which role."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from sqlalchemy.exc import IntegrityError

from rustok.core.errors import FieldError
from rustok.core.permissions import Permission, Scope
from rustok.rbac.delegation import Grants, by_role, not_held, union
from rustok.rbac.errors import (
    GrantNotHeld,
    LastAdmin,
    RoleNotFound,
    RoleSlugTaken,
    SystemRoleProtected,
    UserNotFound,
)
from rustok.rbac.events import RoleChanged
from rustok.rbac.models import Role
from rustok.rbac.policy import ADMIN
from rustok.rbac.repository import RoleRepository
from rustok.rbac.schemas import PermissionGrant, RoleRead, UserRolesRead

if TYPE_CHECKING:
    import uuid
    from collections.abc import Callable, Sequence

    from sqlalchemy.ext.asyncio import AsyncSession

    from rustok.core.uow import UnitOfWork, UnitOfWorkFactory
    from rustok.rbac.checker import PermissionChecker
    from rustok.rbac.models import RolePermission
    from rustok.rbac.policy import RoleDefinition
    from rustok.rbac.schemas import RoleCreate, RoleUpdate
    from rustok.stores.sessions import SessionGenerations


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


def _grants_of(grants: Sequence[PermissionGrant]) -> Grants:
    unique: Grants = {}
    for grant in grants:
        permission = Permission.parse(grant.permission)
        unique[(permission.resource, permission.action.value)] = grant.scope
    return unique


def _rows(grants: Grants) -> list[tuple[str, str, str]]:
    return [(resource, action, scope.value) for (resource, action), scope in grants.items()]


class _TenantGrants:
    """Every role's grants in one tenant, read inside the unit of work that changes them."""

    def __init__(self, rows: Sequence[tuple[str, str, str, str]]) -> None:
        self._by_role = by_role(rows)

    def of(self, slugs: Sequence[str]) -> Grants:
        return union(self._by_role.get(slug, {}) for slug in slugs)


def _require_held(held: Grants | None, wanted: Grants, *, field: str, what: str) -> None:
    if held is None:
        return
    missing = not_held(held, wanted)
    if missing:
        raise GrantNotHeld(
            f"You can only hand on what you hold yourself; {what} carries "
            f"{', '.join(missing)}, which you do not hold.",
            fields=[FieldError(field, f"not held by you: {grant}") for grant in missing],
        )


class RoleService:
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        checker: PermissionChecker,
        builtin_roles: tuple[RoleDefinition, ...],
        generations: SessionGenerations,
    ) -> None:
        self._uow = uow
        self._checker = checker
        self._builtin_roles = builtin_roles
        self._generations = generations

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

    async def install_builtin_roles(self, uow: UnitOfWork, tenant_id: uuid.UUID) -> bool:
        """Create, or bring up to what this version defines, the built-in roles of a tenant,
        inside `uow`; True when something changed (then an event says so)."""
        repo = RoleRepository(uow.session, tenant_id)
        existing = {role.slug: role for role in await repo.roles()}
        current = _TenantGrants(await repo.all_grants())
        changed = False
        for definition in self._builtin_roles:
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
            wanted: Grants = {(g.resource, g.action.value): g.scope for g in definition.grants}
            if role.slug not in existing or current.of([role.slug]) != wanted:
                await repo.replace_permissions(role.id, _rows(wanted))
                changed = True
        if changed:
            uow.emit(
                RoleChanged(tenant_id=tenant_id, role_id=None, role_slug=None, change="installed"),
                tenant_id=tenant_id,
            )
            self._invalidate_after_commit(uow, tenant_id)
        return changed

    async def sync_builtin_roles(
        self, *, progress: Callable[[int, int], None] | None = None
    ) -> int:
        """Bring every tenant's built-in roles to what this version defines (a module that
        grants its permissions to them reaches tenants that exist already); returns how many
        tenants changed. `progress(done, total)` is called before and after each tenant."""
        async with self._uow.platform(read_only=True) as uow:
            tenant_ids = await RoleRepository.tenants_with_roles(uow.session)
        changed = 0
        for done, tenant_id in enumerate(tenant_ids):
            if progress is not None:
                progress(done, len(tenant_ids))
            async with self._uow(tenant_id) as uow:
                if await self.install_builtin_roles(uow, tenant_id):
                    await uow.commit()
                    changed += 1
        if progress is not None:
            progress(len(tenant_ids), len(tenant_ids))
        return changed

    async def assign_roles(
        self, uow: UnitOfWork, tenant_id: uuid.UUID, user_id: uuid.UUID, slugs: Sequence[str]
    ) -> tuple[str, ...]:
        """Make `slugs` the user's roles, inside `uow`; unknown slugs raise RoleNotFound."""
        repo = RoleRepository(uow.session, tenant_id)
        roles = await self._known_roles(repo, slugs)
        await repo.set_user_roles(user_id, roles)
        return tuple(sorted(role.slug for role in roles))

    @staticmethod
    async def _known_roles(repo: RoleRepository, slugs: Sequence[str]) -> Sequence[Role]:
        wanted = sorted(set(slugs))
        roles = await repo.roles_by_slug(wanted)
        missing = sorted(set(wanted) - {role.slug for role in roles})
        if missing:
            raise RoleNotFound(
                f"No role {', '.join(missing)} in this tenant.",
                fields=[FieldError("roles", f"unknown role {slug!r}") for slug in missing],
            )
        return roles

    async def role_slugs_of(
        self, session: AsyncSession, tenant_id: uuid.UUID, user_id: uuid.UUID
    ) -> tuple[str, ...]:
        return await RoleRepository(session, tenant_id).user_role_slugs(user_id)

    async def role_slugs_by_user(
        self, session: AsyncSession, tenant_id: uuid.UUID, user_ids: Sequence[uuid.UUID]
    ) -> dict[uuid.UUID, tuple[str, ...]]:
        return await RoleRepository(session, tenant_id).role_slugs_by_user(user_ids)

    async def list_roles(self, tenant_id: uuid.UUID) -> list[RoleRead]:
        """Every role of the tenant with its permissions."""
        async with self._uow(tenant_id, read_only=True) as uow:
            repo = RoleRepository(uow.session, tenant_id)
            roles = await repo.roles()
            grants = await repo.permissions([role.id for role in roles])
            return [_read(role, grants) for role in roles]

    async def get_role(self, tenant_id: uuid.UUID, role_id: uuid.UUID) -> RoleRead:
        async with self._uow(tenant_id, read_only=True) as uow:
            repo = RoleRepository(uow.session, tenant_id)
            role = await self._access_role(repo, role_id)
            return _read(role, await repo.permissions([role.id]))

    @staticmethod
    async def _held_by(
        repo: RoleRepository, tenant_grants: _TenantGrants, caller_id: uuid.UUID | None
    ) -> Grants | None:
        """What the caller holds, read in the same transaction as the change it asks for;
        None for the platform itself (CLI, seeds), which hands on without limit."""
        if caller_id is None:
            return None
        return tenant_grants.of(await repo.user_role_slugs(caller_id))

    async def create_role(
        self, tenant_id: uuid.UUID, data: RoleCreate, *, caller_id: uuid.UUID | None
    ) -> RoleRead:
        """Create a custom role; its permissions take effect at once for its holders.

        The caller must hold every permission it writes into the role, as far as it reaches.
        """
        grants = _grants_of(data.permissions)
        async with self._uow(tenant_id) as uow:
            repo = RoleRepository(uow.session, tenant_id)
            held = await self._held_by(repo, _TenantGrants(await repo.all_grants()), caller_id)
            _require_held(held, grants, field="body.permissions", what="this role")
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
            await repo.replace_permissions(role.id, _rows(grants))
            result = _read(role, await repo.permissions([role.id]))
            self._changed(uow, tenant_id, role, "created")
            await uow.commit()
            return result

    async def update_role(
        self,
        tenant_id: uuid.UUID,
        role_id: uuid.UUID,
        data: RoleUpdate,
        *,
        caller_id: uuid.UUID | None,
    ) -> RoleRead:
        """Rename a custom role or replace its permissions.

        Built-in roles are fixed (a tenant's admin must not widen `admin` or narrow it away from
        itself); the caller must hold what the role carries now and what it is to carry.
        """
        async with self._uow(tenant_id) as uow:
            repo = RoleRepository(uow.session, tenant_id)
            role = await self._access_custom_role(repo, role_id, "changed")
            tenant_grants = _TenantGrants(await repo.all_grants())
            held = await self._held_by(repo, tenant_grants, caller_id)
            current = tenant_grants.of([role.slug])
            _require_held(held, current, field="role_id", what=f"the role {role.slug!r}")
            if data.permissions is not None:
                grants = _grants_of(data.permissions)
                _require_held(held, grants, field="body.permissions", what="the new permissions")
                await repo.replace_permissions(role.id, _rows(grants))
            if data.name is not None:
                role.name = data.name
            if data.description is not None:
                role.description = data.description
            await uow.session.flush()
            result = _read(role, await repo.permissions([role.id]))
            self._changed(uow, tenant_id, role, "updated")
            await uow.commit()
            return result

    async def delete_role(
        self, tenant_id: uuid.UUID, role_id: uuid.UUID, *, caller_id: uuid.UUID | None
    ) -> None:
        """Delete a custom role the caller could have made; built-in roles stay."""
        async with self._uow(tenant_id) as uow:
            repo = RoleRepository(uow.session, tenant_id)
            role = await self._access_custom_role(repo, role_id, "deleted")
            tenant_grants = _TenantGrants(await repo.all_grants())
            held = await self._held_by(repo, tenant_grants, caller_id)
            current = tenant_grants.of([role.slug])
            _require_held(held, current, field="role_id", what=f"the role {role.slug!r}")
            self._changed(uow, tenant_id, role, "deleted")
            # Its holders' sessions were cached with its slug among their roles.
            await self._generations.changing(uow, tenant_id)
            await repo.delete_role(role)
            await uow.commit()

    async def set_user_roles(
        self,
        tenant_id: uuid.UUID,
        user_id: uuid.UUID,
        slugs: Sequence[str],
        *,
        caller_id: uuid.UUID | None,
    ) -> UserRolesRead:
        """Replace the roles of a user of this tenant.

        The caller must hold everything each added or removed role carries (or a user with
        `users:update` could strip a stronger admin); the tenant's last active admin keeps
        the role.
        """
        async with self._uow(tenant_id) as uow:
            repo = RoleRepository(uow.session, tenant_id)
            if not await repo.user_exists(user_id):
                raise UserNotFound("No such user in this tenant.")
            await self._known_roles(repo, slugs)
            current = set(await repo.user_role_slugs(user_id))
            wanted = set(slugs)
            tenant_grants = _TenantGrants(await repo.all_grants())
            held = await self._held_by(repo, tenant_grants, caller_id)
            for slug in sorted(current ^ wanted):
                _require_held(
                    held, tenant_grants.of([slug]), field="body.roles", what=f"the role {slug!r}"
                )
            if ADMIN in current - wanted:
                await self._keep_an_admin(repo, user_id)
            await self._generations.changing(uow, tenant_id, user_id)
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

    async def check_account_change_in(
        self,
        uow: UnitOfWork,
        tenant_id: uuid.UUID,
        user_id: uuid.UUID,
        *,
        caller_id: uuid.UUID | None,
        ends_access: bool,
    ) -> None:
        """Refuse a change to another user's account the caller may not make: it must hold
        everything the user's roles carry (or `users:update` could lock out a stronger admin),
        and when the change ends the user's access (deactivation) the tenant keeps an active
        admin. Runs in the changing unit of work, so the checks see what it writes."""
        repo = RoleRepository(uow.session, tenant_id)
        slugs = await repo.user_role_slugs(user_id)
        tenant_grants = _TenantGrants(await repo.all_grants())
        held = await self._held_by(repo, tenant_grants, caller_id)
        _require_held(held, tenant_grants.of(slugs), field="path.user_id", what="this user's roles")
        if ends_access and ADMIN in slugs:
            await self._keep_an_admin(repo, user_id, field="path.user_id")

    @staticmethod
    async def _keep_an_admin(
        repo: RoleRepository, user_id: uuid.UUID, *, field: str = "body.roles"
    ) -> None:
        admin = (await repo.roles_by_slug([ADMIN]))[0]
        # Two admins demoting each other at once must not both succeed.
        await repo.lock_role(admin.id)
        if await repo.active_holders(admin.id, excluding=user_id) == 0:
            raise LastAdmin(
                "This is the tenant's last active admin; make someone else admin first.",
                fields=[FieldError(field, "the tenant's last active admin")],
            )

    @staticmethod
    async def _access_custom_role(repo: RoleRepository, role_id: uuid.UUID, verb: str) -> Role:
        role = await RoleService._access_role(repo, role_id)
        if role.is_system:
            raise SystemRoleProtected(
                f"The built-in role {role.slug!r} cannot be {verb} through the API; "
                "create a custom role instead."
            )
        return role

    @staticmethod
    async def _access_role(repo: RoleRepository, role_id: uuid.UUID) -> Role:
        role = await repo.role(role_id)
        if role is None:
            raise RoleNotFound("No such role in this tenant.")
        return role
