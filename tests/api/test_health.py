"""Health endpoints: the summary, liveness without dependencies, readiness that fails closed."""

from __future__ import annotations

from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

import pytest

import rustok
from rustok.bootstrap import build_container
from rustok.testing.app import client_for, settings_for_tests

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    import httpx

    from rustok.bootstrap import Container


@asynccontextmanager
async def unstarted_client(
    database_url: str, **overrides: object
) -> AsyncIterator[httpx.AsyncClient]:
    """A client of an app whose container never starts: its dependencies may be down."""
    container = build_container(settings_for_tests(database_url, **overrides))
    try:
        async with client_for(container) as client:
            yield client
    finally:
        await container.close()


async def test_the_summary_lists_every_check_with_its_latency(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/health")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["version"] == rustok.__version__
    assert {"database", "stores"} <= set(body["checks"])
    database, stores = body["checks"]["database"], body["checks"]["stores"]
    assert (database["status"], database["critical"]) == ("ok", True)
    assert (stores["status"], stores["critical"]) == ("ok", False)  # in-process, no Redis
    assert database["latency_ms"] >= 0
    assert "error" not in database


async def test_liveness_and_readiness_answer_ok(client: httpx.AsyncClient) -> None:
    live = await client.get("/api/health/live")
    ready = await client.get("/api/health/ready")

    assert (live.status_code, live.json()) == (200, {"status": "ok"})
    assert ready.status_code == 200
    assert ready.json()["status"] == "ok"


async def test_a_failing_non_critical_check_degrades_but_stays_ready(
    client: httpx.AsyncClient, container: Container
) -> None:
    async def broken() -> None:
        raise RuntimeError("secret internals")

    container.health_checks.add("search", broken, critical=False)

    summary = await client.get("/api/health")
    ready = await client.get("/api/health/ready")

    assert summary.status_code == 200
    assert summary.json()["status"] == "degraded"
    assert summary.json()["checks"]["search"] == {
        "status": "failing",
        "critical": False,
        "latency_ms": summary.json()["checks"]["search"]["latency_ms"],
        "error": "RuntimeError",
    }
    assert "secret internals" not in summary.text
    assert ready.status_code == 200


@pytest.mark.parametrize(
    "database_url",
    [
        pytest.param("sqlite+aiosqlite:////nonexistent-rustok-dir/rustok.db", id="sqlite"),
        pytest.param("postgresql+asyncpg://postgres@127.0.0.1:1/rustok", id="postgres"),
    ],
)
async def test_an_unreachable_database_makes_the_process_unready(database_url: str) -> None:
    async with unstarted_client(database_url) as client:
        ready = await client.get("/api/health/ready")
        summary = await client.get("/api/health")
        live = await client.get("/api/health/live")

    assert ready.status_code == 503
    body = ready.json()
    assert body["status"] == "unhealthy"
    assert body["checks"]["database"]["status"] == "failing"
    assert body["checks"]["database"]["critical"] is True
    assert body["checks"]["database"]["error"]
    assert body["checks"]["stores"]["status"] == "ok"
    assert summary.status_code == 503
    assert live.status_code == 200


async def test_an_unreachable_redis_is_critical(database_url: str) -> None:
    async with unstarted_client(database_url, redis_url="redis://127.0.0.1:1/0") as client:
        ready = await client.get("/api/health/ready")

    assert ready.status_code == 503
    checks = ready.json()["checks"]
    assert checks["stores"]["status"] == "failing"
    assert checks["stores"]["critical"] is True
    assert checks["stores"]["error"] == "Unavailable"
    assert checks["database"]["status"] == "ok"
