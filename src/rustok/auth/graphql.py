"""GraphQL of the auth module: the logged-in user."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import strawberry
from strawberry.types import Info

from rustok.core.modules import GraphQLPart
from rustok.web.graphql import GraphQLContext, authenticated


@strawberry.type
class User:
    id: uuid.UUID
    email: str
    name: str
    status: str
    roles: list[str]
    created_at: datetime
    last_login_at: datetime | None


@strawberry.type
class AuthQuery:
    @strawberry.field(extensions=[authenticated()], description="The logged-in user.")
    async def me(self, info: Info[GraphQLContext, Any]) -> User:
        user = await info.context.container.auth.me(await info.context.principal())
        return User(
            id=user.id,
            email=user.email,
            name=user.name,
            status=str(user.status),
            roles=list(user.roles),
            created_at=user.created_at,
            last_login_at=user.last_login_at,
        )


GRAPHQL = GraphQLPart(query=AuthQuery)
