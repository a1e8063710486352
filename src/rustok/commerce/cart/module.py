"""The cart module's descriptor."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rustok.commerce.cart.permissions import CARTS
from rustok.commerce.cart.service import CartService
from rustok.commerce.cart.settings import CartSettings
from rustok.commerce.catalog.service import CatalogService
from rustok.commerce.inventory.service import InventoryService
from rustok.commerce.pricing.service import PricingService
from rustok.core.idempotency import prune_keys
from rustok.core.modules import ModuleDescriptor, PeriodicJob
from rustok.core.permissions import CRUDL, Action, Grant, Scope, grants
from rustok.rbac.policy import CUSTOMER, MANAGER

if TYPE_CHECKING:
    from rustok.bootstrap import Container


def _carts(container: Container) -> CartService:
    return CartService(
        container.uow,
        container.service(CatalogService),
        container.service(PricingService),
        container.service(InventoryService),
        container.settings_of(CartSettings),
    )


def _expiry(container: Container) -> PeriodicJob:
    return PeriodicJob(
        name="commerce-cart-expiry",
        interval_seconds=container.settings_of(CartSettings).expiry_interval_seconds,
        run=container.service(CartService).expire_due,
    )


def _idempotency_keys(container: Container) -> PeriodicJob:
    """The cart brought the `Idempotency-Key` table (migration 0012), so it prunes it."""

    async def prune() -> int:
        async with container.uow.platform() as uow:
            pruned = await prune_keys(uow)
            await uow.commit()
        return pruned

    return PeriodicJob(
        name="idempotency-keys-pruning",
        interval_seconds=container.settings_of(CartSettings).expiry_interval_seconds,
        run=prune,
    )


MODULE = ModuleDescriptor(
    slug="commerce.cart",
    name="Cart",
    version="1.0.0",
    description="Carts of guests and customers, priced by pricing, stock-checked by "
    "inventory, with expiry.",
    dependencies=("commerce.catalog", "commerce.pricing", "commerce.inventory"),
    resources=(CARTS,),
    grants={
        MANAGER: grants((CARTS,), CRUDL),
        CUSTOMER: tuple(
            Grant(CARTS, action, Scope.OWN)
            for action in (Action.CREATE, Action.READ, Action.UPDATE)
        ),
    },
    settings=CartSettings,
    models=("rustok.commerce.cart.models", "rustok.core.idempotency"),
    events=("rustok.commerce.cart.events",),
    rest="rustok.commerce.cart.rest:router",
    graphql_part="rustok.commerce.cart.graphql:GRAPHQL",
    services=(_carts,),
    jobs=(_expiry, _idempotency_keys),
)
