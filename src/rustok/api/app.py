"""The FastAPI application, composed from the container's module registry."""

from __future__ import annotations

from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from fastapi import FastAPI

import rustok
from rustok.api.graphql.schema import build_schema, graphql_router
from rustok.api.middleware.edge import Edge
from rustok.api.openapi import install_openapi
from rustok.api.problems import install_problem_handlers
from rustok.api.rest.events import router as events_router
from rustok.api.rest.health import router as health_router
from rustok.api.rest.metrics import metrics_on_api_port
from rustok.api.rest.metrics import router as metrics_router
from rustok.web.access import module_guard

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Callable

    from rustok.bootstrap import Container


def create_app(
    container: Container,
    *,
    manage_container: bool = True,
    after_start: Callable[[], None] | None = None,
) -> FastAPI:
    """Assemble the app; with `manage_container` the app's lifespan starts and closes it.

    `after_start` runs once the container has started (the server's entry point freezes the
    startup heap there: `rustok.bootstrap.freeze_startup_heap`).
    """

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await container.start()
        if after_start is not None:
            after_start()
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

    # The one middleware: request id, limits, tenant, rate limits, access log (and tracing).
    app.add_middleware(Edge, container=container)
    return app
