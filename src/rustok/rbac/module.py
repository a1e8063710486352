"""The RBAC module's descriptor."""

from __future__ import annotations

from rustok.core.modules import ModuleDescriptor
from rustok.rbac.handlers import permission_cache_invalidation
from rustok.rbac.permissions import ROLES, USERS

MODULE = ModuleDescriptor(
    slug="rbac",
    name="Roles and permissions",
    version="1.0.0",
    description="Roles per tenant, resource:action permissions with scopes, and their checks.",
    dependencies=("tenancy",),
    resources=(ROLES, USERS),
    models=("rustok.rbac.models",),
    events=("rustok.rbac.events",),
    rest="rustok.rbac.rest:router",
    graphql_part="rustok.rbac.graphql:GRAPHQL",
    handlers=(permission_cache_invalidation,),
    core=True,
)
