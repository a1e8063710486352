"""The HTTP edge: FastAPI app, middleware, REST routers, problem+json answers."""
