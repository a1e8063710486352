"""Auth use cases: users, login, token refresh with rotation, sessions and passwords.

Password hashing and verification run before the unit of work opens, never inside it: argon2
is deliberately slow, and a transaction held open meanwhile would keep a connection (and on
SQLite the write lock) for that long. The write that follows re-checks atomically that the
password hash is still the one that was verified.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, NoReturn, cast

import structlog
from sqlalchemy.exc import IntegrityError

from rustok.auth.cache import SessionCache
from rustok.auth.errors import (
    CurrentPasswordIncorrect,
    EmailTaken,
    InvalidCredentials,
    RefreshTokenInvalid,
    RefreshTokenReused,
    SelfDeactivation,
    SessionExpired,
    SessionRevoked,
    TokenTenantMismatch,
    UserInactive,
)
from rustok.auth.events import UserLoggedIn, UserRegistered, UserUpdated
from rustok.auth.models import AuthSession, RefreshToken, User
from rustok.auth.passwords import Passwords
from rustok.auth.repository import SessionRepository, UserRepository, platform_operators
from rustok.auth.schemas import (
    AuthTokens,
    RevokedSessions,
    SessionRead,
    UserRead,
    UserStatus,
    UserSummary,
    check_name,
    check_password,
    normalise_email,
)
from rustok.auth.tokens import (
    AccessClaims,
    AccessTokens,
    RefreshTokens,
    access_token_id,
    hash_refresh_token,
    new_refresh_token,
)
from rustok.core.clock import utcnow
from rustok.core.cursor import CursorPage, SortKey, decode_cursor, keyset_after, page_of
from rustok.core.db import bind_platform, tenant_session
from rustok.core.errors import DomainError, FieldError, Invalid
from rustok.core.principal import Principal
from rustok.rbac.errors import UserNotFound

if TYPE_CHECKING:
    import uuid
    from collections.abc import Sequence

    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
    from sqlalchemy.sql.elements import ColumnElement

    from rustok.core.settings import Settings
    from rustok.core.tenant import TenantSnapshot
    from rustok.core.uow import UnitOfWork, UnitOfWorkFactory
    from rustok.rbac.service import RoleService
    from rustok.stores.sessions import SessionGenerations

log = structlog.get_logger(__name__)

SELF_REGISTERED_ROLE = "customer"
"""The role a user who signs up on their own gets."""

INVALID_CREDENTIALS_MESSAGE = "The e-mail or password is wrong."
IP_ADDRESS_MAX_LENGTH = 64
USER_AGENT_MAX_LENGTH = 512


_USERS_ORDER = "auth.users"


class RevokeReason(StrEnum):
    """Why a session ended, as stored in `sessions.revoked_reason`."""

    LOGOUT = "logout"
    REFRESH_TOKEN_REUSE = "refresh_token_reuse"  # noqa: S105 - a reason, not a secret
    REVOKE_ALL = "revoke_all"
    PASSWORD_CHANGED = "password_changed"  # noqa: S105 - a reason, not a secret
    DEACTIVATED = "deactivated"


@dataclass(frozen=True, slots=True, kw_only=True)
class AccountPrincipal(Principal):
    """The principal `authenticate` returns: with the rest of the account, read in the same
    row as the session check, so that `me` answers the same request without a second query."""

    name: str
    status: str
    created_at: datetime
    last_login_at: datetime | None


def _clip(value: str | None, limit: int) -> str | None:
    return value[:limit] if value else None


def _user_read(user: User, roles: Sequence[str]) -> UserRead:
    return UserRead(
        id=user.id,
        tenant_id=user.tenant_id,
        email=user.email,
        name=user.name,
        status=UserStatus(user.status),
        roles=list(roles),
        is_platform_operator=user.is_platform_operator,
        created_at=user.created_at,
        last_login_at=user.last_login_at,
    )


def _checked_identity(email: str, name: str) -> tuple[str, str]:
    problems: list[FieldError] = []
    try:
        email = normalise_email(email)
    except ValueError as exc:
        problems.append(FieldError("body.email", str(exc)))
    try:
        name = check_name(name)
    except ValueError as exc:
        problems.append(FieldError("body.name", str(exc)))
    if problems:
        raise Invalid("The user's details are not valid.", fields=problems)
    return email, name


def _checked_password(password: str, field: str) -> None:
    try:
        check_password(password)
    except ValueError as exc:
        raise Invalid(
            "The password does not meet the policy.", fields=[FieldError(field, str(exc))]
        ) from None


class AuthService:
    """Users of a tenant, their sessions and tokens."""

    def __init__(
        self,
        settings: Settings,
        uow: UnitOfWorkFactory,
        session_factory: async_sessionmaker[AsyncSession],
        roles: RoleService,
        generations: SessionGenerations,
    ) -> None:
        self._uow = uow
        self._generations = generations
        ttl = settings.auth_session_cache_seconds
        self._sessions = SessionCache(generations, ttl_seconds=ttl) if ttl > 0 else None
        self._session_factory = session_factory
        self._roles = roles
        self._passwords = Passwords(settings)
        self._tokens = AccessTokens(settings)
        self._refresh_tokens = RefreshTokens(settings)
        self._reuse_grace = timedelta(seconds=settings.refresh_reuse_grace_seconds)
        self._session_ttl = timedelta(seconds=settings.refresh_token_ttl_seconds)

    # --- requests -------------------------------------------------------------------------

    async def authenticate(self, token: str, tenant: TenantSnapshot) -> Principal:
        """The caller behind an access token, checked against the database in one query, or
        against what that query answered earlier while nothing about the session changed
        (`rustok.auth.cache`).

        The token must be genuine, unexpired and issued for this tenant; its session must be
        live and its user active. Roles come from the database, not the token, so a role
        change applies to the very next request.
        """
        claims = self._claims_for_tenant(token, tenant.id)
        cache = self._sessions
        # Read before the database: a change committed after this read bumps the tags, so
        # what the query below returns is never kept under tags newer than it is.
        tags = None if cache is None else await cache.tags(tenant.id, claims.user_id)
        state = None
        if cache is not None and tags is not None:
            state = cache.get(tenant.id, claims.session_id, claims.user_id, tags)
            if state is not None and state.expires_at <= utcnow():
                state = None  # a refresh may have moved the expiry: ask the database
        if state is None:
            async with tenant_session(self._session_factory, tenant.id) as session:
                state = await SessionRepository(session, tenant.id).state(
                    claims.session_id, claims.user_id
                )
            if cache is not None and tags is not None and state is not None:
                cache.put(tenant.id, claims.session_id, claims.user_id, tags, state)
        if state is None or state.revoked_at is not None:
            raise SessionRevoked("This session has ended; log in again.")
        if state.expires_at <= utcnow():
            raise SessionExpired("This session has expired; log in again.")
        if state.user_status != UserStatus.ACTIVE:
            raise UserInactive("This account is deactivated.")
        return AccountPrincipal(
            user_id=claims.user_id,
            tenant_id=tenant.id,
            session_id=claims.session_id,
            email=state.email,
            roles=state.roles,
            is_operator=state.is_operator,
            name=state.name,
            status=state.user_status,
            created_at=state.created_at,
            last_login_at=state.last_login_at,
        )

    async def forget_cached_sessions(
        self, tenant_id: uuid.UUID, user_id: uuid.UUID | None = None
    ) -> None:
        """Answer no request of this user (or, without one, of the tenant) from a session
        cached before now: a change committed elsewhere was heard of."""
        await self._generations.changed(tenant_id, user_id)

    def peek_user_id(self, token: str, tenant_id: uuid.UUID) -> str | None:
        """The user id of a genuine, unexpired token of this tenant, without touching the database.

        Only good for keying rate limits: the session may be revoked.
        """
        try:
            claims = self._claims_for_tenant(token, tenant_id)
        except DomainError:
            return None
        return str(claims.user_id)

    def _claims_for_tenant(self, token: str, tenant_id: uuid.UUID) -> AccessClaims:
        claims = self._tokens.verify(token)
        if claims.tenant_id != tenant_id:
            raise TokenTenantMismatch("This access token is not valid for this tenant.")
        return claims

    # --- users ----------------------------------------------------------------------------

    async def create_user(
        self,
        *,
        tenant_id: uuid.UUID,
        email: str,
        password: str,
        name: str = "",
        roles: Sequence[str] = ("customer",),
    ) -> UserRead:
        """Create a user with `roles`; raises EmailTaken, RoleNotFound or Invalid."""
        email, name = _checked_identity(email, name)
        _checked_password(password, "body.password")
        password_hash = await self._passwords.hash(password)
        async with self._uow(tenant_id) as uow:
            user, slugs = await self._insert_user(uow, tenant_id, email, password_hash, name, roles)
            await uow.commit()
        log.info("auth.user_created", tenant_id=str(tenant_id), user_id=str(user.id))
        return _user_read(user, slugs)

    async def create_user_in(
        self,
        uow: UnitOfWork,
        *,
        tenant_id: uuid.UUID,
        email: str,
        password: str,
        name: str = "",
        roles: Sequence[str] = ("customer",),
    ) -> User:
        """The same as `create_user`, inside a caller's unit of work (which it does not commit)."""
        email, name = _checked_identity(email, name)
        _checked_password(password, "body.password")
        password_hash = await self._passwords.hash(password)
        user, _ = await self._insert_user(uow, tenant_id, email, password_hash, name, roles)
        return user

    async def _insert_user(
        self,
        uow: UnitOfWork,
        tenant_id: uuid.UUID,
        email: str,
        password_hash: str,
        name: str,
        roles: Sequence[str],
        *,
        last_login_at: datetime | None = None,
    ) -> tuple[User, tuple[str, ...]]:
        users = UserRepository(uow.session, tenant_id)
        taken = EmailTaken(
            "A user with this e-mail already exists in this tenant.",
            fields=[FieldError("body.email", "already registered")],
        )
        if await users.by_email(email) is not None:
            raise taken
        user = User(
            tenant_id=tenant_id,
            email=email,
            password_hash=password_hash,
            name=name,
            status=UserStatus.ACTIVE.value,
            last_login_at=last_login_at,
            metadata_={},
        )
        try:
            async with uow.session.begin_nested():
                await users.add(user)
        except IntegrityError:
            # Another transaction inserted the same e-mail after our check (PostgreSQL).
            if await users.by_email(email) is None:
                raise
            raise taken from None
        slugs = await self._roles.assign_roles(uow, tenant_id, user.id, roles)
        uow.emit(
            UserRegistered(user_id=user.id, email=user.email, roles=list(slugs)),
            tenant_id=tenant_id,
        )
        return user, slugs

    async def set_platform_operator(
        self, *, tenant_id: uuid.UUID, email: str, operator: bool
    ) -> UserRead:
        """Make a user a platform operator (or no longer one); the CLI's power alone.

        Takes effect on the user's next request: authentication reads the flag every time.
        """
        async with self._uow(tenant_id) as uow:
            users = UserRepository(uow.session, tenant_id)
            user = await users.by_email(email.strip().lower())
            if user is None:
                raise UserNotFound(
                    f"No user {email!r} in this tenant.", fields=[FieldError("email", "unknown")]
                )
            if await users.set_operator(user.id, operator=operator):
                await self._generations.changing(uow, tenant_id, user.id)
                uow.emit(
                    UserUpdated(user_id=user.id, changes=["platform_operator"]),
                    tenant_id=tenant_id,
                )
            slugs = await self._roles.role_slugs_of(uow.session, tenant_id, user.id)
            await uow.commit()
        log.info(
            "auth.platform_operator_set",
            tenant_id=str(tenant_id),
            user_id=str(user.id),
            operator=operator,
        )
        return _user_read(user, slugs).model_copy(update={"is_platform_operator": operator})

    # --- user administration ------------------------------------------------------------

    async def list_users(
        self,
        tenant_id: uuid.UUID,
        *,
        after: str | None = None,
        limit: int = 20,
        status: UserStatus | None = None,
        email_prefix: str | None = None,
    ) -> CursorPage[UserRead]:
        """The tenant's users in sign-up order, a page at a time, with their roles."""
        keys = [
            SortKey(cast("ColumnElement[object]", User.created_at)),
            SortKey(cast("ColumnElement[object]", User.id)),
        ]
        criterion = (
            keyset_after(keys, decode_cursor(after, order=_USERS_ORDER, width=2)) if after else None
        )
        async with tenant_session(self._session_factory, tenant_id) as session:
            rows = await UserRepository(session, tenant_id).page(
                criterion,
                limit,
                status=status.value if status else None,
                email_prefix=email_prefix.strip().lower() if email_prefix else None,
            )
            page, cursor = page_of(rows, limit, lambda u: (u.created_at, u.id), order=_USERS_ORDER)
            roles = await self._roles.role_slugs_by_user(session, tenant_id, [u.id for u in page])
        return CursorPage(
            items=[_user_read(user, roles.get(user.id, ())) for user in page], next_cursor=cursor
        )

    async def get_user(self, tenant_id: uuid.UUID, user_id: uuid.UUID) -> UserRead:
        """One user of the tenant with its roles; USER_NOT_FOUND for any other id."""
        async with tenant_session(self._session_factory, tenant_id) as session:
            user = await UserRepository(session, tenant_id).get(user_id)
            if user is None:
                raise UserNotFound("No such user in this tenant.")
            slugs = await self._roles.role_slugs_of(session, tenant_id, user_id)
        return _user_read(user, slugs)

    async def set_user_status(
        self,
        tenant_id: uuid.UUID,
        user_id: uuid.UUID,
        status: UserStatus,
        *,
        caller_id: uuid.UUID | None,
    ) -> UserRead:
        """Deactivate (or reactivate) a user of the tenant.

        Deactivation ends every session of the user and bumps its generation tag in the same
        unit of work, so its access tokens are refused on the next request on every replica
        and it cannot log in or refresh. The caller must hold everything the user's roles
        carry, may not deactivate itself, and the tenant keeps an active admin. Reactivation
        does not bring sessions back: the user logs in again.
        """
        deactivating = status is UserStatus.INACTIVE
        if deactivating and caller_id == user_id:
            raise SelfDeactivation(
                "You cannot deactivate your own account; ask another admin.",
                fields=[FieldError("path.user_id", "is you")],
            )
        async with self._uow(tenant_id) as uow:
            users = UserRepository(uow.session, tenant_id)
            if await users.get(user_id) is None:
                raise UserNotFound("No such user in this tenant.")
            await self._roles.check_account_change_in(
                uow, tenant_id, user_id, caller_id=caller_id, ends_access=deactivating
            )
            if await users.set_status(user_id, status.value):
                await self._generations.changing(uow, tenant_id, user_id)
                revoked = 0
                if deactivating:
                    revoked = await SessionRepository(uow.session, tenant_id).revoke_all_of(
                        user_id, keep=None, reason=RevokeReason.DEACTIVATED, now=utcnow()
                    )
                uow.emit(UserUpdated(user_id=user_id, changes=["status"]), tenant_id=tenant_id)
                log.info(
                    "auth.user_status_changed",
                    tenant_id=str(tenant_id),
                    user_id=str(user_id),
                    status=status.value,
                    sessions_revoked=revoked,
                )
            user = await users.get(user_id)
            slugs = await self._roles.role_slugs_of(uow.session, tenant_id, user_id)
            await uow.commit()
        assert user is not None
        return _user_read(user, slugs)

    async def list_platform_operators(self) -> list[UserRead]:
        """Every platform operator, across tenants (the operator's CLI)."""
        async with self._session_factory() as session:
            bind_platform(session)  # operators are the platform's, across tenants
            users = await platform_operators(session)
            return [
                _user_read(user, await self._roles.role_slugs_of(session, user.tenant_id, user.id))
                for user in users
            ]

    # --- sessions -------------------------------------------------------------------------

    async def register(
        self,
        *,
        tenant_id: uuid.UUID,
        email: str,
        password: str,
        name: str = "",
        ip: str | None = None,
        user_agent: str | None = None,
    ) -> AuthTokens:
        """Sign a new customer up and log them in; raises EmailTaken or Invalid."""
        email, name = _checked_identity(email, name)
        _checked_password(password, "body.password")
        password_hash = await self._passwords.hash(password)
        now = utcnow()
        async with self._uow(tenant_id) as uow:
            user, slugs = await self._insert_user(
                uow,
                tenant_id,
                email,
                password_hash,
                name,
                (SELF_REGISTERED_ROLE,),
                last_login_at=now,
            )
            tokens = await self._start_session(uow, user, slugs, ip, user_agent, now)
            await uow.commit()
        log.info("auth.user_registered", tenant_id=str(tenant_id), user_id=str(user.id))
        return tokens

    async def login(
        self,
        *,
        tenant_id: uuid.UUID,
        email: str,
        password: str,
        ip: str | None = None,
        user_agent: str | None = None,
    ) -> AuthTokens:
        """Open a session for the user with this e-mail and password.

        A wrong password and an unknown e-mail fail alike (InvalidCredentials), after the same
        amount of hashing work. A hash made with older argon2 parameters is replaced.
        """
        try:
            email = normalise_email(email)
        except ValueError:
            email = email.strip().lower()
        async with tenant_session(self._session_factory, tenant_id) as session:
            user = await UserRepository(session, tenant_id).by_email(email)
        if user is None:
            await self._passwords.verify_dummy(password)
            log.info("auth.login_failed", tenant_id=str(tenant_id), reason="unknown_email")
            raise InvalidCredentials(INVALID_CREDENTIALS_MESSAGE)
        if not await self._passwords.verify(user.password_hash, password):
            log.info(
                "auth.login_failed",
                tenant_id=str(tenant_id),
                user_id=str(user.id),
                reason="wrong_password",
            )
            raise InvalidCredentials(INVALID_CREDENTIALS_MESSAGE)
        if user.status != UserStatus.ACTIVE:
            raise UserInactive("This account is deactivated.")
        rehash = self._passwords.needs_rehash(user.password_hash)
        new_hash = await self._passwords.hash(password) if rehash else user.password_hash
        now = utcnow()
        async with self._uow(tenant_id) as uow:
            recorded = await UserRepository(uow.session, tenant_id).record_login(
                user.id, expected_hash=user.password_hash, new_hash=new_hash, now=now
            )
            if not recorded:
                # The password was changed between our check and this write.
                raise InvalidCredentials(INVALID_CREDENTIALS_MESSAGE)
            user.last_login_at = now
            # The other sessions' `/me` shows the last login.
            await self._generations.changing(uow, tenant_id, user.id)
            slugs = await self._roles.role_slugs_of(uow.session, tenant_id, user.id)
            tokens = await self._start_session(uow, user, slugs, ip, user_agent, now)
            await uow.commit()
        log.info(
            "auth.login_succeeded",
            tenant_id=str(tenant_id),
            user_id=str(user.id),
            rehashed=rehash,
        )
        return tokens

    async def refresh(
        self,
        *,
        tenant_id: uuid.UUID,
        refresh_token: str,
        ip: str | None = None,
        user_agent: str | None = None,
    ) -> AuthTokens:
        """Trade a refresh token for a new pair; the old refresh token is spent.

        A spent token presented again means it leaked: the whole session is revoked and
        RefreshTokenReused raised, unless it comes within the grace window after its rotation
        (two tabs refreshing at once) and the pair it was traded for is still current: then that
        same pair is the answer. The session's expiry slides forward on every refresh.
        """
        now = utcnow()
        async with self._uow(tenant_id) as uow:
            sessions = SessionRepository(uow.session, tenant_id)
            found = await sessions.refresh_token(hash_refresh_token(refresh_token))
            if found is None:
                raise RefreshTokenInvalid("The refresh token is not valid.")
            stored, auth_session = found
            if stored.rotated_at is not None:
                return await self._answer_again(uow, sessions, refresh_token, auth_session, now)
            user = await self._live_user(uow, auth_session, now)
            if not await sessions.rotate(stored.id, now=now):
                # A concurrent request spent this token first (PostgreSQL let us wait for it).
                return await self._answer_again(uow, sessions, refresh_token, auth_session, now)
            auth_session.last_used_at = now
            auth_session.expires_at = now + self._session_ttl
            auth_session.ip_address = _clip(ip, IP_ADDRESS_MAX_LENGTH)
            auth_session.user_agent = _clip(user_agent, USER_AGENT_MAX_LENGTH)
            token = self._refresh_tokens.successor(refresh_token)
            await sessions.add_refresh_token(
                RefreshToken(
                    tenant_id=tenant_id,
                    session_id=auth_session.id,
                    token_hash=hash_refresh_token(token),
                    issued_at=now,
                )
            )
            slugs = await self._roles.role_slugs_of(uow.session, tenant_id, user.id)
            tokens = self._tokens_for(user, slugs, auth_session.id, token, now)
            await uow.commit()
        log.info(
            "auth.token_refreshed",
            tenant_id=str(tenant_id),
            user_id=str(user.id),
            session_id=str(auth_session.id),
        )
        return tokens

    async def _live_user(self, uow: UnitOfWork, auth_session: AuthSession, now: datetime) -> User:
        if auth_session.revoked_at is not None:
            raise SessionRevoked("This session has ended; log in again.")
        if auth_session.expires_at <= now:
            raise SessionExpired("This session has expired; log in again.")
        user = await UserRepository(uow.session, auth_session.tenant_id).get(auth_session.user_id)
        if user is None or user.status != UserStatus.ACTIVE:
            raise UserInactive("This account is deactivated.")
        return user

    async def _answer_again(
        self,
        uow: UnitOfWork,
        sessions: SessionRepository,
        spent_token: str,
        auth_session: AuthSession,
        now: datetime,
    ) -> AuthTokens:
        """A second use of a rotated refresh token: the pair the first use got when it comes
        within the grace window and that pair is still the session's current one; else reuse."""
        spent = await sessions.refresh_token(hash_refresh_token(spent_token))
        rotated_at = spent[0].rotated_at if spent is not None else None
        successor = self._refresh_tokens.successor(spent_token)
        current = await sessions.refresh_token(hash_refresh_token(successor))
        # `now` was read before this request waited for the row the first use held, so it can
        # precede the rotation (a negative age): a grace of zero must still mean never.
        within_grace = (
            rotated_at is not None
            and self._reuse_grace > timedelta(0)
            and now - rotated_at <= self._reuse_grace
            and current is not None
            and current[0].rotated_at is None
        )
        if not within_grace or rotated_at is None:
            await self._revoke_for_reuse(uow, sessions, auth_session, now)
        user = await self._live_user(uow, auth_session, now)
        slugs = await self._roles.role_slugs_of(uow.session, user.tenant_id, user.id)
        log.info(
            "auth.token_refresh_repeated",
            tenant_id=str(user.tenant_id),
            user_id=str(user.id),
            session_id=str(auth_session.id),
        )
        return self._tokens_for(user, slugs, auth_session.id, successor, rotated_at)

    async def logout(self, principal: Principal, *, refresh_token: str | None = None) -> None:
        """End the caller's current session.

        When a refresh token is given too, its session ends as well if it is the caller's
        (a client may hold a refresh token of another of its sessions); anyone else's token
        is ignored without a word.
        """
        now = utcnow()
        async with self._uow(principal.tenant_id) as uow:
            sessions = SessionRepository(uow.session, principal.tenant_id)
            await self._generations.changing(uow, principal.tenant_id, principal.user_id)
            await sessions.revoke(principal.session_id, reason=RevokeReason.LOGOUT, now=now)
            if refresh_token is not None:
                found = await sessions.refresh_token(hash_refresh_token(refresh_token))
                if found is not None and found[1].user_id == principal.user_id:
                    await sessions.revoke(found[1].id, reason=RevokeReason.LOGOUT, now=now)
            await uow.commit()
        log.info(
            "auth.logged_out",
            tenant_id=str(principal.tenant_id),
            user_id=str(principal.user_id),
            session_id=str(principal.session_id),
        )

    async def me(self, principal: Principal) -> UserRead:
        """The caller's own account."""
        if isinstance(principal, AccountPrincipal):
            return UserRead(
                id=principal.user_id,
                tenant_id=principal.tenant_id,
                email=principal.email,
                name=principal.name,
                status=UserStatus(principal.status),
                roles=list(principal.roles),
                is_platform_operator=principal.is_operator,
                created_at=principal.created_at,
                last_login_at=principal.last_login_at,
            )
        async with tenant_session(self._session_factory, principal.tenant_id) as session:
            user = await UserRepository(session, principal.tenant_id).get(principal.user_id)
        if user is None:
            # Deleting a user deletes its sessions, so to the caller this session has ended.
            raise SessionRevoked("This session has ended; log in again.")
        return _user_read(user, principal.roles)

    async def user_summaries(
        self, tenant_id: uuid.UUID, user_ids: Sequence[uuid.UUID]
    ) -> dict[uuid.UUID, UserSummary]:
        """Bylines of many users of one tenant in one query (GraphQL's author loader)."""
        if not user_ids:
            return {}
        async with tenant_session(self._session_factory, tenant_id) as session:
            names = await UserRepository(session, tenant_id).names(user_ids)
        return {user_id: UserSummary(id=user_id, name=name) for user_id, name in names.items()}

    async def list_sessions(self, principal: Principal) -> list[SessionRead]:
        """The caller's live sessions, newest first; `current` marks the one in use."""
        async with tenant_session(self._session_factory, principal.tenant_id) as session:
            rows = await SessionRepository(session, principal.tenant_id).active_of(
                principal.user_id, utcnow()
            )
        return [
            SessionRead(
                id=row.id,
                ip_address=row.ip_address,
                user_agent=row.user_agent,
                created_at=row.created_at,
                last_used_at=row.last_used_at,
                expires_at=row.expires_at,
                current=row.id == principal.session_id,
            )
            for row in rows
        ]

    async def revoke_all_sessions(self, principal: Principal) -> RevokedSessions:
        """End every other live session of the caller; the current one stays."""
        async with self._uow(principal.tenant_id) as uow:
            await self._generations.changing(uow, principal.tenant_id, principal.user_id)
            revoked = await SessionRepository(uow.session, principal.tenant_id).revoke_all_of(
                principal.user_id,
                keep=principal.session_id,
                reason=RevokeReason.REVOKE_ALL,
                now=utcnow(),
            )
            await uow.commit()
        log.info(
            "auth.sessions_revoked",
            tenant_id=str(principal.tenant_id),
            user_id=str(principal.user_id),
            count=revoked,
        )
        return RevokedSessions(revoked=revoked)

    async def change_password(
        self, principal: Principal, *, current_password: str, new_password: str
    ) -> None:
        """Check the current password, set the new one and end every other session."""
        _checked_password(new_password, "body.new_password")
        async with tenant_session(self._session_factory, principal.tenant_id) as session:
            user = await UserRepository(session, principal.tenant_id).get(principal.user_id)
        if user is None:
            raise SessionRevoked("This session has ended; log in again.")
        incorrect = CurrentPasswordIncorrect(
            "The current password is wrong.",
            fields=[FieldError("body.current_password", "does not match")],
        )
        if not await self._passwords.verify(user.password_hash, current_password):
            raise incorrect
        new_hash = await self._passwords.hash(new_password)
        now = utcnow()
        async with self._uow(principal.tenant_id) as uow:
            replaced = await UserRepository(uow.session, principal.tenant_id).replace_password(
                user.id, expected_hash=user.password_hash, new_hash=new_hash, now=now
            )
            if not replaced:
                # Someone else changed the password since we checked the current one.
                raise incorrect
            await self._generations.changing(uow, principal.tenant_id, user.id)
            revoked = await SessionRepository(uow.session, principal.tenant_id).revoke_all_of(
                user.id, keep=principal.session_id, reason=RevokeReason.PASSWORD_CHANGED, now=now
            )
            uow.emit(
                UserUpdated(user_id=user.id, changes=["password"]), tenant_id=principal.tenant_id
            )
            await uow.commit()
        log.info(
            "auth.password_changed",
            tenant_id=str(principal.tenant_id),
            user_id=str(user.id),
            sessions_revoked=revoked,
        )

    # --- helpers --------------------------------------------------------------------------

    async def _start_session(
        self,
        uow: UnitOfWork,
        user: User,
        roles: Sequence[str],
        ip: str | None,
        user_agent: str | None,
        now: datetime,
    ) -> AuthTokens:
        sessions = SessionRepository(uow.session, user.tenant_id)
        auth_session = AuthSession(
            tenant_id=user.tenant_id,
            user_id=user.id,
            ip_address=_clip(ip, IP_ADDRESS_MAX_LENGTH),
            user_agent=_clip(user_agent, USER_AGENT_MAX_LENGTH),
            last_used_at=now,
            expires_at=now + self._session_ttl,
        )
        await sessions.add(auth_session)
        uow.emit(
            UserLoggedIn(user_id=user.id, session_id=auth_session.id), tenant_id=user.tenant_id
        )
        token = new_refresh_token()
        await sessions.add_refresh_token(
            RefreshToken(
                tenant_id=user.tenant_id,
                session_id=auth_session.id,
                token_hash=hash_refresh_token(token),
                issued_at=now,
            )
        )
        return self._tokens_for(user, roles, auth_session.id, token, now)

    def _tokens_for(
        self,
        user: User,
        roles: Sequence[str],
        session_id: uuid.UUID,
        refresh_token: str,
        now: datetime,
    ) -> AuthTokens:
        access_token = self._tokens.issue(
            user_id=user.id,
            tenant_id=user.tenant_id,
            session_id=session_id,
            roles=roles,
            now=now,
            token_id=access_token_id(refresh_token),
        )
        return AuthTokens(
            access_token=access_token,
            refresh_token=refresh_token,
            expires_in=self._tokens.ttl_seconds,
            user=_user_read(user, roles),
        )

    async def _revoke_for_reuse(
        self,
        uow: UnitOfWork,
        sessions: SessionRepository,
        auth_session: AuthSession,
        now: datetime,
    ) -> NoReturn:
        await self._generations.changing(uow, auth_session.tenant_id, auth_session.user_id)
        await sessions.revoke(auth_session.id, reason=RevokeReason.REFRESH_TOKEN_REUSE, now=now)
        await uow.commit()
        log.warning(
            "auth.refresh_token_reused",
            tenant_id=str(auth_session.tenant_id),
            user_id=str(auth_session.user_id),
            session_id=str(auth_session.id),
        )
        raise RefreshTokenReused(
            "This refresh token was already used; the session has been ended for safety."
        )
