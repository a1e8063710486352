"""Errors of the RBAC module."""

from __future__ import annotations

from rustok.core.errors import Conflict, NotFound


class RoleNotFound(NotFound):
    code = "ROLE_NOT_FOUND"


class RoleSlugTaken(Conflict):
    code = "ROLE_SLUG_TAKEN"


class SystemRoleProtected(Conflict):
    code = "SYSTEM_ROLE_PROTECTED"


class UserNotFound(NotFound):
    code = "USER_NOT_FOUND"
