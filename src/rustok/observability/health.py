"""Health checks: named async probes run concurrently, each with a timeout and its latency.

The composition root registers the checks (database, stores; later event transport and
outbox lag). A failing critical check makes the process unhealthy (not ready for traffic);
a failing non-critical one only degrades it.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

import structlog

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

log = structlog.get_logger(__name__)


class CheckFailed(Exception):
    """A check's own explanation of what is wrong, safe to show to callers
    ("200 events pending, oldest 34 s"); other errors show only their class."""


class HealthStatus(StrEnum):
    OK = "ok"
    DEGRADED = "degraded"
    UNHEALTHY = "unhealthy"


class CheckStatus(StrEnum):
    OK = "ok"
    FAILING = "failing"


@dataclass(frozen=True, slots=True)
class HealthCheck:
    """`probe` returns when the dependency is usable and raises when it is not."""

    name: str
    probe: Callable[[], Awaitable[object]]
    critical: bool


@dataclass(frozen=True, slots=True)
class CheckResult:
    name: str
    status: CheckStatus
    critical: bool
    latency_ms: float
    error: str | None = None
    """A short reason: a `CheckFailed` message, the timeout, or the error's class (whose
    details, which may name internals, go to the log only)."""


@dataclass(frozen=True, slots=True)
class HealthReport:
    status: HealthStatus
    checks: tuple[CheckResult, ...]

    @property
    def ready(self) -> bool:
        """Whether every critical check passed."""
        return self.status is not HealthStatus.UNHEALTHY


class HealthChecks:
    """The registry of checks of one process."""

    def __init__(self, *, timeout_seconds: float) -> None:
        self._timeout = timeout_seconds
        self._checks: list[HealthCheck] = []

    @property
    def checks(self) -> tuple[HealthCheck, ...]:
        return tuple(self._checks)

    def add(self, name: str, probe: Callable[[], Awaitable[object]], *, critical: bool) -> None:
        """Register a check; names are unique because they key the health report."""
        if any(check.name == name for check in self._checks):
            raise ValueError(f"a health check named {name!r} is already registered")
        self._checks.append(HealthCheck(name, probe, critical))

    async def run(self) -> HealthReport:
        """Run every check concurrently; a slow one costs at most the timeout."""
        results = tuple(await asyncio.gather(*(self._run(check) for check in self._checks)))
        if any(r.status is CheckStatus.FAILING and r.critical for r in results):
            status = HealthStatus.UNHEALTHY
        elif any(r.status is CheckStatus.FAILING for r in results):
            status = HealthStatus.DEGRADED
        else:
            status = HealthStatus.OK
        return HealthReport(status, results)

    async def _run(self, check: HealthCheck) -> CheckResult:
        started = time.perf_counter()
        error: str | None = None
        try:
            async with asyncio.timeout(self._timeout):
                await check.probe()
        except TimeoutError:
            error = detail = f"timed out after {self._timeout}s"
        except CheckFailed as exc:
            error = detail = str(exc)[:300]
        except Exception as exc:
            error, detail = type(exc).__name__, str(exc)
        latency_ms = round((time.perf_counter() - started) * 1000, 2)
        if error is not None:
            log.warning("health.check_failed", check=check.name, error=error, detail=detail[:500])
        return CheckResult(
            name=check.name,
            status=CheckStatus.OK if error is None else CheckStatus.FAILING,
            critical=check.critical,
            latency_ms=latency_ms,
            error=error,
        )
