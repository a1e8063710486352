"""What the catalog module lets a tenant's roles grant."""

from __future__ import annotations

from rustok.core.permissions import define_resource

PRODUCTS = define_resource(
    "products", "Products, their variants and images, collections and product categories"
)
