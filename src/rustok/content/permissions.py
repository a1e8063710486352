"""What the content module lets a tenant's roles grant."""

from __future__ import annotations

from rustok.core.permissions import define_resource

NODES = define_resource("nodes", "Content nodes of every kind, their translations and revisions")
CATEGORIES = define_resource("categories", "Content categories")
TAGS = define_resource("tags", "Content tags and which nodes carry them")
