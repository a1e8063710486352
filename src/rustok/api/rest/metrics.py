"""`GET /metrics`: the platform's Prometheus registry in the text exposition format.

Where it is served (README, "Metrics"):

- `RUSTOK_METRICS_PORT` set: only on that port, by `rustok serve` (not on the API's port);
- `RUSTOK_METRICS_TOKEN` set: only with `Authorization: Bearer <token>`, on either port;
- neither, in production: nowhere (the route is not mounted), since route names, tenants'
  request rates and error counts are no business of the public;
- neither, elsewhere: openly on the API's port, as in development.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Annotated

import orjson
from fastapi import APIRouter, Depends, Request
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.responses import Response

from rustok.api.problems import PROBLEM_JSON, problem_body
from rustok.core.errors import Unauthenticated
from rustok.core.settings import Environment
from rustok.observability.metrics import REGISTRY, render_metrics, token_accepted
from rustok.web.access import container_of, public

if TYPE_CHECKING:
    from collections.abc import Callable
    from wsgiref.types import StartResponse, WSGIEnvironment

    from rustok.core.settings import Settings

router = APIRouter(tags=["observability"])

_EXAMPLE = (
    "# HELP rustok_tenant_cache_hits_total Tenant lookups answered from cache.\n"
    "# TYPE rustok_tenant_cache_hits_total counter\n"
    "rustok_tenant_cache_hits_total 42.0\n"
)


def metrics_on_api_port(settings: Settings) -> bool:
    """Whether the API's own port mounts `/metrics`."""
    if settings.metrics_port is not None:
        return False
    return settings.metrics_token is not None or settings.env != Environment.PRODUCTION


async def _metrics_token(request: Request) -> None:
    token = container_of(request).settings.metrics_token
    if not token_accepted(request.headers.get("authorization"), token):
        raise Unauthenticated(
            "Send 'Authorization: Bearer <RUSTOK_METRICS_TOKEN>'.", code="METRICS_TOKEN_REQUIRED"
        )


@router.get(
    "/metrics",
    response_class=Response,
    responses={200: {"content": {CONTENT_TYPE_LATEST: {"example": _EXAMPLE}}}},
    summary="Prometheus metrics",
    dependencies=[Depends(_metrics_token)],
)
async def metrics(_: Annotated[None, public()]) -> Response:
    return Response(await render_metrics(), media_type=CONTENT_TYPE_LATEST)


def metrics_wsgi_app(token: str | None) -> Callable[[WSGIEnvironment, StartResponse], list[bytes]]:
    """The `/metrics` answer for the separate metrics port: the same registry and token rule."""

    def app(environ: WSGIEnvironment, start_response: StartResponse) -> list[bytes]:
        if environ.get("PATH_INFO") != "/metrics":
            return _problem(start_response, 404, "NOT_FOUND", "Only /metrics is served here.")
        if environ.get("REQUEST_METHOD") not in {"GET", "HEAD"}:
            return _problem(start_response, 405, "METHOD_NOT_ALLOWED", "Use GET.", allow=True)
        if not token_accepted(environ.get("HTTP_AUTHORIZATION"), token):
            return _problem(
                start_response,
                401,
                "METRICS_TOKEN_REQUIRED",
                "Send 'Authorization: Bearer <RUSTOK_METRICS_TOKEN>'.",
            )
        body = generate_latest(REGISTRY)
        start_response(
            "200 OK", [("Content-Type", CONTENT_TYPE_LATEST), ("Content-Length", str(len(body)))]
        )
        return [body]

    return app


def _problem(
    start_response: StartResponse, status: int, code: str, detail: str, *, allow: bool = False
) -> list[bytes]:
    body = orjson.dumps(problem_body(status, code=code, detail=detail, request_id=None))
    headers = [("Content-Type", PROBLEM_JSON), ("Content-Length", str(len(body)))]
    if status == 401:
        headers.append(("WWW-Authenticate", "Bearer"))
    if allow:
        headers.append(("Allow", "GET, HEAD"))
    reasons = {401: "Unauthorized", 404: "Not Found", 405: "Method Not Allowed"}
    start_response(f"{status} {reasons[status]}", headers)
    return [body]


def serve_metrics_port(host: str, port: int, token: str | None) -> None:
    """Serve `/metrics` on `host:port` from a daemon thread of this process."""
    from socketserver import ThreadingMixIn
    from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

    class QuietHandler(WSGIRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            """Scrapes are not access-logged: Prometheus would fill the log every few seconds."""

    class ThreadedServer(ThreadingMixIn, WSGIServer):
        daemon_threads = True

    server = make_server(
        host, port, metrics_wsgi_app(token), server_class=ThreadedServer, handler_class=QuietHandler
    )
    threading.Thread(target=server.serve_forever, name="rustok-metrics", daemon=True).start()
