"""What a module's REST routes need: the container, the tenant, the caller and access rules.

This layer sits below every domain module: it reaches the composition root only through the
running app (`request.app.state.container`), never by importing it.

Every route declares exactly one access rule: `require(resource, action)`, `operator()`,
`authenticated()` or `public()`. A test walks the assembled app and fails on a route that
declares none; `access_rule_of` is how it (and `rustok rbac matrix`) reads the rule back.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Annotated, Any

import structlog
from fastapi import Depends, Request

from rustok.core.context import current_context, set_context
from rustok.core.errors import Forbidden, NotFound, Unauthenticated
from rustok.core.permissions import Action, Permission, Reach, Resource, Scope
from rustok.core.principal import Principal
from rustok.core.tenant import TenantRequired, TenantSnapshot

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from fastapi.routing import APIRoute

    from rustok.bootstrap import Container


_RULE_ATTRIBUTE = "__rustok_access_rule__"


@dataclass(frozen=True, slots=True)
class AccessRule:
    """What a route demands: `public`, `authenticated`, `operator` (platform authority), or a
    `resource:action` permission."""

    kind: str
    permission: Permission | None = None

    def __str__(self) -> str:
        return str(self.permission) if self.permission is not None else self.kind


@dataclass(frozen=True, slots=True)
class Access:
    """The caller and how far the checked permission reaches (`own` means only their rows)."""

    principal: Principal
    scope: Scope
    permission: Permission

    @property
    def reach(self) -> Reach:
        """What the service applies to the rows it touches (`rustok.core.permissions.Reach`)."""
        return Reach(self.permission, self.scope, self.principal.user_id)


def container_of(request: Request) -> Container:
    container: Container = request.app.state.container
    return container


def tenant_of(request: Request) -> TenantSnapshot:
    tenant: TenantSnapshot | None = getattr(request.state, "tenant", None)
    if tenant is None:
        raise TenantRequired(
            "This route needs a tenant: send X-Tenant-ID (tenant UUID or slug) "
            "or call it on the tenant's domain."
        )
    return tenant


# The dependencies are `async def` although they do no I/O: FastAPI runs a plain `def`
# dependency in a worker thread, a hop per request that cost more than the whole lookup.
async def get_container(request: Request) -> Container:
    return container_of(request)


async def get_tenant(request: Request) -> TenantSnapshot:
    return tenant_of(request)


def _bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization")
    if not header:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated(
            "The Authorization header must be 'Bearer <access token>'.",
            code="INVALID_AUTHORIZATION_HEADER",
        )
    return token.strip()


async def get_principal(request: Request) -> Principal:
    cached: Principal | None = getattr(request.state, "principal", None)
    if cached is not None:
        return cached
    token = _bearer_token(request)
    if token is None:
        raise Unauthenticated("Log in and send 'Authorization: Bearer <access token>'.")
    tenant = tenant_of(request)
    principal = await container_of(request).auth.authenticate(token, tenant)
    request.state.principal = principal
    # Events emitted by this request name their actor; logs name the user.
    context = current_context()
    if context is not None:
        set_context(replace(context, tenant_id=tenant.id, actor_id=principal.user_id))
    structlog.contextvars.bind_contextvars(user=str(principal.user_id))
    return principal


def _mark(dependency: Callable[..., Awaitable[Any]], rule: AccessRule) -> Any:
    setattr(dependency, _RULE_ATTRIBUTE, rule)
    return Depends(dependency)


async def access_for(request: Request, permission: Permission) -> Access:
    """The caller's access under `permission` (Forbidden when it reaches nothing); REST's
    `require` and GraphQL's `requires` and `context.access` all come here."""
    principal = await get_principal(request)
    scope = await container_of(request).permissions.scope_for(
        principal.tenant_id, principal.roles, permission
    )
    if scope is Scope.NONE:
        raise Forbidden(f"You lack the permission {permission}.", code="FORBIDDEN")
    return Access(principal, scope, permission)


async def optional_access(request: Request, permission: Permission) -> Access | None:
    """For public routes that serve a logged-in caller more: None without a token, else the
    caller with their scope under `permission` (`Scope.NONE` included, never Forbidden). A
    token that is sent and not valid is still refused (401)."""
    if "authorization" not in request.headers:
        return None
    principal = await get_principal(request)
    scope = await container_of(request).permissions.scope_for(
        principal.tenant_id, principal.roles, permission
    )
    return Access(principal, scope, permission)


def require(resource: Resource, action: Action) -> Any:
    """Depend on the caller holding `resource:action`; the dependency yields an `Access`."""
    permission = Permission(resource, action)

    async def check(request: Request) -> Access:
        return await access_for(request, permission)

    return _mark(check, AccessRule("permission", permission))


OPERATOR_REQUIRED = "Only a platform operator may do this (`rustok operator grant` makes one)."


def operator() -> Any:
    """Depend on a platform operator (tenant management); yields the `Principal`.

    Platform authority is a flag on the user that only the CLI sets, never a tenant role, so no
    grant inside a tenant can reach it.
    """

    async def check(request: Request) -> Principal:
        principal = await get_principal(request)
        if not principal.is_operator:
            raise Forbidden(OPERATOR_REQUIRED, code="FORBIDDEN")
        return principal

    return _mark(check, AccessRule("operator"))


def authenticated() -> Any:
    """Depend on any logged-in caller of this tenant; yields the `Principal`."""

    async def check(request: Request) -> Principal:
        return await get_principal(request)

    return _mark(check, AccessRule("authenticated"))


def public() -> Any:
    """Declare a route open to anyone (still subject to tenant resolution and rate limits)."""

    async def check() -> None:
        return None

    return _mark(check, AccessRule("public"))


def access_rule_of(route: APIRoute) -> AccessRule | None:
    """The access rule a route declared, looking through nested dependencies."""
    pending = [route.dependant]
    while pending:
        dependant = pending.pop()
        rule = getattr(dependant.call, _RULE_ATTRIBUTE, None)
        if isinstance(rule, AccessRule):
            return rule
        pending.extend(dependant.dependencies)
    return None


def module_guard(slug: str, enabled_by_default: bool) -> Any:
    """Answer 404 on a module's routes for a tenant that has the module switched off."""

    async def check(request: Request) -> None:
        tenant: TenantSnapshot | None = getattr(request.state, "tenant", None)
        if tenant is None:
            return
        if not tenant.module_states.get(slug, enabled_by_default):
            raise NotFound("Not found.")

    return Depends(check)


ContainerDep = Annotated["Container", Depends(get_container)]
OperatorDep = Annotated[Principal, operator()]
TenantDep = Annotated[TenantSnapshot, Depends(get_tenant)]
