"""Run `rustok` as a user would, with a clean environment: in this process, or in its own.

`run_rustok` calls the Typer app of the console script in this process (Click's `CliRunner`):
the same commands, parsing, settings, exit codes and output streams, without the second or so
that starting a Python process and importing the platform costs per call. `run_rustok_process`
starts the installed console script; the smoke tests use it for what only a process shows
(the entry point, `serve`, real exit statuses).

The environment keeps nothing `RUSTOK_*` from the caller's shell (a developer's own settings
must not leak into a test) and no `COLUMNS`, so output has the width a pipe or a CI log gets.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import subprocess
import sys
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit, urlunsplit

import structlog
from rich.console import Console
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool
from typer.testing import CliRunner

from rustok.cli import main as cli

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
    """`rustok ARGS...` to completion in this process, with its exit code and both outputs.

    As in a new process: only `env` is in the environment, the consoles are made for the
    outputs (no terminal, the width `env` gives), and the logging a command configures is put
    back afterwards. An exception the CLI lets escape is raised here rather than turned into
    an exit code, so a would-be traceback fails the test with its own traceback. Not for
    `serve` or the workers: they install signal handlers; use `run_rustok_process`.
    """
    assert args[:1] not in {("serve",), ("worker",), ("stack",)}, "use run_rustok_process"
    cleared: dict[str, str | None] = {name: None for name in os.environ if name not in env}
    runner = CliRunner()
    with (
        logging_put_back(),
        contextlib.chdir(cwd) if cwd is not None else contextlib.nullcontext(),
        runner.isolation(env={**cleared, **env}) as (stdout, stderr, _),
        _consoles_of_a_new_process(),
    ):
        code = _exit_code(args)
        sys.stdout.flush()
        sys.stderr.flush()
        return Result(code, stdout.getvalue().decode(), stderr.getvalue().decode())


def _exit_code(args: tuple[str, ...]) -> int:
    try:
        cli.app(list(args), prog_name="rustok")
    except SystemExit as exit_:
        code = exit_.code
        if code is None or isinstance(code, int):
            return code or 0
        sys.stderr.write(f"{code}\n")
        return 1
    return 0


@contextmanager
def _consoles_of_a_new_process() -> Iterator[None]:
    """The CLI's rich consoles as a process started with these streams and this environment
    would make them (width, colours and terminal detection are read when they are made)."""
    saved = cli.out, cli.err
    cli.out = Console(soft_wrap=True, width=None if sys.stdout.isatty() else 10_000)
    cli.err = Console(stderr=True, soft_wrap=True)
    try:
        yield
    finally:
        cli.out, cli.err = saved


@contextmanager
def logging_put_back() -> Iterator[None]:
    """Commands configure logging for their process; this process's stays as it was."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    named = {
        name: (logger.level, list(logger.handlers), logger.propagate)
        for name, logger in logging.Logger.manager.loggerDict.items()
        if isinstance(logger, logging.Logger)
    }
    structlog_config = structlog.get_config()
    try:
        yield
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
        for name, logger in logging.Logger.manager.loggerDict.items():
            if isinstance(logger, logging.Logger):
                level_was, handlers_were, propagated = named.get(name, (logging.NOTSET, [], True))
                logger.setLevel(level_was)
                logger.handlers[:] = handlers_were
                logger.propagate = propagated
        structlog.configure(**structlog_config)


def run_rustok_process(*args: str, env: dict[str, str], cwd: Path | None = None) -> Result:
    """`rustok ARGS...` to completion in its own process, with its exit code and both outputs."""
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
