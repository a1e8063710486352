"""The Alembic history matches the models and runs both ways."""

from __future__ import annotations

import asyncio
import logging
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import pytest
from alembic import command
from sqlalchemy import MetaData, Uuid, text
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from rustok.core import migrations
from rustok.core.ids import new_id
from rustok.testing.services import need, postgres_url
from tests.cli.running import empty_postgres_database

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path


def test_the_models_and_the_migrations_agree(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'schema.db'}"
    asyncio.run(migrations.upgrade(url))

    command.check(migrations.alembic_config(url))  # raises when autogenerate finds a difference


def test_the_history_goes_down_to_base_and_up_again(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'roundtrip.db'}"

    asyncio.run(migrations.upgrade(url))
    asyncio.run(migrations.downgrade(url, "base"))
    at_base = asyncio.run(migrations.current(url))
    asyncio.run(migrations.upgrade(url))

    assert at_base == ""
    assert asyncio.run(migrations.current(url)).endswith("(head)")


async def _seed_before_operators(url: str) -> None:
    """At revision 0004: a tenant whose super_admin role holders and a custom role carrying
    `tenants:manage` are what the platform-operator migration has to move."""
    engine = create_async_engine(url, poolclass=NullPool)
    metadata = MetaData()
    now = datetime.now(UTC)
    ids = {name: new_id() for name in ("tenant", "root", "both", "super", "admin", "ops")}
    stamps = {"created_at": now, "updated_at": now}
    try:
        async with engine.begin() as connection:
            await connection.run_sync(metadata.reflect)
            tables = metadata.tables
            for column in (c for table in tables.values() for c in table.columns):
                if column.name == "id" or column.name.endswith("_id"):
                    column.type = Uuid()  # SQLite reflects CHAR(32), which takes no UUID
            await connection.execute(
                tables["tenants"]
                .insert()
                .values(
                    id=ids["tenant"],
                    name="Acme",
                    slug="acme",
                    default_locale="en",
                    is_active=True,
                    settings={},
                    **stamps,
                )
            )
            for role, slug in (("super", "super_admin"), ("admin", "admin"), ("ops", "ops")):
                await connection.execute(
                    tables["roles"]
                    .insert()
                    .values(
                        id=ids[role],
                        tenant_id=ids["tenant"],
                        slug=slug,
                        name=slug,
                        description="",
                        is_system=role != "ops",
                        **stamps,
                    )
                )
            for role, resource, action in (
                ("super", "tenants", "manage"),
                ("super", "users", "manage"),
                ("admin", "users", "manage"),
                ("ops", "tenants", "manage"),
                ("ops", "products", "read"),
            ):
                await connection.execute(
                    tables["role_permissions"]
                    .insert()
                    .values(
                        id=new_id(),
                        tenant_id=ids["tenant"],
                        role_id=ids[role],
                        resource=resource,
                        action=action,
                        scope="all",
                    )
                )
            for user, roles in (("root", ("super",)), ("both", ("super", "admin"))):
                await connection.execute(
                    tables["users"]
                    .insert()
                    .values(
                        id=ids[user],
                        tenant_id=ids["tenant"],
                        email=f"{user}@acme.test",
                        password_hash="x",
                        name="",
                        status="active",
                        metadata={},
                        **stamps,
                    )
                )
                for role in roles:
                    await connection.execute(
                        tables["user_roles"]
                        .insert()
                        .values(
                            id=new_id(),
                            tenant_id=ids["tenant"],
                            user_id=ids[user],
                            role_id=ids[role],
                        )
                    )
    finally:
        await engine.dispose()


async def _after(url: str) -> tuple[set[str], set[tuple[str, str]], set[tuple[str, str]], int]:
    engine = create_async_engine(url, poolclass=NullPool)
    try:
        async with engine.connect() as connection:
            roles = set((await connection.execute(text("SELECT slug FROM roles"))).scalars())
            holders = {
                (email, slug)
                for email, slug in await connection.execute(
                    text(
                        "SELECT users.email, roles.slug FROM user_roles"
                        " JOIN users ON users.id = user_roles.user_id"
                        " JOIN roles ON roles.id = user_roles.role_id"
                    )
                )
            }
            grants = {
                (slug, f"{resource}:{action}")
                for slug, resource, action in await connection.execute(
                    text(
                        "SELECT roles.slug, resource, action FROM role_permissions"
                        " JOIN roles ON roles.id = role_permissions.role_id"
                    )
                )
            }
            operators = (
                await connection.execute(
                    text("SELECT count(*) FROM users WHERE is_platform_operator")
                )
            ).scalar_one()
            return roles, holders, grants, int(operators)
    finally:
        await engine.dispose()


@contextmanager
def _database_at(backend: str, tmp_path: Path) -> Iterator[str]:
    if backend == "postgres":
        need("PostgreSQL", postgres_url(), 5432)
        with empty_postgres_database(postgres_url()) as url:
            yield url
    else:
        yield f"sqlite+aiosqlite:///{tmp_path / 'upgrade.db'}"


@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def test_super_admins_become_tenant_admins_and_tenant_grants_leave_roles(
    backend: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with _database_at(backend, tmp_path) as url:
        asyncio.run(migrations.upgrade(url, "0004"))
        asyncio.run(_seed_before_operators(url))

        with caplog.at_level(logging.WARNING, logger="rustok.migrations"):
            asyncio.run(migrations.upgrade(url))
        roles, holders, grants, operators = asyncio.run(_after(url))

    assert roles == {"admin", "ops"}
    assert holders == {("root@acme.test", "admin"), ("both@acme.test", "admin")}
    assert grants == {("admin", "users:manage"), ("ops", "products:read")}
    assert operators == 0
    warned = sorted(r.getMessage() for r in caplog.records if r.name == "rustok.migrations")
    assert len(warned) == 2
    assert "rustok operator grant --tenant acme --email both@acme.test" in warned[0]
