"""Queries of the auth module; every one starts from the tenant."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

from sqlalchemy import and_, bindparam, column, select, table, update

from rustok.auth.models import AuthSession, RefreshToken, User

if TYPE_CHECKING:
    import uuid
    from collections.abc import Sequence
    from datetime import datetime

    from sqlalchemy.engine import CursorResult
    from sqlalchemy.ext.asyncio import AsyncSession
    from sqlalchemy.sql.dml import Update
    from sqlalchemy.sql.elements import ColumnElement

# Roles belong to the RBAC module; authenticating needs a user's role slugs in the same round
# trip as the session check, so we name the columns we join on instead of importing its models.
_roles = table("roles", column("id"), column("tenant_id"), column("slug"))
_user_roles = table("user_roles", column("tenant_id"), column("user_id"), column("role_id"))


@dataclass(frozen=True, slots=True)
class SessionState:
    """What authenticating a request needs to know about its session and user, and the rest
    of the user's account, so that `/me` needs no second query."""

    revoked_at: datetime | None
    expires_at: datetime
    user_status: str
    email: str
    name: str
    created_at: datetime
    last_login_at: datetime | None
    roles: tuple[str, ...]
    is_operator: bool


_sessions = AuthSession.__table__
_users = User.__table__
# The primary key's type: a foreign key column's is only copied from its target later.
_ID = _sessions.c.id.type
# Built once: this runs on every authenticated request, where constructing the select() and
# mapping ORM rows cost more than the query itself. A Core statement on the session's
# connection still passes the tenant walls (the session's transaction sets them on begin).
_SESSION_STATE = (
    select(
        _sessions.c.revoked_at,
        _sessions.c.expires_at,
        _users.c.status,
        _users.c.email,
        _users.c.name,
        _users.c.created_at,
        _users.c.last_login_at,
        _users.c.is_platform_operator,
        _roles.c.slug,
    )
    .select_from(
        _sessions.join(
            _users,
            and_(_users.c.id == _sessions.c.user_id, _users.c.tenant_id == _sessions.c.tenant_id),
        )
        .outerjoin(
            _user_roles,
            and_(
                _user_roles.c.user_id == _users.c.id,
                _user_roles.c.tenant_id == _sessions.c.tenant_id,
            ),
        )
        .outerjoin(
            _roles,
            and_(
                _roles.c.id == _user_roles.c.role_id,
                _roles.c.tenant_id == _sessions.c.tenant_id,
            ),
        )
    )
    .where(
        _sessions.c.tenant_id == bindparam("tenant_id", type_=_ID),
        _sessions.c.id == bindparam("session_id", type_=_ID),
        _sessions.c.user_id == bindparam("user_id", type_=_ID),
    )
)


class UserRepository:
    def __init__(self, session: AsyncSession, tenant_id: uuid.UUID) -> None:
        self.session = session
        self.tenant_id = tenant_id

    async def get(self, user_id: uuid.UUID) -> User | None:
        return await self.session.scalar(
            select(User).where(User.tenant_id == self.tenant_id, User.id == user_id)
        )

    async def names(self, user_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, str]:
        rows = await self.session.execute(
            select(User.id, User.name).where(
                User.tenant_id == self.tenant_id, User.id.in_(user_ids)
            )
        )
        return {row.id: row.name for row in rows}

    async def by_email(self, email: str) -> User | None:
        return await self.session.scalar(
            select(User).where(User.tenant_id == self.tenant_id, User.email == email)
        )

    async def add(self, user: User) -> None:
        self.session.add(user)
        await self.session.flush()

    async def set_operator(self, user_id: uuid.UUID, *, operator: bool) -> bool:
        """Grant or withdraw platform authority; False when nothing changed."""
        statement = (
            update(User)
            .where(
                User.tenant_id == self.tenant_id,
                User.id == user_id,
                User.is_platform_operator != operator,
            )
            .values(is_platform_operator=operator)
        )
        return await _changed(self.session, statement) == 1

    async def page(
        self,
        after: ColumnElement[bool] | None,
        limit: int,
        *,
        status: str | None,
        email_prefix: str | None,
    ) -> Sequence[User]:
        """Up to `limit + 1` users in sign-up order, from `after`, filtered."""
        query = select(User).where(User.tenant_id == self.tenant_id)
        if after is not None:
            query = query.where(after)
        if status is not None:
            query = query.where(User.status == status)
        if email_prefix:
            query = query.where(User.email.startswith(email_prefix, autoescape=True))
        query = query.order_by(User.created_at, User.id).limit(limit + 1)
        return (await self.session.scalars(query)).all()

    async def set_status(self, user_id: uuid.UUID, status: str) -> bool:
        """Set the account's status; False when it already had it."""
        statement = (
            update(User)
            .where(User.tenant_id == self.tenant_id, User.id == user_id, User.status != status)
            .values(status=status)
        )
        return await _changed(self.session, statement) == 1

    async def record_login(
        self, user_id: uuid.UUID, *, expected_hash: str, new_hash: str, now: datetime
    ) -> bool:
        """Stamp the login (and store a rehashed password) unless the password changed meanwhile."""
        statement = (
            update(User)
            .where(
                User.tenant_id == self.tenant_id,
                User.id == user_id,
                User.password_hash == expected_hash,
            )
            .values(last_login_at=now, password_hash=new_hash)
        )
        return await _changed(self.session, statement) == 1

    async def replace_password(
        self, user_id: uuid.UUID, *, expected_hash: str, new_hash: str, now: datetime
    ) -> bool:
        """Swap the hash only if it is still the one the current password was checked against."""
        statement = (
            update(User)
            .where(
                User.tenant_id == self.tenant_id,
                User.id == user_id,
                User.password_hash == expected_hash,
            )
            .values(password_hash=new_hash, password_changed_at=now)
        )
        return await _changed(self.session, statement) == 1


