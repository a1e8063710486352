"""Engine, session factory and the column types every table shares, for SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, DateTime, MetaData, TypeDecorator, Uuid, exc, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from rustok.core.clock import utcnow
from rustok.core.ids import new_id
from rustok.core.sqlite import WRITE_OPTIONS, create_sqlite_engine, sqlite_write_gate

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from sqlalchemy.engine import Dialect

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


def create_engine(settings: Settings, *, url: str | None = None) -> AsyncEngine:
    """The one engine of a process, configured for its backend."""
    database_url = url or settings.database_url
    if database_url.startswith("sqlite"):
        return create_sqlite_engine(settings, database_url)
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
        connect_args={"timeout": settings.db_connect_timeout},
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
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


async def ping(engine: AsyncEngine) -> None:
    """Raise if the database does not answer a trivial query."""
    async with engine.connect() as connection:
        await connection.execute(text("SELECT 1"))
