"""SQLite as the embedded stack runs it: on the event loop, one writer at a time, WAL.

Statements run inline on the event loop instead of in aiosqlite's thread per connection. A
SQLite statement of this platform takes tens of microseconds; handing it to a thread and back
costs 50-100 µs per call, and SQLAlchemy makes three or four such calls per statement, so the
hops, not SQLite, were most of the embedded stack's CPU (ADR 0004). Blocking the loop for a
statement is cheaper than that. The one wait that can be long, for another process's write
lock, is not spent blocking: `BEGIN IMMEDIATE` is retried asynchronously until the busy timeout.

Writers of one process queue on `sqlite_write_gate` (first come, first served) rather than in
SQLite's busy handler, which sleeps up to 100 ms between tries and leaves the database idle.
"""

from __future__ import annotations

import asyncio
import sqlite3
import weakref
from contextlib import asynccontextmanager
from functools import partial
from typing import TYPE_CHECKING, Any

import aiosqlite
from sqlalchemy import event, exc, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.util import await_

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Callable

    from sqlalchemy.engine import Connection, Engine
    from sqlalchemy.engine.interfaces import DBAPIConnection
    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
    from sqlalchemy.pool import ConnectionPoolEntry

    from rustok.core.settings import Settings

SQLITE_BUSY_TIMEOUT_SECONDS = 10.0
"""How long a writer waits for the write lock (this process's other writers, or another's)."""
SQLITE_BEGIN_OPTION = "rustok_sqlite_begin"
WRITE_OPTIONS = {SQLITE_BEGIN_OPTION: "IMMEDIATE"}
_LOCKED_RETRY_SECONDS = (0.001, 0.002, 0.005, 0.01, 0.02, 0.05)


def _busy_timeout_pragma(seconds: float) -> str:
    return f"PRAGMA busy_timeout={int(seconds * 1000)}"


class InlineSQLiteConnection(aiosqlite.Connection):
    """aiosqlite's connection, with every call run right away on the calling (loop) thread.

    aiosqlite's worker thread still opens and closes the connection; everything else runs
    inline (hence `check_same_thread=False`). `aiosqlite` is pinned in requirements.lock:
    this overrides its `_execute`, the one method all its calls go through.
    """

    async def _execute(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        if not self._running or not self._connection:
            raise ValueError("Connection closed")
        return fn(*args, **kwargs)

    def set_busy_timeout(self, seconds: float) -> None:
        """Straight to SQLite: through SQLAlchemy a PRAGMA costs as much as an INSERT."""
        self._conn.execute(_busy_timeout_pragma(seconds))


def _connect_inline(database: str, uri: bool) -> Callable[[], Any]:
    async def connect() -> InlineSQLiteConnection:
        connector = partial(
            sqlite3.connect, database, uri=uri, check_same_thread=False, isolation_level=None
        )
        connection = InlineSQLiteConnection(connector, iter_chunk_size=64)
        connection._thread.daemon = True  # as SQLAlchemy does for aiosqlite's own threads
        await connection
        return connection

    return connect


def _on_connect(dbapi_connection: DBAPIConnection, _record: ConnectionPoolEntry) -> None:
    # pysqlite's own transaction handling would start transactions lazily and let reads and
    # savepoints escape them; we turn it off and emit BEGIN ourselves (see `_on_begin`).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(_busy_timeout_pragma(SQLITE_BUSY_TIMEOUT_SECONDS))
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _on_begin(connection: Connection) -> None:
    # Writers take the lock up front (IMMEDIATE), so two never deadlock upgrading read locks;
    # readers begin DEFERRED and, in WAL mode, never wait for anyone.
    mode = connection.get_execution_options().get(SQLITE_BEGIN_OPTION, "DEFERRED")
    if mode != "IMMEDIATE":
        connection.exec_driver_sql(f"BEGIN {mode}")
        return
    # Another process may hold the write lock: ask without SQLite's busy handler (it would
    # block the event loop) and wait between tries on the loop instead.
    driver = connection.connection.driver_connection
    assert isinstance(driver, InlineSQLiteConnection)
    driver.set_busy_timeout(0)
    try:
        _begin_immediate(connection)
    finally:
        driver.set_busy_timeout(SQLITE_BUSY_TIMEOUT_SECONDS)


def _begin_immediate(connection: Connection) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + SQLITE_BUSY_TIMEOUT_SECONDS
    tries = 0
    while True:
        try:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        except exc.OperationalError as error:
            if "locked" not in str(error.orig) or loop.time() >= deadline:
                raise
        else:
            return
        delay = _LOCKED_RETRY_SECONDS[min(tries, len(_LOCKED_RETRY_SECONDS) - 1)]
        tries += 1
        await_(asyncio.sleep(delay))  # we run in SQLAlchemy's greenlet: this yields the loop


def create_sqlite_engine(settings: Settings, database_url: str) -> AsyncEngine:
    """An engine whose connections run SQLite inline, in WAL mode, writers IMMEDIATE."""
    url = make_url(database_url)
    database = url.database or ":memory:"
    uri = str(url.query.get("uri", "")).lower() in ("1", "true")
    engine = create_async_engine(
        database_url,
        echo=settings.db_echo,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
        pool_timeout=settings.db_pool_timeout,
        async_creator=_connect_inline(database, uri),
    )
    event.listen(engine.sync_engine, "connect", _on_connect)
    event.listen(engine.sync_engine, "begin", _on_begin)
    return engine


_write_gates: weakref.WeakKeyDictionary[Engine, tuple[asyncio.AbstractEventLoop, asyncio.Lock]]
_write_gates = weakref.WeakKeyDictionary()


def _write_gate(session_factory: async_sessionmaker[AsyncSession]) -> asyncio.Lock | None:
    engine: AsyncEngine = session_factory.kw["bind"]
    if engine.dialect.name != "sqlite":
        return None
    loop = asyncio.get_running_loop()
    gate = _write_gates.get(engine.sync_engine)
    if gate is None or gate[0] is not loop:
        gate = (loop, asyncio.Lock())
        _write_gates[engine.sync_engine] = gate
    return gate[1]


class WriteGateTimeout(RuntimeError):
    """A SQLite writer waited longer than the busy timeout for this process's other writers."""


@asynccontextmanager
async def sqlite_write_gate(
    session_factory: async_sessionmaker[AsyncSession],
) -> AsyncIterator[None]:
    """Hold this process's SQLite write turn from BEGIN IMMEDIATE to COMMIT or ROLLBACK.

    SQLite has one writer at a time; writers of this process queue here, in order. A no-op on
    PostgreSQL.
    """
    gate = _write_gate(session_factory)
    if gate is None:
        yield
        return
    try:
        async with asyncio.timeout(SQLITE_BUSY_TIMEOUT_SECONDS):
            await gate.acquire()
    except TimeoutError:
        raise WriteGateTimeout(
            f"waited {SQLITE_BUSY_TIMEOUT_SECONDS:g}s for SQLite's write lock; a unit of work "
            "that opens another one inside it waits for itself (pass the outer one down)"
        ) from None
    try:
        yield
    finally:
        gate.release()
