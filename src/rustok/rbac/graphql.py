"""GraphQL of the RBAC module: roles and their permissions."""

from __future__ import annotations

import uuid
from typing import Any

import strawberry
from strawberry.types import Info

from rustok.core.modules import GraphQLPart
from rustok.core.permissions import Action
from rustok.rbac.permissions import ROLES
from rustok.web.graphql import GraphQLContext, requires


@strawberry.type
class Grant:
    permission: str
    scope: str


@strawberry.type
class Role:
    id: uuid.UUID
    slug: str
    name: str
    description: str
    is_system: bool
    permissions: list[Grant]


@strawberry.type
class RbacQuery:
    @strawberry.field(
        extensions=[requires(ROLES, Action.LIST)],
        description="Roles of this tenant with their permissions.",
    )
    async def roles(self, info: Info[GraphQLContext, Any]) -> list[Role]:
        roles = await info.context.container.roles.list_roles(info.context.tenant.id)
        return [
            Role(
                id=role.id,
                slug=role.slug,
                name=role.name,
                description=role.description,
                is_system=role.is_system,
                permissions=[
                    Grant(permission=grant.permission, scope=grant.scope.value)
                    for grant in role.permissions
                ],
            )
            for role in roles
        ]


GRAPHQL = GraphQLPart(query=RbacQuery)
