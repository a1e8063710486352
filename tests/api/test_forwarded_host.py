"""`X-Forwarded-Host` names the tenant only when a trusted proxy sent it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rustok.testing.factories import make_tenant

if TYPE_CHECKING:
    from collections.abc import Callable
    from contextlib import AbstractAsyncContextManager

    import httpx

    from rustok.bootstrap import Container

    MakeClient = Callable[..., AbstractAsyncContextManager[httpx.AsyncClient]]


async def test_forwarded_host_from_an_untrusted_peer_is_ignored(
    make_client: MakeClient, container: Container
) -> None:
    await make_tenant(container, slug="shop", domain="shop.example.com")

    # The test transport connects from 127.0.0.1, which is no proxy of ours here.
    async with make_client(trusted_proxies=["10.0.0.0/8"]) as client:
        response = await client.get("/api/tenant", headers={"X-Forwarded-Host": "shop.example.com"})

    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "TENANT_REQUIRED"


async def test_forwarded_host_from_a_trusted_proxy_names_the_tenant(
    make_client: MakeClient, container: Container
) -> None:
    shop = await make_tenant(container, slug="shop", domain="shop.example.com")
    await make_tenant(container, slug="evil", domain="evil.example.com")

    async with make_client(trusted_proxies=["127.0.0.1"]) as client:
        forwarded = await client.get(
            "/api/tenant", headers={"X-Forwarded-Host": "SHOP.example.com"}
        )
        # A client may send its own value ahead of ours: the proxy's, the last, counts.
        prepended = await client.get(
            "/api/tenant", headers={"X-Forwarded-Host": "evil.example.com, shop.example.com"}
        )

    assert (forwarded.status_code, forwarded.json()["id"]) == (200, str(shop.id))
    assert (prepended.status_code, prepended.json()["id"]) == (200, str(shop.id))
