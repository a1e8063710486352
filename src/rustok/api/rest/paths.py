"""Which paths are tenant-less probes or documentation, and which are rate-limit exempt."""

from __future__ import annotations

TENANTLESS_PREFIXES = ("/api/health", "/api/docs", "/api/openapi.json", "/api/redoc")
RATE_LIMIT_EXEMPT = frozenset({"/api/health/live", "/api/health/ready", "/metrics"})


def needs_tenant(path: str) -> bool:
    return path.startswith("/api/") and not path.startswith(TENANTLESS_PREFIXES)
