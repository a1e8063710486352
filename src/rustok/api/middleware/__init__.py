"""Pure ASGI middleware, outermost first: request id, body limit, tenant, auth hint, rate limit."""
