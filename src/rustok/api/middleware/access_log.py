"""One structured `http.request` log line and the HTTP metrics of every request.

The edge (`rustok.api.middleware.edge`) records each request here when it ends, so the
answers given before routing (413, 404 for an unknown tenant, 429) are recorded too.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import structlog
from fastapi.routing import iter_route_contexts

from rustok.observability.logging import ACCESS_LOG
from rustok.observability.metrics import (
    HTTP_REQUEST_DURATION,
    HTTP_REQUESTS,
    UNMATCHED_ROUTE,
    method_label,
)

if TYPE_CHECKING:
    from fastapi.routing import RouteContext
    from prometheus_client import Counter, Histogram
    from starlette.types import Scope


class RouteTemplates:
    """The route template (`/api/admin/tenants/{tenant_id}`) of a request, for labels and logs.

    Starlette leaves the matched route in `scope["route"]`, but FastAPI keeps the routes of
    an included router un-prefixed (`/admin/tenants/{tenant_id}`) and resolves the prefix
    through a route context; `iter_route_contexts` lists the full templates. The index from
    route to template is built on first use and again if a route appears that it lacks.
    """

    def __init__(self) -> None:
        self._app: Any = None
        self._by_route: dict[int, list[RouteContext]] = {}
        self._contexts: list[RouteContext] = []

    def template(self, scope: Scope) -> str:
        app = scope.get("app")
        if app is None:
            return UNMATCHED_ROUTE
        if app is not self._app:
            self._index(app)
        route = scope.get("route")
        if route is None:
            # The router ran and matched nothing (404), or a middleware answered before
            # routing (413, 429): then name the route the request was meant for.
            return UNMATCHED_ROUTE if "router" in scope else self._match(scope)
        contexts = self._by_route.get(id(route))
        if contexts is None:
            self._index(app)
            contexts = self._by_route.get(id(route))
        if not contexts:
            return getattr(route, "path_format", None) or UNMATCHED_ROUTE
        if len(contexts) == 1:
            return str(contexts[0].path_format)
        # One route included under several prefixes: the path tells which one ran.
        for context in contexts:
            if context.path_regex.match(scope["path"]):
                return str(context.path_format)
        return str(contexts[0].path_format)

    def _index(self, app: Any) -> None:
        self._app = app
        self._contexts = list(iter_route_contexts(getattr(app, "routes", [])))
        by_route: dict[int, list[RouteContext]] = {}
        for context in self._contexts:
            by_route.setdefault(id(context.original_route), []).append(context)
        self._by_route = by_route

    def _match(self, scope: Scope) -> str:
        partial: str | None = None
        for context in self._contexts:
            regex = getattr(context, "path_regex", None)
            if regex is None or not regex.match(scope["path"]):
                continue
            methods = context.methods
            if not methods or scope["method"] in methods:
                return str(context.path_format)
            partial = partial or str(context.path_format)
        return partial or UNMATCHED_ROUTE


class AccessLog:
    """The `http.request` line and the HTTP metrics of one finished request."""

    def __init__(self) -> None:
        self._templates = RouteTemplates()
        # The metrics' children per label values, since `labels()` looks them up under a
        # lock on every call; bounded like the labels (methods, route templates, statuses).
        self._counters: dict[tuple[str, str, int], Counter] = {}
        self._histograms: dict[tuple[str, str], Histogram] = {}

    def record(self, scope: Scope, status: int, duration: float) -> None:
        route = self._templates.template(scope)
        method = method_label(scope["method"])
        counter = self._counters.get((method, route, status))
        if counter is None:
            counter = HTTP_REQUESTS.labels(method=method, route=route, status=str(status))
            self._counters[method, route, status] = counter
        counter.inc()
        histogram = self._histograms.get((method, route))
        if histogram is None:
            histogram = HTTP_REQUEST_DURATION.labels(method=method, route=route)
            self._histograms[method, route] = histogram
        histogram.observe(duration)
        context = structlog.contextvars.get_contextvars()
        ACCESS_LOG(
            logging.WARNING if status >= 500 else logging.INFO,
            "http.request",
            method=scope["method"],
            route=route,
            path=scope["path"],
            status=status,
            duration_ms=round(duration * 1000, 2),
            tenant=context.get("tenant"),
            user=context.get("user"),
            request_id=context.get("request_id"),
        )
