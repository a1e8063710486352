"""The orders module's descriptor."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from rustok.commerce.cart.service import CartService
from rustok.commerce.inventory.service import InventoryService
from rustok.commerce.orders.payments import PaymentProviders
from rustok.commerce.orders.permissions import ORDERS
from rustok.commerce.orders.service import OrderService
from rustok.commerce.orders.settings import OrdersSettings
from rustok.core.modules import ModuleDescriptor
from rustok.core.permissions import Action, Grant, Scope
from rustok.rbac.policy import CUSTOMER, MANAGER

if TYPE_CHECKING:
    from rustok.bootstrap import Container
    from rustok.commerce.orders.payments import PaymentProvider


def _providers(container: Container) -> PaymentProviders:
    providers = PaymentProviders()
    for path in container.settings_of(OrdersSettings).payment_providers:
        module_name, _, class_name = path.partition(":")
        provider: PaymentProvider = getattr(importlib.import_module(module_name), class_name)()
        providers.add(provider)
    return providers


def _orders(container: Container) -> OrderService:
    return OrderService(
        container.uow,
        container.service(CartService),
        container.service(InventoryService),
        container.service(PaymentProviders),
        container.settings_of(OrdersSettings),
    )


MODULE = ModuleDescriptor(
    slug="commerce.orders",
    name="Orders",
    version="1.0.0",
    description="Checkout, type-state orders, payments with their providers and webhooks.",
    dependencies=("commerce.cart", "commerce.inventory", "commerce.pricing"),
    resources=(ORDERS,),
    grants={
        MANAGER: (
            Grant(ORDERS, Action.READ),
            Grant(ORDERS, Action.UPDATE),
            Grant(ORDERS, Action.LIST),
        ),
        CUSTOMER: (
            Grant(ORDERS, Action.READ, Scope.OWN),
            Grant(ORDERS, Action.LIST, Scope.OWN),
        ),
    },
    models=("rustok.commerce.orders.models",),
    events=("rustok.commerce.orders.events",),
    rest="rustok.commerce.orders.rest:router",
    graphql_part="rustok.commerce.orders.graphql:GRAPHQL",
    services=(_providers, _orders),
    settings=OrdersSettings,
)
