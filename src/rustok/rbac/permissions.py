"""What the rbac module lets a tenant's roles grant."""

from __future__ import annotations

from rustok.core.permissions import define_resource

ROLES = define_resource("roles", "The tenant's roles and the permissions they carry")
USERS = define_resource("users", "The tenant's users and the roles they hold")
