"""`rustok stack`: the distributed stack on one machine, with one command.

Two API processes (`rustok serve --no-workers`), an outbox relay and a dispatcher
(`rustok worker relay`, `rustok worker dispatch`), each its own process against the configured
PostgreSQL, NATS and Redis, their output interleaved line by line and labelled with the
process's name. Ports are free ones unless given. Ctrl-C or SIGTERM stops every child
gracefully (SIGTERM, then SIGKILL after a grace period); if one child exits on its own, the
others are stopped too and the stack exits non-zero, as a Procfile runner does.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated

import typer

from rustok.core.settings import EventTransportKind, Settings, SettingsError, load_settings

if TYPE_CHECKING:
    from collections.abc import Sequence

STOP_GRACE_SECONDS = 15.0
"""How long a child may take to stop after SIGTERM before it is killed."""

_COLOURS = ("cyan", "magenta", "green", "yellow", "blue")


@dataclass(frozen=True, slots=True)
class Child:
    """One process of the stack: its label, arguments after `rustok`, and extra settings."""

    label: str
    args: tuple[str, ...]
    env: dict[str, str]
    url: str


def free_port(host: str) -> int:
    """A port free on `host` now (the OS picks it)."""
    with socket.socket() as probe:
        probe.bind((host, 0))
        port: int = probe.getsockname()[1]
    return port


def plan(
    settings: Settings, api_ports: Sequence[int], relay_port: int, dispatch_port: int
) -> list[Child]:
    """The processes of the stack. The APIs serve `/metrics` on their own port; the workers on
    `RUSTOK_METRICS_PORT`, one each."""
    host = settings.host
    apis = [
        Child(
            f"api-{index}",
            ("serve", "--no-workers", "--port", str(port)),
            {"RUSTOK_OTEL_SERVICE_NAME": f"{settings.otel_service_name}-api"},
            f"http://{host}:{port}",
        )
        for index, port in enumerate(api_ports, start=1)
    ]
    workers = [
        Child(
            label,
            ("worker", kind),
            {
                "RUSTOK_METRICS_PORT": str(port),
                "RUSTOK_OTEL_SERVICE_NAME": f"{settings.otel_service_name}-{label}",
            },
            f"http://{host}:{port}/metrics",
        )
        for label, kind, port in (
            ("relay", "relay", relay_port),
            ("dispatch", "dispatch", dispatch_port),
        )
    ]
    return [*apis, *workers]


def _settings_or_exit() -> Settings:
    try:
        settings = load_settings()
    except SettingsError as error:
        sys.stderr.write(f"error: invalid settings:\n  {error}\n")
        raise typer.Exit(2) from None
    problems = []
    if settings.is_sqlite:
        problems.append("RUSTOK_DATABASE_URL must name PostgreSQL (postgresql+asyncpg://...)")
    if settings.event_transport is not EventTransportKind.NATS:
        problems.append("RUSTOK_EVENT_TRANSPORT must be nats")
    if not settings.redis_url:
        problems.append("RUSTOK_REDIS_URL must be set")
    if problems:
        sys.stderr.write(
            "error: the stack runs the distributed configuration:\n  "
            + "\n  ".join(problems)
            + "\nnext: see the README's distributed stack section, or run `make stack`\n"
        )
        raise typer.Exit(2)
    return settings


def stack(
    api_port: Annotated[
        list[int] | None,
        typer.Option(help="Port of an API process; give it twice (default: two free ports)."),
    ] = None,
    relay_metrics_port: Annotated[
        int | None, typer.Option(help="The relay's /metrics port (default: a free one).")
    ] = None,
    dispatch_metrics_port: Annotated[
        int | None, typer.Option(help="The dispatcher's /metrics port (default: a free one).")
    ] = None,
) -> None:
    """Run the distributed stack locally: two APIs, a relay and a dispatcher, logs labelled."""
    settings = _settings_or_exit()
    ports = list(api_port or [])
    if len(ports) > 2:
        raise typer.BadParameter("at most two API ports", param_hint="--api-port")
    while len(ports) < 2:
        ports.append(free_port(settings.host))
    children = plan(
        settings,
        ports,
        relay_metrics_port or free_port(settings.host),
        dispatch_metrics_port or free_port(settings.host),
    )
    raise typer.Exit(asyncio.run(_run(children)))


class _Output:
    """Labelled lines on stdout, one whole line at a time."""

    def __init__(self, labels: Sequence[str]) -> None:
        self._width = max(len(label) for label in [*labels, "stack"])
        self._colour = {label: _COLOURS[i % len(_COLOURS)] for i, label in enumerate(labels)}
        self._tty = sys.stdout.isatty()

    def line(self, label: str, text: str) -> None:
        prefix = f"{label:<{self._width}} |"
        if self._tty:
            colour = self._colour.get(label, "white")
            codes = {"cyan": 36, "magenta": 35, "green": 32, "yellow": 33, "blue": 34}
            prefix = f"\x1b[{codes.get(colour, 37)}m{prefix}\x1b[0m"
        sys.stdout.write(f"{prefix} {text}\n")
        sys.stdout.flush()


async def _pipe(label: str, stream: asyncio.StreamReader, output: _Output) -> None:
    while line := await stream.readline():
        output.line(label, line.decode("utf-8", errors="replace").rstrip("\n"))


async def _run(children: Sequence[Child]) -> int:
    output = _Output([child.label for child in children])
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    base_env = {name: value for name, value in os.environ.items() if name != "RUSTOK_METRICS_PORT"}
    processes: dict[str, asyncio.subprocess.Process] = {}
    pipes: list[asyncio.Task[None]] = []
    code = 0
    try:
        for child in children:
            # A session of its own: a terminal's Ctrl-C reaches the stack only, which then
            # stops the children in order instead of all of them at once.
            process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "rustok.cli.main",
                *child.args,
                env=base_env | child.env,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.STDOUT,
                start_new_session=True,
            )
            processes[child.label] = process
            assert process.stdout is not None
            pipes.append(asyncio.create_task(_pipe(child.label, process.stdout, output)))
            output.line("stack", f"started {child.label} pid={process.pid} {child.url}")
        output.line("stack", "running; Ctrl-C stops every process")
        waits = {asyncio.create_task(p.wait()): label for label, p in processes.items()}
        stopping = asyncio.create_task(stop.wait())
        done, _ = await asyncio.wait([stopping, *waits], return_when=asyncio.FIRST_COMPLETED)
        if stopping not in done:
            for task in done:
                output.line("stack", f"{waits[task]} exited with {task.result()}; stopping")
            code = 1
        stopping.cancel()
    finally:
        code = max(code, await _stop(processes, output))
        await asyncio.gather(*pipes, return_exceptions=True)
    output.line("stack", "stopped")
    return code


async def _stop(processes: dict[str, asyncio.subprocess.Process], output: _Output) -> int:
    """SIGTERM to every child still running, SIGKILL to those that outlive the grace period;
    non-zero when one had to be killed."""
    for process in processes.values():
        if process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                process.send_signal(signal.SIGTERM)
    killed = 0
    for label, process in processes.items():
        try:
            async with asyncio.timeout(STOP_GRACE_SECONDS):
                await process.wait()
        except TimeoutError:
            output.line("stack", f"{label} did not stop in {STOP_GRACE_SECONDS:.0f} s; killing it")
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            await process.wait()
            killed = 1
    return killed
