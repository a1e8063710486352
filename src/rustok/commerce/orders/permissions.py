"""What the orders module lets a tenant's roles grant."""

from __future__ import annotations

from rustok.core.permissions import define_resource

ORDERS = define_resource("orders", "Orders, their payments, refunds and fulfilment")
