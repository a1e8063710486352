"""What the pages module lets a tenant's roles grant."""

from __future__ import annotations

from rustok.core.permissions import define_resource

PAGES = define_resource("pages", "Pages (nodes of kind page) and their blocks")
MENUS = define_resource("menus", "Navigation menus and their items")
