"""Errors of the auth module; every code is stable for clients."""

from __future__ import annotations

from rustok.core.errors import Conflict, Invalid, Unauthenticated


class InvalidCredentials(Unauthenticated):
    """Wrong e-mail or password; deliberately never says which."""

    code = "INVALID_CREDENTIALS"


class TokenInvalid(Unauthenticated):
    code = "TOKEN_INVALID"


class TokenExpired(Unauthenticated):
    code = "TOKEN_EXPIRED"


class TokenTenantMismatch(Unauthenticated):
    code = "TOKEN_TENANT_MISMATCH"


class SessionRevoked(Unauthenticated):
    code = "SESSION_REVOKED"


class SessionExpired(Unauthenticated):
    code = "SESSION_EXPIRED"


class UserInactive(Unauthenticated):
    code = "USER_INACTIVE"


class RefreshTokenInvalid(Unauthenticated):
    code = "REFRESH_TOKEN_INVALID"


class RefreshTokenReused(Unauthenticated):
    """A rotated refresh token came back: it was stolen or replayed, so its session ends."""

    code = "REFRESH_TOKEN_REUSED"


class EmailTaken(Conflict):
    code = "EMAIL_TAKEN"


class CurrentPasswordIncorrect(Invalid):
    code = "CURRENT_PASSWORD_INCORRECT"


class SelfDeactivation(Conflict):
    code = "SELF_DEACTIVATION"
