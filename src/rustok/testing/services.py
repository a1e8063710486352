"""Where the test services are, and whether a missing one skips or fails the test."""

from __future__ import annotations

import asyncio
import os
import socket
from urllib.parse import urlsplit

import pytest

DEFAULT_POSTGRES = "postgresql+asyncpg://postgres@127.0.0.1:5432/"
DEFAULT_REDIS = "redis://127.0.0.1:6379/0"
DEFAULT_NATS = "nats://127.0.0.1:4222"


def services_required() -> bool:
    """With RUSTOK_REQUIRE_SERVICES=1 (CI), an unreachable service fails its tests."""
    # Case and spaces are forgiven: a CI that sets `TRUE` must not skip its service tests.
    return os.environ.get("RUSTOK_REQUIRE_SERVICES", "").strip().lower() in {"1", "true", "yes"}


def postgres_url() -> str:
    return os.environ.get("RUSTOK_TEST_DATABASE_URL", DEFAULT_POSTGRES)


def redis_url() -> str:
    return os.environ.get("RUSTOK_TEST_REDIS_URL", DEFAULT_REDIS)


def nats_url() -> str:
    return os.environ.get("RUSTOK_TEST_NATS_URL", DEFAULT_NATS)


def reachable(url: str, default_port: int, timeout: float = 1.0) -> bool:
    parts = urlsplit(url.replace("+asyncpg", ""))
    host = parts.hostname or "127.0.0.1"
    port = parts.port or default_port
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def need(service: str, url: str, default_port: int) -> None:
    """Skip (or, when services are required, fail) unless `service` answers at `url`."""
    if reachable(url, default_port):
        return
    message = f"{service} is not reachable at {url}"
    if services_required():
        pytest.fail(f"{message} and RUSTOK_REQUIRE_SERVICES=1", pytrace=False)
    pytest.skip(message)


async def wait_until_async(
    condition: object, *, timeout: float = 5.0, interval: float = 0.01, message: str = ""
) -> None:
    """Poll `condition` (a sync or async callable) until it is truthy, or fail at the deadline."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        result = condition()  # type: ignore[operator]
        if asyncio.iscoroutine(result):
            result = await result
        if result:
            return
        if loop.time() >= deadline:
            raise AssertionError(message or f"condition not met within {timeout}s")
        await asyncio.sleep(interval)
