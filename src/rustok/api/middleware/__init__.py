"""Pure ASGI middleware, outermost first: request id, access log, limits, tenant, rate limit."""
