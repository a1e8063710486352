"""What every resolver gets: the request, the container, the tenant, the caller."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import Request  # noqa: TC002 - FastAPI reads the annotation of context_for
from strawberry.fastapi import BaseContext

from rustok.api.deps import get_container, get_principal, get_tenant

if TYPE_CHECKING:
    from rustok.auth.principal import Principal
    from rustok.bootstrap import Container
    from rustok.tenancy.snapshot import TenantSnapshot


class GraphQLContext(BaseContext):
    def __init__(self, request: Request) -> None:
        super().__init__()
        self.http_request = request

    @property
    def container(self) -> Container:
        return get_container(self.http_request)

    @property
    def tenant(self) -> TenantSnapshot:
        """The request's tenant; raises TENANT_REQUIRED when none was named."""
        return get_tenant(self.http_request)

    async def principal(self) -> Principal:
        """The logged-in caller; raises UNAUTHENTICATED without a valid token."""
        return await get_principal(self.http_request)


async def context_for(request: Request) -> GraphQLContext:
    return GraphQLContext(request)
