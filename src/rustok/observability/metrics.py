"""Prometheus metrics of the platform, all in one registry served at `/metrics`."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram

REGISTRY = CollectorRegistry(auto_describe=True)

TENANT_CACHE_HITS = Counter(
    "rustok_tenant_cache_hits", "Tenant lookups answered from cache.", registry=REGISTRY
)
TENANT_CACHE_MISSES = Counter(
    "rustok_tenant_cache_misses", "Tenant lookups that had to load.", registry=REGISTRY
)
TENANT_CACHE_COALESCED = Counter(
    "rustok_tenant_cache_coalesced",
    "Tenant lookups that waited for a load already under way instead of starting one.",
    registry=REGISTRY,
)

# Labels stay bounded: `route` is the route template (never the raw path, which is
# unbounded), `method` is one of HTTP_METHODS or "OTHER", `status` is a 3-digit code.
HTTP_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
UNMATCHED_ROUTE = "unmatched"

HTTP_REQUESTS = Counter(
    "rustok_http_requests_total",
    "HTTP requests answered, by method, route template and status.",
    ["method", "route", "status"],
    registry=REGISTRY,
)
HTTP_REQUEST_DURATION = Histogram(
    "rustok_http_request_duration_seconds",
    "Time from receiving a request to finishing its response, by method and route template.",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
    registry=REGISTRY,
)
RATE_LIMIT_REJECTIONS = Counter(
    "rustok_rate_limit_rejections_total",
    "Requests refused with 429, by the budget that refused them (default, auth, tenant).",
    ["route_class"],
    registry=REGISTRY,
)


def method_label(method: str) -> str:
    return method if method in HTTP_METHODS else "OTHER"
