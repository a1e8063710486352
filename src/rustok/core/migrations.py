"""Run Alembic from code: the CLI, `make run` and the test harness all migrate through here."""

from __future__ import annotations

import asyncio
from io import StringIO

from alembic import command
from alembic.config import Config


def alembic_config(database_url: str, *, stdout: StringIO | None = None) -> Config:
    config = Config(stdout=stdout) if stdout is not None else Config()
    config.set_main_option("script_location", "rustok:migrations")
    config.attributes["database_url"] = database_url
    return config


async def upgrade(database_url: str, revision: str = "head") -> None:
    await asyncio.to_thread(command.upgrade, alembic_config(database_url), revision)


async def downgrade(database_url: str, revision: str) -> None:
    await asyncio.to_thread(command.downgrade, alembic_config(database_url), revision)


async def current(database_url: str) -> str:
    out = StringIO()
    await asyncio.to_thread(command.current, alembic_config(database_url, stdout=out))
    return out.getvalue().strip()
