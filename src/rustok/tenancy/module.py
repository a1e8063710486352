"""The tenancy module's descriptor."""

from __future__ import annotations

from rustok.core.modules import ModuleDescriptor
from rustok.tenancy.handlers import tenant_cache_invalidation
from rustok.tenancy.permissions import MODULES

MODULE = ModuleDescriptor(
    slug="tenancy",
    name="Tenancy",
    version="1.0.0",
    description="Tenants, their locales and per-tenant module switches.",
    resources=(MODULES,),
    models=("rustok.tenancy.models",),
    events=("rustok.tenancy.events",),
    rest="rustok.tenancy.rest:router",
    graphql_part="rustok.tenancy.graphql:GRAPHQL",
    handlers=(tenant_cache_invalidation,),
    core=True,
)
