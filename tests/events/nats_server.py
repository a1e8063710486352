"""A private nats-server process for tests that stop and restart the server.

The shared server (RUSTOK_TEST_NATS_URL) must never be restarted by a test; this one runs on a
free port with its own store directory, so a restart keeps its streams and consumers.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
from typing import TYPE_CHECKING

import pytest

from rustok.testing.services import reachable, services_required, wait_until_async

if TYPE_CHECKING:
    from pathlib import Path


def nats_server_binary() -> str:
    """The nats-server to run (RUSTOK_TEST_NATS_SERVER, or the one on PATH); skip, or fail in
    CI, when there is none."""
    binary = os.environ.get("RUSTOK_TEST_NATS_SERVER") or shutil.which("nats-server")
    if binary and os.access(binary, os.X_OK):
        return binary
    message = "no nats-server binary (set RUSTOK_TEST_NATS_SERVER or put it on PATH)"
    if services_required():
        pytest.fail(f"{message} and RUSTOK_REQUIRE_SERVICES=1", pytrace=False)
    pytest.skip(message)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class NatsServerProcess:
    def __init__(self, binary: str, store_dir: Path) -> None:
        self._binary = binary
        self._store_dir = store_dir
        self.port = free_port()
        self._process: asyncio.subprocess.Process | None = None

    @property
    def url(self) -> str:
        return f"nats://127.0.0.1:{self.port}"

    async def start(self) -> None:
        log_file = self._store_dir / "nats-server.log"
        self._process = await asyncio.create_subprocess_exec(
            self._binary,
            *("-a", "127.0.0.1", "-p", str(self.port)),
            *("-js", "-sd", str(self._store_dir), "-l", str(log_file)),
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
        )
        await wait_until_async(
            lambda: reachable(self.url, self.port, timeout=0.2),
            timeout=10,
            message=f"nats-server did not listen on {self.url}",
        )

    async def stop(self) -> None:
        """SIGTERM (a clean shutdown that persists JetStream state) and wait for the exit."""
        process, self._process = self._process, None
        if process is None or process.returncode is not None:
            return
        process.terminate()
        try:
            await asyncio.wait_for(process.wait(), timeout=10)
        except TimeoutError:
            process.kill()
            await process.wait()
