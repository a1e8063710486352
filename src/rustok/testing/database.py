"""Test databases: migrated by Alembic exactly as in production, one fresh state per test."""

from __future__ import annotations

import asyncio
import shutil
import uuid
from typing import TYPE_CHECKING
from urllib.parse import urlsplit, urlunsplit

from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from rustok.bootstrap import import_all_models
from rustok.core import migrations
from rustok.core.db import Base

if TYPE_CHECKING:
    from pathlib import Path


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


class PostgresTestDatabase:
    """A database created for this test run, migrated once, emptied before each test."""

    def __init__(self, server_url: str) -> None:
        self.name = f"rustok_test_{uuid.uuid4().hex[:12]}"
        self.url = _with_database(server_url, self.name)
        self._server_url = server_url

    def create(self) -> None:
        asyncio.run(_admin(self._server_url, f'CREATE DATABASE "{self.name}"'))
        asyncio.run(migrations.upgrade(self.url))

    def drop(self) -> None:
        asyncio.run(_admin(self._server_url, f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))

    async def reset(self) -> str:
        import_all_models()
        tables = ", ".join(f'"{table.name}"' for table in Base.metadata.sorted_tables)
        engine = create_async_engine(self.url, poolclass=NullPool)
        try:
            async with engine.begin() as connection:
                await connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
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
