"""Access tokens (JWT, HS256 only) and refresh tokens (random, stored as SHA-256)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

import jwt

from rustok.auth.errors import TokenExpired, TokenInvalid
from rustok.core.clock import utcnow
from rustok.core.ids import new_id

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from datetime import datetime

    from rustok.core.settings import Settings

ALGORITHM = "HS256"
REQUIRED_CLAIMS = ("sub", "tenant_id", "session_id", "roles", "exp", "iat", "iss", "aud", "jti")
VERIFIED_TOKENS_KEPT = 4096
"""How many verified tokens `AccessTokens.verify` remembers (a few MB at most)."""


@dataclass(frozen=True, slots=True)
class AccessClaims:
    """The verified content of an access token."""

    user_id: uuid.UUID
    tenant_id: uuid.UUID
    session_id: uuid.UUID
    roles: tuple[str, ...]
    token_id: str


class AccessTokens:
    """Issues and verifies access tokens; the only algorithm accepted is HS256."""

    def __init__(self, settings: Settings, *, clock: Callable[[], float] = time.time) -> None:
        self._secret = settings.jwt_secret
        self._issuer = settings.jwt_issuer
        self._audience = settings.jwt_audience
        self.ttl_seconds = settings.access_token_ttl_seconds
        self._clock = clock
        # token -> (its `exp`, its claims). A token's claims are a function of the token and
        # the secret alone, so a client sending the same token again (and the rate limiter
        # peeking at it before authentication) is not verified again; only expiry can change
        # the answer, and it is checked on every use. Whether the session still holds is the
        # database's to say, every time.
        self._verified: dict[str, tuple[int, AccessClaims]] = {}

    def issue(
        self,
        *,
        user_id: uuid.UUID,
        tenant_id: uuid.UUID,
        session_id: uuid.UUID,
        roles: Sequence[str],
        now: datetime | None = None,
        token_id: str | None = None,
    ) -> str:
        """A signed token; the same arguments with the same `token_id` give the same token."""
        issued_at = now or utcnow()
        claims = {
            "sub": str(user_id),
            "tenant_id": str(tenant_id),
            "session_id": str(session_id),
            "roles": list(roles),
            "iat": int(issued_at.timestamp()),
            "exp": int((issued_at + timedelta(seconds=self.ttl_seconds)).timestamp()),
            "iss": self._issuer,
            "aud": self._audience,
            "jti": token_id or new_id().hex,
        }
        return jwt.encode(claims, self._secret, algorithm=ALGORITHM)

    def verify(self, token: str) -> AccessClaims:
        """The claims of a genuine, unexpired token; raises TokenExpired or TokenInvalid."""
        known = self._verified.get(token)
        if known is None:
            return self._decode(token)
        expires_at, claims = known
        if expires_at <= self._clock():  # as PyJWT judges `exp`
            del self._verified[token]
            raise TokenExpired("The access token has expired; refresh it.")
        return claims

    def _decode(self, token: str) -> AccessClaims:
        try:
            claims = jwt.decode(
                token,
                self._secret,
                algorithms=[ALGORITHM],
                audience=self._audience,
                issuer=self._issuer,
                options={"require": list(REQUIRED_CLAIMS)},
            )
        except jwt.ExpiredSignatureError:
            raise TokenExpired("The access token has expired; refresh it.") from None
        except jwt.PyJWTError:
            raise TokenInvalid("The access token is not valid.") from None
        roles = claims["roles"]
        if not isinstance(roles, list) or not all(isinstance(role, str) for role in roles):
            raise TokenInvalid("The access token is not valid.")
        try:
            verified = AccessClaims(
                user_id=uuid.UUID(claims["sub"]),
                tenant_id=uuid.UUID(claims["tenant_id"]),
                session_id=uuid.UUID(claims["session_id"]),
                roles=tuple(roles),
                token_id=str(claims["jti"]),
            )
            expires_at = int(claims["exp"])
        except (TypeError, ValueError, AttributeError):
            raise TokenInvalid("The access token is not valid.") from None
        if len(self._verified) >= VERIFIED_TOKENS_KEPT:
            del self._verified[next(iter(self._verified))]  # the oldest
        self._verified[token] = (expires_at, verified)
        return verified


def new_refresh_token() -> str:
    """43 URL-safe characters carrying 256 random bits."""
    return secrets.token_urlsafe(32)


class RefreshTokens:
    """Each refresh token's successor is derived from it with a server key, so the answer to a
    second use within the grace window can be given again without storing any token."""

    def __init__(self, settings: Settings) -> None:
        self._key = hmac.new(
            settings.jwt_secret.encode(), b"rustok refresh successor", hashlib.sha256
        ).digest()

    def successor(self, token: str) -> str:
        """The refresh token that replaces `token` when it is rotated (43 URL-safe characters)."""
        mac = hmac.new(self._key, token.encode("utf-8", "surrogatepass"), hashlib.sha256)
        return base64.urlsafe_b64encode(mac.digest()).rstrip(b"=").decode()


def access_token_id(refresh_token: str) -> str:
    """The `jti` of the access token issued beside a refresh token: repeatable, like the pair."""
    return hash_refresh_token(refresh_token)[:32]


def hash_refresh_token(token: str) -> str:
    """What is stored and looked up: the token itself never reaches the database."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()