async def platform_operators(session: AsyncSession) -> Sequence[User]:
    """Every operator of the platform, across tenants: the one query here not scoped to a
    tenant, because operators are the platform's, not a tenant's (CLI only)."""
    rows = await session.scalars(
        select(User).where(User.is_platform_operator.is_(True)).order_by(User.email)
    )
    return rows.all()


class SessionRepository:
    """Sessions and their refresh tokens."""

    def __init__(self, session: AsyncSession, tenant_id: uuid.UUID) -> None:
        self.session = session
        self.tenant_id = tenant_id

    async def add(self, auth_session: AuthSession) -> None:
        self.session.add(auth_session)
        await self.session.flush()

    async def state(self, session_id: uuid.UUID, user_id: uuid.UUID) -> SessionState | None:
        """Session, user and role slugs in one query; None when the session is gone."""
        connection = await self.session.connection()
        rows = (
            await connection.execute(
                _SESSION_STATE,
                {"tenant_id": self.tenant_id, "session_id": session_id, "user_id": user_id},
            )
        ).all()
        if not rows:
            return None
        revoked_at, expires_at, status, email, name, created_at, last_login_at, is_operator, _ = (
            rows[0]
        )
        return SessionState(
            revoked_at=revoked_at,
            expires_at=expires_at,
            user_status=status,
            email=email,
            name=name,
            created_at=created_at,
            last_login_at=last_login_at,
            roles=tuple(sorted({row[8] for row in rows if row[8] is not None})),
            is_operator=bool(is_operator),
        )

    async def active_of(self, user_id: uuid.UUID, now: datetime) -> Sequence[AuthSession]:
        rows = await self.session.scalars(
            select(AuthSession)
            .where(
                AuthSession.tenant_id == self.tenant_id,
                AuthSession.user_id == user_id,
                AuthSession.revoked_at.is_(None),
                AuthSession.expires_at > now,
            )
            .order_by(AuthSession.created_at.desc(), AuthSession.id.desc())
        )
        return rows.all()

    async def revoke(self, session_id: uuid.UUID, *, reason: str, now: datetime) -> bool:
        """Revoke one session; False when it was already revoked (or is not this tenant's)."""
        statement = (
            update(AuthSession)
            .where(
                AuthSession.tenant_id == self.tenant_id,
                AuthSession.id == session_id,
                AuthSession.revoked_at.is_(None),
            )
            .values(revoked_at=now, revoked_reason=reason)
        )
        return await _changed(self.session, statement) == 1

    async def revoke_all_of(
        self, user_id: uuid.UUID, *, keep: uuid.UUID | None, reason: str, now: datetime
    ) -> int:
        """Revoke every live session of the user except `keep` (all when None); how many."""
        statement = (
            update(AuthSession)
            .where(
                AuthSession.tenant_id == self.tenant_id,
                AuthSession.user_id == user_id,
                AuthSession.revoked_at.is_(None),
                AuthSession.expires_at > now,
            )
            .values(revoked_at=now, revoked_reason=reason)
        )
        if keep is not None:
            statement = statement.where(AuthSession.id != keep)
        return await _changed(self.session, statement)

    async def add_refresh_token(self, token: RefreshToken) -> None:
        self.session.add(token)
        await self.session.flush()

    async def refresh_token(self, token_hash: str) -> tuple[RefreshToken, AuthSession] | None:
        row = (
            await self.session.execute(
                select(RefreshToken, AuthSession)
                .join(AuthSession, AuthSession.id == RefreshToken.session_id)
                .where(
                    RefreshToken.tenant_id == self.tenant_id,
                    RefreshToken.token_hash == token_hash,
                    AuthSession.tenant_id == self.tenant_id,
                )
                # A concurrent refresh may have rotated it since we loaded it: read it afresh.
                .execution_options(populate_existing=True)
            )
        ).first()
        return None if row is None else (row[0], row[1])

    async def rotate(self, token_id: uuid.UUID, *, now: datetime) -> bool:
        """Mark a refresh token used; False when another request got there first."""
        statement = (
            update(RefreshToken)
            .where(
                RefreshToken.tenant_id == self.tenant_id,
                RefreshToken.id == token_id,
                RefreshToken.rotated_at.is_(None),
            )
            .values(rotated_at=now)
        )
        return await _changed(self.session, statement) == 1


async def _changed(session: AsyncSession, statement: Update) -> int:
    # Conditional UPDATEs are how we act atomically; the ORM's in-memory sync is not needed
    # because callers never rely on loaded objects reflecting them.
    result = cast(
        "CursorResult[()]",
        await session.execute(statement.execution_options(synchronize_session=False)),
    )
    return result.rowcount
