"""What the pricing module lets a tenant's roles grant."""

from __future__ import annotations

from rustok.core.permissions import define_resource

PRICES = define_resource("prices", "Base prices, price lists and regions with their taxes")
