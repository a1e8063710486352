"""What the tenancy module lets a tenant's roles grant."""

from __future__ import annotations

from rustok.core.permissions import define_resource

MODULES = define_resource("modules", "Which modules are on for the tenant")
