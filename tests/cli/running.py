"""Run the real `rustok` console script as a user would: its own process, a clean environment.

The environment keeps nothing `RUSTOK_*` from the caller's shell (a developer's own settings
must not leak into a test) and no `COLUMNS`, so output has the width a pipe or a CI log gets.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit, urlunsplit

from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

if TYPE_CHECKING:
    from collections.abc import Iterator

CLI_TIMEOUT_SECONDS = 60.0


def rustok_command() -> list[str]:
    """The installed console script next to this interpreter, else the module."""
    script = Path(sys.executable).with_name("rustok")
    if script.is_file():
        return [str(script)]
    return [sys.executable, "-m", "rustok.cli.main"]


def cli_environment(database_url: str, **settings: str) -> dict[str, str]:
    """The caller's environment minus every `RUSTOK_*` and `COLUMNS`, plus these settings.

    `settings` are `RUSTOK_<NAME>` values given by lower-case name: `event_transport="nats"`.
    """
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("RUSTOK_") and name not in {"COLUMNS", "LINES"}
    }
    env["RUSTOK_DATABASE_URL"] = database_url
    env.update({f"RUSTOK_{name.upper()}": value for name, value in settings.items()})
    return env


@dataclass(frozen=True, slots=True)
class Result:
    code: int
    stdout: str
    stderr: str

    @property
    def out_lines(self) -> list[str]:
        return self.stdout.splitlines()

    @property
    def err_lines(self) -> list[str]:
        return self.stderr.splitlines()


def run_rustok(*args: str, env: dict[str, str], cwd: Path | None = None) -> Result:
    """`rustok ARGS...` to completion, with its exit code and both outputs."""
    completed = subprocess.run(
        [*rustok_command(), *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=CLI_TIMEOUT_SECONDS,
        check=False,
    )
    return Result(completed.returncode, completed.stdout, completed.stderr)


def _with_database(server_url: str, name: str) -> str:
    parts = urlsplit(server_url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


async def _admin(server_url: str, statement: str) -> None:
    engine = create_async_engine(
        _with_database(server_url, "postgres"), poolclass=NullPool, isolation_level="AUTOCOMMIT"
    )
    try:
        async with engine.connect() as connection:
            await connection.execute(text(statement))
    finally:
        await engine.dispose()


@contextmanager
def empty_postgres_database(server_url: str) -> Iterator[str]:
    """A new, empty (unmigrated) database on that server, dropped afterwards; yields its URL."""
    name = f"rustok_cli_{uuid.uuid4().hex[:12]}"
    asyncio.run(_admin(server_url, f'CREATE DATABASE "{name}"'))
    try:
        yield _with_database(server_url, name)
    finally:
        asyncio.run(_admin(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
