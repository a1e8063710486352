"""The catalog module's descriptor."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rustok.commerce.catalog.permissions import PRODUCTS
from rustok.commerce.catalog.service import CatalogService
from rustok.core.modules import ModuleDescriptor
from rustok.core.permissions import CRUDL, grants
from rustok.rbac.policy import MANAGER

if TYPE_CHECKING:
    from rustok.bootstrap import Container


def _catalog(container: Container) -> CatalogService:
    return CatalogService(container.uow)


MODULE = ModuleDescriptor(
    slug="commerce.catalog",
    name="Catalog",
    version="1.0.0",
    description="Products with translations, options, variants and base prices; images, "
    "collections and categories.",
    dependencies=("tenancy", "media"),
    resources=(PRODUCTS,),
    grants={MANAGER: grants((PRODUCTS,), CRUDL)},
    models=("rustok.commerce.catalog.models",),
    events=("rustok.commerce.catalog.events",),
    rest="rustok.commerce.catalog.rest:router",
    graphql_part="rustok.commerce.catalog.graphql:GRAPHQL",
    services=(_catalog,),
    demo_seed="rustok.commerce.catalog.demo:seed",
)
