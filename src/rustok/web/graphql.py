"""What a module's GraphQL part needs: the resolver context and the fields' access rules.

Every root field carries one of `requires(resource, action)`, `operator()`, `authenticated()`
or `public()` in its `extensions`, exactly like a REST route; a test walks the schema and
fails on a field that carries none.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar, cast

from fastapi import Request  # noqa: TC002 - FastAPI reads the annotation of context_for
from pydantic import BaseModel, ValidationError
from strawberry.dataloader import DataLoader
from strawberry.extensions import FieldExtension
from strawberry.fastapi import BaseContext
from strawberry.permission import BasePermission, PermissionExtension

from rustok.core.cursor import MAX_LIMIT
from rustok.core.errors import FieldError, Forbidden, Invalid, NotFound
from rustok.core.permissions import Action, Permission, Resource
from rustok.web.access import (
    OPERATOR_REQUIRED,
    Access,
    AccessRule,
    access_for,
    container_of,
    get_principal,
    tenant_of,
)

if TYPE_CHECKING:
    import uuid
    from collections.abc import Awaitable, Callable

    from strawberry.types import Info

    from rustok.auth.schemas import UserSummary
    from rustok.bootstrap import Container
    from rustok.core.principal import Principal
    from rustok.core.tenant import TenantSnapshot


PER_PARENT = "rustok_per_parent"
"""A field's `metadata` key: its resolver reads the database once per parent object (a post's
page of comments) instead of once per page through a loader, so the query cost counts it once
per item of the list around it: `@strawberry.field(metadata={PER_PARENT: True})`."""

M = TypeVar("M", bound=BaseModel)
T = TypeVar("T")


def page_size(first: int) -> int:
    """A list field's `first` as its query runs it: at least 1, at most a page (the query cost
    counts the same, `rustok.api.graphql.limits`)."""
    return max(1, min(first, MAX_LIMIT))


def per_request(info: Info[GraphQLContext, Any], key: str, make: Callable[[], T]) -> T:
    """What `make` builds, once per request under `key`: DataLoaders batch within a request and
    must not outlive it (another caller may see other rows)."""
    state = info.context.http_request.state
    found = getattr(state, key, None)
    if found is None:
        found = make()
        setattr(state, key, found)
    return cast("T", found)


def author_loader(info: Info[GraphQLContext, Any]) -> DataLoader[uuid.UUID, UserSummary | None]:
    """Bylines of the request's tenant's users: one batch per request for every module's
    `author` field (content, blog, forum)."""
    container, tenant_id = info.context.container, info.context.tenant.id

    def make() -> DataLoader[uuid.UUID, UserSummary | None]:
        async def load(ids: list[uuid.UUID]) -> list[UserSummary | None]:
            found = await container.auth.user_summaries(tenant_id, ids)
            return [found.get(user_id) for user_id in ids]

        return DataLoader(load_fn=load)

    return per_request(info, "author_loader", make)


def parse_input(model: type[M], data: object, *, prefix: str = "input") -> M:
    """A mutation's input checked by the REST body model, so both APIs refuse the same things;
    each problem is a field error named `<prefix>.<path>` (GraphQL's `extensions.fields`), or
    `<path>` when the data are a field's arguments (`prefix=""`)."""
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise Invalid(
            "Invalid input.",
            fields=[
                FieldError(
                    ".".join([*filter(None, [prefix]), *(str(part) for part in item["loc"])]),
                    item["msg"],
                )
                for item in error.errors()
            ],
        ) from None


class GraphQLContext(BaseContext):
    """What every resolver gets: the request, the container, the tenant, the caller."""

    def __init__(self, request: Request) -> None:
        super().__init__()
        self.http_request = request

    @property
    def container(self) -> Container:
        return container_of(self.http_request)

    @property
    def tenant(self) -> TenantSnapshot:
        """The request's tenant; raises TENANT_REQUIRED when none was named."""
        return tenant_of(self.http_request)

    async def principal(self) -> Principal:
        """The logged-in caller; raises UNAUTHENTICATED without a valid token."""
        return await get_principal(self.http_request)

    async def access(self, resource: Resource, action: Action) -> Access:
        """The caller's access under `resource:action`, as a REST route's `require` gives it:
        resolvers pass `.reach` to the service, so an `own` scope is applied there too."""
        return await access_for(self.http_request, Permission(resource, action))


async def context_for(request: Request) -> GraphQLContext:
    return GraphQLContext(request)


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
        await access_for(info.context.http_request, self.permission)
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


class ModuleEnabled(FieldExtension):
    """A field of a module answers NOT_FOUND for a tenant that has the module off, exactly like
    the module's REST routes (`module_guard`), before any access rule is looked at."""

    def __init__(self, slug: str, enabled_by_default: bool) -> None:
        self.slug = slug
        self._enabled_by_default = enabled_by_default

    def _check(self, info: Info[GraphQLContext, Any]) -> None:
        tenant: TenantSnapshot | None = getattr(info.context.http_request.state, "tenant", None)
        if tenant is not None and not tenant.module_states.get(self.slug, self._enabled_by_default):
            raise NotFound("Not found.")

    def resolve(
        self, next_: Callable[..., Any], source: Any, info: Info[GraphQLContext, Any], **kwargs: Any
    ) -> Any:
        self._check(info)
        return next_(source, info, **kwargs)

    async def resolve_async(
        self,
        next_: Callable[..., Awaitable[Any]],
        source: Any,
        info: Info[GraphQLContext, Any],
        **kwargs: Any,
    ) -> Any:
        self._check(info)
        return await next_(source, info, **kwargs)
