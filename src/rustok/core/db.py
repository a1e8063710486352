"""Engine, session factory and the column types every table shares, for SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
    DateTime,
    ForeignKey,
    MetaData,
    TypeDecorator,
    Uuid,
    event,
    exc,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import (
    DeclarativeBase,
    Mapped,
    ORMExecuteState,
    Session,
    SessionTransaction,
    mapped_column,
    with_loader_criteria,
)

from rustok.core.clock import utcnow
from rustok.core.ids import new_id
from rustok.core.sqlite import WRITE_OPTIONS, create_sqlite_engine, sqlite_write_gate

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from sqlalchemy.engine import Connection, Dialect

    from rustok.core.settings import Settings

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Stored with its zone on PostgreSQL and as UTC on SQLite; always aware in Python."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use rustok.core.clock.utcnow()")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


JSONType = JSON().with_variant(JSONB(), "postgresql")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {  # noqa: RUF012 - SQLAlchemy reads this class attribute
        datetime: UTCDateTime,
        uuid.UUID: Uuid(),
        dict[str, Any]: JSONType,
        list[Any]: JSONType,
    }


class IdMixin:
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


def create_engine(
    settings: Settings, *, url: str | None = None, platform: bool = False
) -> AsyncEngine:
    """An engine configured for its backend. `platform`: on PostgreSQL every connection of its
    pool passes the tenant walls (the relay's autocommit statements run outside any session
    that could say so); its pool is never shared with tenant work."""
    database_url = url or settings.database_url
    if database_url.startswith("sqlite"):
        return create_sqlite_engine(settings, database_url)
    # The role and the bypass are startup parameters of each connection, so they are the
    # session's defaults: a `SET ROLE` run on connect sits in the first transaction and a
    # ROLLBACK takes it back, after which the pooled connection worked as the superuser that
    # logged in and every row-level security policy was passed (found, tested in
    # tests/core/test_tenant_walls.py). Defaults survive rollbacks, RESET ROLE and RESET ALL.
    server_settings: dict[str, str] = {}
    if settings.db_role:
        # Owners and superusers pass every row-level security policy; the application works
        # as a role that owns no table, so the walls hold for it (migration 0006 creates it).
        server_settings["role"] = settings.db_role
    if platform:
        server_settings["rustok.platform"] = "on"  # the bypass, for this pool only
    return create_async_engine(
        database_url,
        echo=settings.db_echo,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
        pool_timeout=settings.db_pool_timeout,
        # Off by default: with asyncpg a ping is BEGIN, `;`, ROLLBACK, three round trips before
        # every transaction. A connection broken meanwhile fails its first use instead; the pool
        # is then refreshed (see `connection_lost`) and the caller retries.
        pool_pre_ping=settings.db_pool_pre_ping,
        connect_args={"timeout": settings.db_connect_timeout, "server_settings": server_settings},
    )


class TenantOwned:
    """The mixin of every model whose rows belong to one tenant: its `tenant_id` column.

    A session bound to a tenant (`bind_tenant`) reads and writes only that tenant's rows of such
    models, whatever a query says: its ORM statements get the tenant criterion automatically,
    new rows of another tenant are refused at flush, and on PostgreSQL row-level security keeps
    the same wall for every statement, Core included (migration 0006). A session bound to no
    tenant sees no tenant-owned row on PostgreSQL. Work that must cross tenants binds the
    platform (`bind_platform`), the one bypass.
    """

    # Indexed: every query of such a table filters on it (row-level security adds it too).
    tenant_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("tenants.id", ondelete="CASCADE"), index=True
    )


_TENANT = "rustok_tenant_id"
_PLATFORM = "rustok_platform"


class TenantWallBreach(RuntimeError):
    """A session bound to one tenant was about to write a row of another."""


def _check_unbound(session: AsyncSession) -> None:
    # A session is bound once, before its transaction: the walls are set when the transaction
    # begins (`after_begin`), and a platform pool's connections pass the walls for their whole
    # life, so a late or second binding could not take the bypass away.
    if _TENANT in session.info or _PLATFORM in session.info:
        raise TenantWallBreach(
            "this session is bound already; open a new one (container.uow(tenant_id) or "
            "container.uow.platform())"
        )
    if session.in_transaction():
        raise TenantWallBreach("bind a session before its transaction begins")


def bind_tenant(session: AsyncSession, tenant_id: uuid.UUID) -> None:
    """Hold `session` to `tenant_id`'s rows; once, before its transaction begins."""
    _check_unbound(session)
    session.info[_TENANT] = tenant_id


