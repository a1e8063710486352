"""Test databases: migrated by Alembic exactly as in production, one fresh state per test.

How a test gets a fresh state is chosen by what is cheapest on each backend (measured on the
suite's two-core machine, docs/testing.md): SQLite copies a migrated template file; PostgreSQL
keeps one migrated database per test session and deletes the rows of only the tables the last
test wrote. `TRUNCATE` of every table cost about 360 ms a test (it swaps every table's and
index's files), a database made from a template about 270 ms (and seconds at worst); a probe
and `DELETE` of the written tables about 50 ms, most of it the connection.
"""

from __future__ import annotations

import asyncio
import graphlib
import shutil
import uuid
from typing import TYPE_CHECKING
from urllib.parse import urlsplit, urlunsplit

from sqlalchemy import delete, exists, literal, select, table, text, union_all
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from rustok.core import migrations

if TYPE_CHECKING:
    from pathlib import Path

    from sqlalchemy import CompoundSelect


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


async def _admin(url: str, statement: str) -> None:
    engine = create_async_engine(
        _with_database(url, "postgres"), poolclass=NullPool, isolation_level="AUTOCOMMIT"
    )
    try:
        async with engine.connect() as connection:
            await connection.execute(text(statement))
    finally:
        await engine.dispose()


# Sequences a test advanced (identity columns such as the outbox's `seq`) start over, as they do
# in a new database; untouched ones read NULL here and are left alone.
_RESTART_USED_SEQUENCES = """
SELECT setval(format('%I.%I', schemaname, sequencename), start_value, false)
FROM pg_sequences
WHERE schemaname = current_schema() AND last_value IS NOT NULL
"""
_TABLES = """
SELECT c.relname FROM pg_class c
WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('r', 'p')
  AND NOT c.relispartition AND c.relname <> 'alembic_version'
"""
_FOREIGN_KEYS = """
SELECT child.relname, parent.relname FROM pg_constraint k
JOIN pg_class child ON child.oid = k.conrelid
JOIN pg_class parent ON parent.oid = k.confrelid
WHERE k.contype = 'f' AND k.connamespace = current_schema()::regnamespace
"""


async def _tables_children_first(url: str) -> list[str]:
    """Every table of the migrated schema (Alembic's own aside), each before those it
    references, so that deleting in this order never trips a foreign key."""
    engine = create_async_engine(url, poolclass=NullPool)
    try:
        async with engine.connect() as connection:
            tables = set(await connection.scalars(text(_TABLES)))
            references = (await connection.execute(text(_FOREIGN_KEYS))).all()
    finally:
        await engine.dispose()
    parents: dict[str, set[str]] = {table: set() for table in tables}
    for child, parent in references:
        if child != parent and child in parents:
            parents[child].add(parent)
    return list(reversed(list(graphlib.TopologicalSorter(parents).static_order())))


class PostgresTestDatabase:
    """A database created for this test run and migrated once; before each test the tables
    the previous test wrote are emptied and the sequences it advanced start over."""

    def __init__(self, server_url: str) -> None:
        self.name = f"rustok_test_{uuid.uuid4().hex[:12]}"
        self.url = _with_database(server_url, self.name)
        self._server_url = server_url
        self._tables: list[str] = []
        self._written: CompoundSelect[str] | None = None

    def create(self) -> None:
        asyncio.run(_admin(self._server_url, f'CREATE DATABASE "{self.name}"'))
        asyncio.run(migrations.upgrade(self.url))
        self._tables = asyncio.run(_tables_children_first(self.url))
        # One round trip names the tables that hold a row: an empty table costs a look at one
        # page, and most tests write a handful of the tables.
        self._written = union_all(
            *(
                select(literal(name)).where(exists().select_from(table(name)))
                for name in self._tables
            )
        )

    def drop(self) -> None:
        asyncio.run(_admin(self._server_url, f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))

    async def reset(self) -> str:
        assert self._written is not None, "create() the database first"
        engine = create_async_engine(self.url, poolclass=NullPool)
        try:
            async with engine.begin() as connection:
                written = set(await connection.scalars(self._written))
                for name in self._tables:
                    if name in written:
                        await connection.execute(delete(table(name)))
                await connection.execute(text(_RESTART_USED_SEQUENCES))
        finally:
            await engine.dispose()
        return self.url


class SqliteTestDatabase:
    """A migrated template file; every test gets its own copy of it."""

    def __init__(self, directory: Path) -> None:
        self.template = directory / "template.db"
        self._directory = directory

    def create(self) -> None:
        asyncio.run(migrations.upgrade(f"sqlite+aiosqlite:///{self.template}"))

    def drop(self) -> None:
        shutil.rmtree(self._directory, ignore_errors=True)

    async def reset(self) -> str:
        copy = self._directory / f"test-{uuid.uuid4().hex[:12]}.db"
        shutil.copyfile(self.template, copy)
        return f"sqlite+aiosqlite:///{copy}"


TestDatabase = PostgresTestDatabase | SqliteTestDatabase
