"""Pure ASGI middleware, outermost first: request id and access log, limits, tenant, rate limit."""
