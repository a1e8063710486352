"""Prometheus metrics of the platform, all in one registry served at `/metrics`."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter

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
