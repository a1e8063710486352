"""The health check registry: statuses, timeouts, unique names."""

from __future__ import annotations

import asyncio

import pytest

from rustok.observability.health import CheckStatus, HealthChecks, HealthStatus


async def _ok() -> None:
    return None


async def _broken() -> None:
    raise ConnectionRefusedError("10.0.0.5:5432")


async def test_all_passing_is_ok() -> None:
    checks = HealthChecks(timeout_seconds=1)
    checks.add("database", _ok, critical=True)
    checks.add("cache", _ok, critical=False)

    report = await checks.run()

    assert report.status is HealthStatus.OK
    assert report.ready is True
    assert [(c.name, c.status) for c in report.checks] == [
        ("database", CheckStatus.OK),
        ("cache", CheckStatus.OK),
    ]


async def test_a_failing_critical_check_is_unhealthy_and_names_only_the_error_type() -> None:
    checks = HealthChecks(timeout_seconds=1)
    checks.add("database", _broken, critical=True)
    checks.add("cache", _ok, critical=False)

    report = await checks.run()

    assert report.status is HealthStatus.UNHEALTHY
    assert report.ready is False
    assert report.checks[0].error == "ConnectionRefusedError"


async def test_a_failing_non_critical_check_is_degraded() -> None:
    checks = HealthChecks(timeout_seconds=1)
    checks.add("database", _ok, critical=True)
    checks.add("cache", _broken, critical=False)

    report = await checks.run()

    assert report.status is HealthStatus.DEGRADED
    assert report.ready is True


async def test_a_hanging_check_fails_at_the_timeout_without_holding_the_others() -> None:
    never = asyncio.Event()

    async def hangs() -> None:
        await never.wait()

    checks = HealthChecks(timeout_seconds=0.05)
    checks.add("transport", hangs, critical=True)
    checks.add("database", _ok, critical=True)

    report = await checks.run()

    transport, database = report.checks
    assert transport.status is CheckStatus.FAILING
    assert transport.error == "timed out after 0.05s"
    assert transport.latency_ms >= 50
    assert database.status is CheckStatus.OK


def test_check_names_are_unique() -> None:
    checks = HealthChecks(timeout_seconds=1)
    checks.add("database", _ok, critical=True)

    with pytest.raises(ValueError, match="already registered"):
        checks.add("database", _ok, critical=False)
    assert [check.name for check in checks.checks] == ["database"]
