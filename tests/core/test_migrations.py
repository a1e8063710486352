"""The Alembic history matches the models and runs both ways."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from alembic import command

from rustok.core import migrations

if TYPE_CHECKING:
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
