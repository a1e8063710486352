"""The inventory module's descriptor."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rustok.commerce.catalog.service import CatalogService
from rustok.commerce.inventory.permissions import INVENTORY
from rustok.commerce.inventory.service import InventoryService
from rustok.commerce.inventory.settings import InventorySettings
from rustok.core.modules import ModuleDescriptor, PeriodicJob
from rustok.core.permissions import CRUDL, grants
from rustok.rbac.policy import MANAGER

if TYPE_CHECKING:
    from rustok.bootstrap import Container


def _inventory(container: Container) -> InventoryService:
    return InventoryService(container.uow, container.service(CatalogService))


def _reservation_expiry(container: Container) -> PeriodicJob:
    return PeriodicJob(
        name="commerce-inventory-reservation-expiry",
        interval_seconds=container.settings_of(InventorySettings).expiry_interval_seconds,
        run=container.service(InventoryService).release_expired,
    )


MODULE = ModuleDescriptor(
    slug="commerce.inventory",
    name="Inventory",
    version="1.0.0",
    description="Stock locations, inventory levels, reservations for carts and orders, "
    "transfers and an audit of stock movements.",
    dependencies=("commerce.catalog",),
    resources=(INVENTORY,),
    grants={MANAGER: grants((INVENTORY,), CRUDL)},
    settings=InventorySettings,
    models=("rustok.commerce.inventory.models",),
    events=("rustok.commerce.inventory.events",),
    rest="rustok.commerce.inventory.rest:router",
    graphql_part="rustok.commerce.inventory.graphql:GRAPHQL",
    services=(_inventory,),
    jobs=(_reservation_expiry,),
    demo_seed="rustok.commerce.inventory.demo:seed",
)
