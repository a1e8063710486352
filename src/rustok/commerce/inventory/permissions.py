"""What the inventory module lets a tenant's roles grant."""

from __future__ import annotations

from rustok.core.permissions import define_resource

INVENTORY = define_resource(
    "inventory", "Stock locations, inventory levels, stock movements and transfers"
)
