"""The tenant resolver: caching, coalesced loads (stampede), negative answers, invalidation."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from rustok.observability.metrics import TENANT_CACHE_COALESCED
from rustok.tenancy.errors import TenantNotFound
from rustok.tenancy.identifiers import TenantKey
from rustok.tenancy.schemas import TenantUpdate

if TYPE_CHECKING:
    import pytest

    from rustok.bootstrap import Container
    from rustok.tenancy.schemas import TenantDetail


async def test_a_thousand_cold_requests_cause_exactly_one_database_load(
    container: Container, tenant: TenantDetail
) -> None:
    resolver = container.tenant_resolver
    resolver.clear()
    loads_before = resolver.database_loads
    coalesced_before = TENANT_CACHE_COALESCED._value.get()

    results = await asyncio.gather(
        *(resolver.resolve(TenantKey("slug", "acme")) for _ in range(1000))
    )

    assert resolver.database_loads - loads_before == 1
    assert {result.id for result in results} == {tenant.id}
    assert TENANT_CACHE_COALESCED._value.get() - coalesced_before == 999


async def test_a_not_found_answer_is_shared_and_cached(container: Container) -> None:
    resolver = container.tenant_resolver
    loads_before = resolver.database_loads

    results = await asyncio.gather(
        *(resolver.resolve(TenantKey("slug", "nobody")) for _ in range(500)),
        return_exceptions=True,
    )
    again = await resolver.find(TenantKey("slug", "nobody"))

    assert all(isinstance(result, TenantNotFound) for result in results)
    assert again is None
    assert resolver.database_loads - loads_before == 1


async def test_a_loader_error_reaches_every_waiter_and_is_not_cached(
    container: Container, tenant: TenantDetail, monkeypatch: pytest.MonkeyPatch
) -> None:
    resolver = container.tenant_resolver
    resolver.clear()
    real_load = resolver._load_from_database
    calls = 0

    async def failing_once(key: TenantKey) -> object:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise ConnectionError("database went away")
        return await real_load(key)

    monkeypatch.setattr(resolver, "_load_from_database", failing_once)
    results = await asyncio.gather(
        *(resolver.resolve(TenantKey("slug", "acme")) for _ in range(100)),
        return_exceptions=True,
    )
    recovered = await resolver.resolve(TenantKey("slug", "acme"))

    assert all(isinstance(result, ConnectionError) for result in results)
    assert calls == 2
    assert recovered.id == tenant.id


async def test_cancelling_the_first_caller_leaves_no_waiter_hanging(
    container: Container, tenant: TenantDetail, monkeypatch: pytest.MonkeyPatch
) -> None:
    resolver = container.tenant_resolver
    resolver.clear()
    release = asyncio.Event()
    real_load = resolver._load_from_database

    async def slow_load(key: TenantKey) -> object:
        await release.wait()
        return await real_load(key)

    monkeypatch.setattr(resolver, "_load_from_database", slow_load)
    first = asyncio.ensure_future(resolver.resolve(TenantKey("slug", "acme")))
    await asyncio.sleep(0)
    waiters = [
        asyncio.ensure_future(resolver.resolve(TenantKey("slug", "acme"))) for _ in range(10)
    ]
    await asyncio.sleep(0)
    first.cancel()
    release.set()

    results = await asyncio.wait_for(asyncio.gather(*waiters), timeout=5)

    assert first.cancelled()
    assert {result.id for result in results} == {tenant.id}


async def test_an_update_is_seen_at_once_through_every_key(
    container: Container, tenant: TenantDetail
) -> None:
    resolver = container.tenant_resolver
    await resolver.resolve(TenantKey("slug", "acme"))
    await resolver.find(TenantKey("host", "shop.acme.test"))  # cached as "no such host"

    await container.tenants.update_tenant(
        tenant.id, TenantUpdate(name="Acme Renamed", domain="shop.acme.test")
    )

    by_slug = await resolver.resolve(TenantKey("slug", "acme"))
    by_host = await resolver.resolve(TenantKey("host", "shop.acme.test"))
    assert by_slug.name == "Acme Renamed"
    assert by_host.id == tenant.id