def bind_platform(session: AsyncSession) -> None:
    """THE BYPASS of the tenant walls: the relay, the dispatcher, operators' tenant management,
    the CLI and rebuilds, which must cross tenants. Every use is deliberate; grep for it."""
    _check_unbound(session)
    session.info[_PLATFORM] = True


@asynccontextmanager
async def tenant_session(
    session_factory: async_sessionmaker[AsyncSession], tenant_id: uuid.UUID
) -> AsyncIterator[AsyncSession]:
    """A session held to one tenant's rows, for reads outside a unit of work."""
    async with session_factory() as session:
        bind_tenant(session, tenant_id)
        yield session


def bound_tenant(session: Session | AsyncSession) -> uuid.UUID | None:
    tenant_id: uuid.UUID | None = session.info.get(_TENANT)
    return tenant_id


class WalledSession(Session):
    """The ORM session of every factory here; the listeners below keep its tenant walls."""


@event.listens_for(WalledSession, "do_orm_execute")
def _tenant_criterion(state: ORMExecuteState) -> None:
    tenant_id = bound_tenant(state.session)
    if tenant_id is None or not (state.is_select or state.is_update or state.is_delete):
        return
    state.statement = state.statement.options(
        with_loader_criteria(
            TenantOwned, lambda model: model.tenant_id == tenant_id, include_aliases=True
        )
    )


_SET_WALL = text(
    "SELECT set_config('rustok.tenant_id', :tenant, true), "
    "set_config('rustok.platform', :platform, true)"
)


@event.listens_for(WalledSession, "after_begin")
def _database_wall(session: Session, _: SessionTransaction, connection: Connection) -> None:
    if connection.dialect.name != "postgresql":
        return
    tenant_id = bound_tenant(session)
    connection.execute(
        _SET_WALL,
        {
            "tenant": str(tenant_id) if tenant_id is not None else "",
            "platform": "on" if session.info.get(_PLATFORM) else "",
        },
    )


@event.listens_for(WalledSession, "before_flush")
def _refuse_foreign_rows(session: Session, *_: object) -> None:
    tenant_id = bound_tenant(session)
    if tenant_id is None:
        return
    for row in (*session.new, *session.dirty):
        owner = row.tenant_id if isinstance(row, TenantOwned) else tenant_id
        if owner != tenant_id:
            raise TenantWallBreach(
                f"a unit of work of tenant {tenant_id} tried to write a "
                f"{type(row).__name__} of tenant {owner}"
            )


async def begin_write(session: AsyncSession) -> None:
    """Mark the session's transaction as a writer (BEGIN IMMEDIATE on SQLite); call first.
    Nothing to do on PostgreSQL, whose first statement begins the transaction."""
    if session.bind is not None and session.bind.dialect.name == "sqlite":
        await session.connection(execution_options=WRITE_OPTIONS)


@asynccontextmanager
async def write_transaction(
    session_factory: async_sessionmaker[AsyncSession],
) -> AsyncIterator[AsyncSession]:
    """A short writing transaction outside any unit of work (relay, DLQ bookkeeping)."""
    async with (
        sqlite_write_gate(session_factory),
        session_factory() as session,
        session.begin(),
    ):
        await begin_write(session)
        yield session


def connection_lost(error: BaseException) -> bool:
    """The database connection broke (restart, network): retrying on a fresh one may work."""
    return isinstance(error, exc.DBAPIError) and bool(error.connection_invalidated)


def create_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions bound to no tenant until `bind_tenant` (units of work do it)."""
    return async_sessionmaker(
        engine, expire_on_commit=False, autoflush=False, sync_session_class=WalledSession
    )


def create_platform_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions that cross tenants (`bind_platform` from the start): the event spine's, the
    tenant resolver's and the operators' CLI's."""
    return async_sessionmaker(
        engine,
        expire_on_commit=False,
        autoflush=False,
        sync_session_class=WalledSession,
        info={_PLATFORM: True},
    )


async def ping(engine: AsyncEngine) -> None:
    """Raise if the database does not answer a trivial query."""
    async with engine.connect() as connection:
        await connection.execute(text("SELECT 1"))
