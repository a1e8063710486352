"""The pricing module's descriptor."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rustok.commerce.catalog.service import CatalogService
from rustok.commerce.pricing.permissions import PRICES
from rustok.commerce.pricing.service import PricingService
from rustok.core.modules import ModuleDescriptor
from rustok.core.permissions import CRUDL, grants
from rustok.rbac.policy import MANAGER

if TYPE_CHECKING:
    from rustok.bootstrap import Container


def _pricing(container: Container) -> PricingService:
    return PricingService(container.uow, container.service(CatalogService))


MODULE = ModuleDescriptor(
    slug="commerce.pricing",
    name="Pricing",
    version="1.0.0",
    description="Regions with tax, base prices, price lists with tiers, and price calculation.",
    dependencies=("commerce.catalog",),
    resources=(PRICES,),
    grants={MANAGER: grants((PRICES,), CRUDL)},
    models=("rustok.commerce.pricing.models",),
    events=("rustok.commerce.pricing.events",),
    rest="rustok.commerce.pricing.rest:router",
    graphql_part="rustok.commerce.pricing.graphql:GRAPHQL",
    services=(_pricing,),
    demo_seed="rustok.commerce.pricing.demo:seed",
)
