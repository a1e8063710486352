"""The FastAPI application, composed from the container's module registry."""

from __future__ import annotations

from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from fastapi import FastAPI

import rustok
from rustok.api.graphql.schema import build_schema, graphql_router
from rustok.api.middleware.access_log import AccessLogMiddleware
from rustok.api.middleware.limits import RequestLimitsMiddleware
from rustok.api.middleware.rate_limit import RateLimitMiddleware
from rustok.api.middleware.tenant import TenantMiddleware
from rustok.api.openapi import install_openapi
from rustok.api.problems import install_problem_handlers
from rustok.api.rest.events import router as events_router
from rustok.api.rest.health import router as health_router
from rustok.api.rest.metrics import metrics_on_api_port
from rustok.api.rest.metrics import router as metrics_router
from rustok.observability.tracing import TracingMiddleware
from rustok.web.access import module_guard

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from rustok.bootstrap import Container

MULTIPART_FRAMING = 64 * 1024


def create_app(container: Container, *, manage_container: bool = True) -> FastAPI:
    """Assemble the app; with `manage_container` the app's lifespan starts and closes it."""

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await container.start()
        try:
            yield
        finally:
            if manage_container:
                await container.close()

    app = FastAPI(
        title="RusToK",
        version=rustok.__version__,
        description="Multi-tenant headless platform for content and commerce.",
        openapi_url="/api/openapi.json",
        docs_url="/api/docs",
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.container = container
    install_problem_handlers(app)
    app.include_router(health_router, prefix="/api")
    if metrics_on_api_port(container.settings):
        app.include_router(metrics_router)
    app.include_router(events_router, prefix="/api")
    schema = build_schema(container.registry)
    app.state.graphql_schema = schema
    app.include_router(graphql_router(schema), prefix="/api/graphql", tags=["graphql"])
    for module in container.registry:
        guard = [] if module.core else [module_guard(module.slug, module.enabled_by_default)]
        for router in module.load_routers():
            # The module's slug is its tag: the OpenAPI document groups (and names, see
            # `operation_id`) a module's operations by it.
            app.include_router(router, prefix="/api", dependencies=guard, tags=[module.slug])

    install_openapi(app)

    settings = container.settings
    # add_middleware wraps: the last one added is the outermost.
    app.add_middleware(RateLimitMiddleware, container=container)
    app.add_middleware(
        TenantMiddleware,
        resolver=container.tenant_resolver,
        default_tenant=settings.default_tenant,
        trusted_proxies=settings.trusted_proxies,
    )
    app.add_middleware(
        RequestLimitsMiddleware,
        max_body_bytes=settings.max_body_bytes,
        body_timeout_seconds=settings.body_read_timeout_seconds,
        max_headers=settings.max_headers,
        max_header_bytes=settings.max_header_bytes,
        # A multipart body carries the file and a few hundred bytes of framing around it; the
        # media service holds the file itself to the exact limit.
        large_bodies={
            ("POST", "/api/content/media"): settings.media_max_upload_bytes + MULTIPART_FRAMING
        },
    )
    app.add_middleware(AccessLogMiddleware)  # and the request id
    app.add_middleware(TracingMiddleware, settings=settings)
    return app
