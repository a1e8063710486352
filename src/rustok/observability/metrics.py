"""Prometheus metrics of the platform, all in one registry served at `/metrics`.

Counters and histograms count in the process where things happen. Gauges that describe shared
state (the outbox, dead letters, JetStream backlogs) are read from their source when scraped:
`render_metrics()` runs the refreshers a process registered, then renders the registry.
"""

from __future__ import annotations

import asyncio
import hmac
from collections.abc import Awaitable, Callable

import structlog
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

log = structlog.get_logger(__name__)

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


DB_POOL_CONNECTIONS = Gauge(
    "rustok_db_pool_connections",
    "Database connections of this process's pool, by state (in_use, idle, overflow), "
    "and its configured size (size).",
    ["state"],
    registry=REGISTRY,
)

_REFRESH_TIMEOUT_SECONDS = 2.0
"""A scrape waits at most this long for shared state; a slow source leaves its old value."""

ScrapeRefresher = Callable[[], Awaitable[object]]
_refreshers: list[ScrapeRefresher] = []


def refresh_on_scrape(refresher: ScrapeRefresher) -> None:
    """Run `refresher` before every scrape of this process (until `forget_on_scrape`)."""
    _refreshers.append(refresher)


def forget_on_scrape(refresher: ScrapeRefresher) -> None:
    if refresher in _refreshers:
        _refreshers.remove(refresher)


async def render_metrics() -> bytes:
    """The registry in the text exposition format, shared gauges read just now."""
    for refresher in list(_refreshers):
        try:
            async with asyncio.timeout(_REFRESH_TIMEOUT_SECONDS):
                await refresher()
        except Exception as error:
            log.warning("metrics.refresh_failed", error=f"{type(error).__name__}: {error}"[:300])
    return generate_latest(REGISTRY)


def token_accepted(authorization: str | None, token: str | None) -> bool:
    """No token configured accepts anyone; else the header must carry exactly that bearer.
    Every `/metrics` (the API's, its separate port, the workers') applies this one rule."""
    if token is None:
        return True
    scheme, _, given = (authorization or "").partition(" ")
    # Compared in constant time: the answer's timing must not reveal a prefix of the token.
    return scheme.lower() == "bearer" and hmac.compare_digest(given.strip(), token)
