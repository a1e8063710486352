"""Errors of the RBAC module."""

from __future__ import annotations

from rustok.core.errors import Conflict, Forbidden, NotFound


class RoleNotFound(NotFound):
    code = "ROLE_NOT_FOUND"


class RoleSlugTaken(Conflict):
    code = "ROLE_SLUG_TAKEN"


class SystemRoleProtected(Conflict):
    code = "SYSTEM_ROLE_PROTECTED"


class UserNotFound(NotFound):
    code = "USER_NOT_FOUND"


class GrantNotHeld(Forbidden):
    """The caller tried to hand on (or change a role carrying) a permission it does not hold."""

    code = "GRANT_NOT_HELD"


class LastAdmin(Conflict):
    code = "LAST_ADMIN"
