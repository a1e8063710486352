"""Queries of the RBAC module; every one starts from the tenant."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import and_, column, delete, func, select, table

from rustok.rbac.models import Role, RolePermission, UserRole

if TYPE_CHECKING:
    import uuid
    from collections.abc import Sequence

    from sqlalchemy.ext.asyncio import AsyncSession

# The users table belongs to the auth module, which sits above us; we only need to know that a
# user id exists in the tenant, so we name the two columns instead of importing its model.
_users = table("users", column("id"), column("tenant_id"), column("status"))


class RoleRepository:
    def __init__(self, session: AsyncSession, tenant_id: uuid.UUID) -> None:
        self.session = session
        self.tenant_id = tenant_id

    @staticmethod
    async def tenants_with_roles(session: AsyncSession) -> list[uuid.UUID]:
        """Every tenant that has roles (all of them): for the platform's sync of built-ins."""
        rows = await session.scalars(select(Role.tenant_id).distinct().order_by(Role.tenant_id))
        return list(rows.all())

    async def roles(self) -> Sequence[Role]:
        rows = await self.session.scalars(
            select(Role).where(Role.tenant_id == self.tenant_id).order_by(Role.slug)
        )
        return rows.all()

    async def role(self, role_id: uuid.UUID) -> Role | None:
        return await self.session.scalar(
            select(Role).where(Role.tenant_id == self.tenant_id, Role.id == role_id)
        )

    async def roles_by_slug(self, slugs: Sequence[str]) -> Sequence[Role]:
        rows = await self.session.scalars(
            select(Role).where(Role.tenant_id == self.tenant_id, Role.slug.in_(slugs))
        )
        return rows.all()

    async def add_role(self, role: Role) -> None:
        self.session.add(role)
        await self.session.flush()

    async def delete_role(self, role: Role) -> None:
        await self.session.delete(role)
        await self.session.flush()

    async def permissions(self, role_ids: Sequence[uuid.UUID]) -> Sequence[RolePermission]:
        if not role_ids:
            return []
        rows = await self.session.scalars(
            select(RolePermission)
            .where(RolePermission.tenant_id == self.tenant_id)
            .where(RolePermission.role_id.in_(role_ids))
            .order_by(RolePermission.resource, RolePermission.action)
        )
        return rows.all()

    async def replace_permissions(
        self, role_id: uuid.UUID, grants: Sequence[tuple[str, str, str]]
    ) -> None:
        await self.session.execute(
            delete(RolePermission).where(
                RolePermission.tenant_id == self.tenant_id, RolePermission.role_id == role_id
            )
        )
        self.session.add_all(
            RolePermission(
                tenant_id=self.tenant_id,
                role_id=role_id,
                resource=resource,
                action=action,
                scope=scope,
            )
            for resource, action, scope in grants
        )
        await self.session.flush()

    async def all_grants(self) -> Sequence[tuple[str, str, str, str]]:
        """(role slug, resource, action, scope) for every role of the tenant."""
        rows = await self.session.execute(
            select(Role.slug, RolePermission.resource, RolePermission.action, RolePermission.scope)
            .join(RolePermission, RolePermission.role_id == Role.id)
            .where(Role.tenant_id == self.tenant_id)
        )
        return [(slug, resource, action, scope) for slug, resource, action, scope in rows]

    async def user_exists(self, user_id: uuid.UUID) -> bool:
        found = await self.session.scalar(
            select(_users.c.id).where(_users.c.tenant_id == self.tenant_id, _users.c.id == user_id)
        )
        return found is not None

    async def user_role_slugs(self, user_id: uuid.UUID) -> tuple[str, ...]:
        rows = await self.session.scalars(
            select(Role.slug)
            .join(UserRole, UserRole.role_id == Role.id)
            .where(UserRole.tenant_id == self.tenant_id, UserRole.user_id == user_id)
            .order_by(Role.slug)
        )
        return tuple(rows.all())

    async def role_slugs_by_user(
        self, user_ids: Sequence[uuid.UUID]
    ) -> dict[uuid.UUID, tuple[str, ...]]:
        """The role slugs of many users in one query (users without a role are left out)."""
        rows = await self.session.execute(
            select(UserRole.user_id, Role.slug)
            .join(UserRole, UserRole.role_id == Role.id)
            .where(UserRole.tenant_id == self.tenant_id, UserRole.user_id.in_(user_ids))
            .order_by(UserRole.user_id, Role.slug)
        )
        found: dict[uuid.UUID, list[str]] = {}
        for user_id, slug in rows:
            found.setdefault(user_id, []).append(slug)
        return {user_id: tuple(slugs) for user_id, slugs in found.items()}

    async def active_holders(self, role_id: uuid.UUID, *, excluding: uuid.UUID) -> int:
        """How many active users other than `excluding` hold the role."""
        found = await self.session.scalar(
            select(func.count())
            .select_from(UserRole)
            .join(
                _users,
                and_(_users.c.id == UserRole.user_id, _users.c.tenant_id == UserRole.tenant_id),
            )
            .where(
                UserRole.tenant_id == self.tenant_id,
                UserRole.role_id == role_id,
                UserRole.user_id != excluding,
                _users.c.status == "active",
            )
        )
        return int(found or 0)

    async def lock_role(self, role_id: uuid.UUID) -> None:
        """Serialise changes to who holds a role (PostgreSQL; SQLite writers are serial anyway)."""
        await self.session.execute(
            select(Role.id)
            .where(Role.tenant_id == self.tenant_id, Role.id == role_id)
            .with_for_update()
        )

    async def set_user_roles(self, user_id: uuid.UUID, roles: Sequence[Role]) -> None:
        await self.session.execute(
            delete(UserRole).where(
                UserRole.tenant_id == self.tenant_id, UserRole.user_id == user_id
            )
        )
        self.session.add_all(
            UserRole(tenant_id=self.tenant_id, user_id=user_id, role_id=role.id) for role in roles
        )
        await self.session.flush()
