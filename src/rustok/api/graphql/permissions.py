"""How a GraphQL field declares who may resolve it, exactly like a REST route.

Every root field carries one of `requires(resource, action)`, `operator()`, `authenticated()`
or `public()`
in its `extensions`; a test walks the schema and fails on a field that carries none.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from strawberry.permission import BasePermission, PermissionExtension

from rustok.api.deps import OPERATOR_REQUIRED, AccessRule
from rustok.core.errors import Forbidden
from rustok.rbac.permissions import Action, Permission, Resource, Scope

if TYPE_CHECKING:
    from strawberry.types import Info

    from rustok.api.graphql.context import GraphQLContext


class _Rule(BasePermission):
    """Our permissions carry the access rule they enforce, so the schema can be audited."""

    rule: AccessRule


class _Public(_Rule):
    rule = AccessRule("public")

    async def has_permission(
        self, source: Any, info: Info[GraphQLContext, Any], **kwargs: Any
    ) -> bool:
        return True


class _Authenticated(_Rule):
    rule = AccessRule("authenticated")

    async def has_permission(
        self, source: Any, info: Info[GraphQLContext, Any], **kwargs: Any
    ) -> bool:
        await info.context.principal()  # raises UNAUTHENTICATED
        return True


class _Operator(_Rule):
    rule = AccessRule("operator")

    async def has_permission(
        self, source: Any, info: Info[GraphQLContext, Any], **kwargs: Any
    ) -> bool:
        principal = await info.context.principal()
        if not principal.is_operator:
            raise Forbidden(OPERATOR_REQUIRED, code="FORBIDDEN")
        return True


class _Requires(_Rule):
    def __init__(self, permission: Permission) -> None:
        self.permission = permission
        self.rule = AccessRule("permission", permission)

    async def has_permission(
        self, source: Any, info: Info[GraphQLContext, Any], **kwargs: Any
    ) -> bool:
        principal = await info.context.principal()
        scope = await info.context.container.permissions.scope_for(
            principal.tenant_id, principal.roles, self.permission
        )
        if scope is Scope.NONE:
            raise Forbidden(f"You lack the permission {self.permission}.", code="FORBIDDEN")
        return True


def _extension(rule: _Rule) -> PermissionExtension:
    # Our checks raise their own errors (UNAUTHENTICATED, FORBIDDEN); directives off so the
    # schema does not grow one directive per permission.
    return PermissionExtension(permissions=[rule], use_directives=False)


def public() -> PermissionExtension:
    return _extension(_Public())


def authenticated() -> PermissionExtension:
    return _extension(_Authenticated())


def operator() -> PermissionExtension:
    return _extension(_Operator())


def requires(resource: Resource, action: Action) -> PermissionExtension:
    return _extension(_Requires(Permission(resource, action)))


def rule_of(extensions: list[Any]) -> AccessRule | None:
    """The access rule a field declared through its extensions, or None."""
    for extension in extensions:
        if isinstance(extension, PermissionExtension):
            for permission in extension.permissions:
                if isinstance(permission, _Rule):
                    return permission.rule
    return None
