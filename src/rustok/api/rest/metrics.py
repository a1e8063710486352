"""`GET /metrics`: the platform's Prometheus registry in the text exposition format."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter
from prometheus_client import CONTENT_TYPE_LATEST
from starlette.responses import Response

from rustok.api.deps import public
from rustok.observability.metrics import render_metrics

router = APIRouter(tags=["observability"])


@router.get(
    "/metrics",
    response_class=Response,
    responses={200: {"content": {CONTENT_TYPE_LATEST: {}}}},
    summary="Prometheus metrics",
)
async def metrics(_: Annotated[None, public()]) -> Response:
    return Response(await render_metrics(), media_type=CONTENT_TYPE_LATEST)
