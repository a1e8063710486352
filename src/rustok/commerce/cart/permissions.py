"""What the cart module lets a tenant's roles grant."""

from __future__ import annotations

from rustok.core.permissions import define_resource

CARTS = define_resource(
    "carts", "Any cart of the tenant (staff); a guest's cart is reached by knowing its id"
)
