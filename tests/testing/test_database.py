"""Each test starts on a fresh, migrated database: what one test wrote is gone for the next."""

from __future__ import annotations

from typing import TYPE_CHECKING

from alembic.script import ScriptDirectory
from sqlalchemy import func, inspect, select, table
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from rustok.core import migrations
from rustok.core.db import write_transaction
from rustok.events.outbox import row_envelope
from rustok.testing.app import running_container, settings_for_tests
from rustok.testing.events import outbox_rows
from rustok.testing.factories import make_tenant, make_user

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

    from rustok.testing.database import TestDatabase


def _tables(connection: Connection) -> list[str]:
    return [name for name in inspect(connection).get_table_names() if name != "alembic_version"]


async def row_counts(database_url: str) -> dict[str, int]:
    """Rows of every table of the schema, Alembic's own aside."""
    engine = create_async_engine(database_url, poolclass=NullPool)
    try:
        async with engine.connect() as connection:
            names = await connection.run_sync(_tables)
            return {
                name: int(
                    await connection.scalar(select(func.count()).select_from(table(name))) or 0
                )
                for name in names
            }
    finally:
        await engine.dispose()


async def _write_everywhere(database_url: str) -> None:
    """A tenant, a user with a session, events in the outbox and a dead letter."""
    settings = settings_for_tests(database_url, embedded_workers=False)
    async with running_container(settings) as container:
        tenant = await make_tenant(container, slug="acme")
        await make_user(container, tenant, email="ada@example.com", roles=["admin"])
        [created] = await outbox_rows(container, "tenancy.tenant.created")
        async with write_transaction(container.platform_sessions) as session:
            await container.events.dead_letters.record(
                session,
                consumer="tenancy.cache_invalidation",
                envelope=row_envelope(created),
                error=TimeoutError("away"),
                reason="max_attempts",
                attempts=1,
            )


async def test_a_reset_leaves_every_table_empty_and_the_schema_at_head(
    test_database: TestDatabase, database_url: str
) -> None:
    await _write_everywhere(database_url)
    written = await row_counts(database_url)

    fresh = await test_database.reset()

    # The writes reach most tables, or the reset would be tested on empty ones.
    assert {"tenants", "users", "roles", "user_roles", "sys_events", "event_dlq"} <= {
        table for table, rows in written.items() if rows > 0
    }
    assert await row_counts(fresh) == dict.fromkeys(written, 0)
    head = ScriptDirectory.from_config(migrations.alembic_config(fresh)).get_current_head()
    assert await migrations.current(fresh) == f"{head} (head)"


async def test_after_a_reset_the_outbox_sequence_starts_over(
    test_database: TestDatabase, database_url: str
) -> None:
    await _write_everywhere(database_url)
    fresh = await test_database.reset()

    async with running_container(settings_for_tests(fresh, embedded_workers=False)) as container:
        await make_tenant(container, slug="globex")
        rows = await outbox_rows(container)

    assert [row.seq for row in rows] == list(range(1, len(rows) + 1))
