"""Health probes: a summary for people and dashboards, liveness and readiness for orchestrators."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter
from pydantic import BaseModel
from starlette.responses import Response

import rustok
from rustok.observability.health import CheckStatus, HealthReport, HealthStatus
from rustok.web.access import ContainerDep, public

router = APIRouter(prefix="/health", tags=["health"])


class CheckRead(BaseModel):
    status: CheckStatus
    critical: bool
    latency_ms: float
    error: str | None = None


class HealthRead(BaseModel):
    status: HealthStatus
    version: str
    checks: dict[str, CheckRead]


class LiveRead(BaseModel):
    status: Literal["ok"] = "ok"


_UNHEALTHY: dict[int | str, dict[str, Any]] = {
    503: {"model": HealthRead, "description": "A critical check failed."}
}


def _report_response(report: HealthReport) -> Response:
    body = HealthRead(
        status=report.status,
        version=rustok.__version__,
        checks={
            check.name: CheckRead(
                status=check.status,
                critical=check.critical,
                latency_ms=check.latency_ms,
                error=check.error,
            )
            for check in report.checks
        },
    )
    return Response(
        body.model_dump_json(exclude_none=True),
        status_code=200 if report.ready else 503,
        media_type="application/json",
    )


@router.get(
    "",
    response_model=HealthRead,
    responses=_UNHEALTHY,
    summary="Every check with its status and latency (503 when unhealthy)",
)
async def health(container: ContainerDep, _: Annotated[None, public()]) -> Response:
    return _report_response(await container.health_checks.run())


@router.get(
    "/live",
    response_model=LiveRead,
    summary="The process answers; touches no dependency",
)
async def live(_: Annotated[None, public()]) -> LiveRead:
    return LiveRead()


@router.get(
    "/ready",
    response_model=HealthRead,
    responses=_UNHEALTHY,
    summary="Whether to send traffic here: 503 while a critical check fails",
)
async def ready(container: ContainerDep, _: Annotated[None, public()]) -> Response:
    return _report_response(await container.health_checks.run())
