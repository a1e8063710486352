"""Rate limiting at the HTTP edge: 429 problem answers, headers, exemptions, keying."""

from __future__ import annotations

import ipaddress
from typing import TYPE_CHECKING

import pytest

from rustok.api.middleware.proxies import client_ip, trusted_networks
from rustok.bootstrap import build_container
from rustok.core.settings import SettingsError, load_settings
from rustok.observability.metrics import REGISTRY
from rustok.testing.app import client_for, settings_for_tests
from rustok.testing.factories import DEFAULT_PASSWORD, auth_headers, make_user, user_token

if TYPE_CHECKING:
    from collections.abc import Callable
    from contextlib import AbstractAsyncContextManager

    import httpx

    from rustok.bootstrap import Container
    from rustok.tenancy.schemas import TenantDetail

    MakeClient = Callable[..., AbstractAsyncContextManager[httpx.AsyncClient]]

HEADERS = ("RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset")


def _limit_headers(response: httpx.Response) -> dict[str, str]:
    found = {}
    for name in HEADERS:
        for spelling in (name, f"X-{name}"):
            if spelling in response.headers:
                found[spelling] = response.headers[spelling]
    return found


def _rejections(route_class: str) -> float:
    value = REGISTRY.get_sample_value(
        "rustok_rate_limit_rejections_total", {"route_class": route_class}
    )
    return value or 0.0


async def test_the_101st_request_from_one_ip_in_a_minute_is_429(client: httpx.AsyncClient) -> None:
    rejections_before = _rejections("default")

    responses = [await client.get("/api/health") for _ in range(101)]

    assert [r.status_code for r in responses[:100]] == [200] * 100
    first, last_allowed, refused = responses[0], responses[99], responses[100]
    assert _limit_headers(first) == {
        "RateLimit-Limit": "100",
        "X-RateLimit-Limit": "100",
        "RateLimit-Remaining": "99",
        "X-RateLimit-Remaining": "99",
        "RateLimit-Reset": "60",
        "X-RateLimit-Reset": "60",
    }
    assert last_allowed.headers["RateLimit-Remaining"] == "0"

    assert refused.status_code == 429
    assert refused.headers["content-type"] == "application/problem+json"
    body = refused.json()
    assert body["code"] == "RATE_LIMITED"
    assert body["status"] == 429
    assert body["request_id"] == refused.headers["x-request-id"]
    retry_after = int(refused.headers["Retry-After"])
    assert 1 <= retry_after <= 60
    assert refused.headers["RateLimit-Limit"] == "100"
    assert refused.headers["RateLimit-Remaining"] == "0"
    assert refused.headers["RateLimit-Reset"] == str(retry_after)
    assert refused.headers["X-RateLimit-Reset"] == str(retry_after)
    assert _rejections("default") - rejections_before == 1


@pytest.mark.parametrize("path", ["/api/health/live", "/api/health/ready", "/metrics"])
async def test_probes_and_metrics_are_never_limited(make_client: MakeClient, path: str) -> None:
    async with make_client(rate_limit_default="2/60") as client:
        responses = [await client.get(path) for _ in range(5)]

    assert [r.status_code for r in responses] == [200] * 5
    assert [_limit_headers(r) for r in responses] == [{}] * 5


async def test_disabled_rate_limiting_neither_limits_nor_adds_headers(
    make_client: MakeClient,
) -> None:
    async with make_client(rate_limit_enabled=False, rate_limit_default="2/60") as client:
        responses = [await client.get("/api/health") for _ in range(5)]

    assert [r.status_code for r in responses] == [200] * 5
    assert [_limit_headers(r) for r in responses] == [{}] * 5


async def test_accounts_do_not_multiply_the_budget_of_one_ip(
    make_client: MakeClient, container: Container, tenant: TenantDetail
) -> None:
    async with make_client(rate_limit_default="3/60") as client:
        tokens = [
            await user_token(client, container, tenant, email=f"throwaway{n}@example.com")
            for n in range(3)
        ]
        statuses = [
            (await client.get("/api/tenant", headers=auth_headers(tenant, token))).status_code
            for token in tokens * 2
        ]
        anonymous = await client.get("/api/tenant", headers=auth_headers(tenant))

    assert statuses == [200, 200, 200, 429, 429, 429]
    assert anonymous.status_code == 429
    assert anonymous.headers["RateLimit-Limit"] == "3"


async def test_a_user_keeps_one_budget_across_ips(
    make_client: MakeClient, container: Container, tenant: TenantDetail
) -> None:
    async with make_client(rate_limit_default="3/60", trusted_proxies=["127.0.0.1"]) as client:
        alice = await user_token(client, container, tenant, email="alice@example.com")
        spread = [
            (
                await client.get(
                    "/api/tenant",
                    headers={
                        **auth_headers(tenant, alice),
                        "X-Forwarded-For": f"198.51.100.{n}",
                    },
                )
            ).status_code
            for n in range(4)
        ]
        forged = await client.get(
            "/api/tenant",
            headers={**auth_headers(tenant, alice + "x"), "X-Forwarded-For": "198.51.100.9"},
        )

    assert spread == [200, 200, 200, 429]
    # A token that does not verify is keyed by IP alone, like any anonymous request.
    assert forged.status_code == 200
    assert forged.headers["RateLimit-Remaining"] == "2"


async def test_registration_is_limited_per_ip(
    make_client: MakeClient, tenant: TenantDetail
) -> None:
    rejections_before = _rejections("register")

    async def register(n: int, address: str) -> httpx.Response:
        return await client.post(
            "/api/auth/register",
            json={"email": f"new{n}@example.com", "password": "a-long-secret"},
            headers={**auth_headers(tenant), "X-Forwarded-For": address},
        )

    async with make_client(rate_limit_register="2/3600", trusted_proxies=["127.0.0.1"]) as client:
        from_one_ip = [await register(n, "198.51.100.1") for n in range(3)]
        from_another = await register(3, "198.51.100.2")

    assert [r.status_code for r in from_one_ip] == [201, 201, 429]
    refused = from_one_ip[-1]
    assert refused.json()["code"] == "RATE_LIMITED"
    assert refused.headers["RateLimit-Limit"] == "2"
    # The window opened with the first request; on a loaded machine a second may have passed.
    assert 3590 <= int(refused.headers["Retry-After"]) <= 3600
    assert from_another.status_code == 201
    assert _rejections("register") - rejections_before == 1


async def test_one_client_cannot_lock_the_tenant_admin_out(
    make_client: MakeClient, container: Container, tenant: TenantDetail
) -> None:
    # The tenant budget is just twice what one address may send: the tightest the settings allow.
    limits = {"rate_limit_default": "5/60", "rate_limit_auth": "5/60", "rate_limit_tenant": "20/60"}
    await make_user(container, tenant, email="admin@example.com", roles=("admin",))
    for n in range(4):
        await make_user(container, tenant, email=f"throwaway{n}@example.com")
    attacker = {**auth_headers(tenant), "X-Forwarded-For": "203.0.113.66"}
    admin = {**auth_headers(tenant), "X-Forwarded-For": "198.51.100.10"}

    async with make_client(trusted_proxies=["127.0.0.1"], **limits) as client:
        tokens = []
        for n in range(4):
            signed_in = await client.post(
                "/api/auth/login",
                json={"email": f"throwaway{n}@example.com", "password": DEFAULT_PASSWORD},
                headers=attacker,
            )
            assert signed_in.status_code == 200, signed_in.text
            tokens.append(signed_in.json()["access_token"])
        hammering = [
            (
                await client.get(
                    "/api/tenant", headers={**attacker, "Authorization": f"Bearer {token}"}
                )
            ).status_code
            for _ in range(10)
            for token in tokens
        ]
        admin_login = await client.post(
            "/api/auth/login",
            json={"email": "admin@example.com", "password": DEFAULT_PASSWORD},
            headers=admin,
        )
        admin_token = admin_login.json()["access_token"]
        admin_call = await client.get(
            "/api/admin/roles", headers={**admin, "Authorization": f"Bearer {admin_token}"}
        )

    assert hammering == [200] * 5 + [429] * 35
    assert admin_login.status_code == 200
    assert admin_call.status_code == 200


def test_settings_refuse_a_tenant_budget_one_ip_could_drain() -> None:
    with pytest.raises(SettingsError) as refused:
        load_settings(
            rate_limit_default="100/60", rate_limit_auth="20/60", rate_limit_tenant="239/60"
        )

    assert str(refused.value) == (
        "RUSTOK_RATE_LIMIT_TENANT: one client IP may send 120 requests per 60 s "
        "(RUSTOK_RATE_LIMIT_DEFAULT + RUSTOK_RATE_LIMIT_AUTH); the tenant budget must allow "
        "at least twice that (240/60), or one client could lock the tenant out"
    )
    # A longer tenant window holds several of the per-IP windows.
    assert load_settings(rate_limit_tenant="14400/3600").rate_limit_tenant == "14400/3600"
    with pytest.raises(SettingsError):
        load_settings(rate_limit_tenant="14399/3600")


async def test_the_tenant_budget_is_shared_by_every_caller_of_the_tenant(
    make_client: MakeClient, tenant: TenantDetail
) -> None:
    limits = {"rate_limit_default": "1/60", "rate_limit_auth": "1/60", "rate_limit_tenant": "4/60"}
    async with make_client(trusted_proxies=["127.0.0.1"], **limits) as client:
        statuses = [
            (
                await client.get(
                    "/api/tenant",
                    headers={**auth_headers(tenant), "X-Forwarded-For": f"198.51.100.{n}"},
                )
            ).status_code
            for n in range(5)
        ]

    assert statuses == [200, 200, 200, 200, 429]


async def test_forwarded_for_is_believed_only_from_a_trusted_proxy(
    make_client: MakeClient,
) -> None:
    # The test transport connects from 127.0.0.1.
    async with make_client(rate_limit_default="2/60") as untrusted:
        spoofed = [
            (
                await untrusted.get("/api/health", headers={"X-Forwarded-For": f"203.0.113.{n}"})
            ).status_code
            for n in range(3)
        ]
    async with make_client(rate_limit_default="2/60", trusted_proxies=["127.0.0.0/8"]) as proxied:
        one_client = [
            (
                await proxied.get("/api/health", headers={"X-Forwarded-For": "203.0.113.7"})
            ).status_code
            for _ in range(3)
        ]
        another_client = await proxied.get(
            "/api/health", headers={"X-Forwarded-For": "203.0.113.8"}
        )
        # The client may prepend anything; only the address our proxy appended counts.
        prepended = await proxied.get(
            "/api/health", headers={"X-Forwarded-For": "192.0.2.1, 203.0.113.7"}
        )

    assert spoofed == [200, 200, 429]
    assert one_client == [200, 200, 429]
    assert another_client.status_code == 200
    assert prepended.status_code == 429


def _scope(peer: str | None, forwarded: list[str]) -> dict[str, object]:
    return {
        "client": (peer, 1234) if peer is not None else None,
        "headers": [(b"x-forwarded-for", value.encode()) for value in forwarded],
    }


@pytest.mark.parametrize(
    ("peer", "forwarded", "expected"),
    [
        ("203.0.113.1", ["198.51.100.1"], "203.0.113.1"),  # peer is not a proxy of ours
        ("10.0.0.2", [], "10.0.0.2"),  # trusted peer, no header
        ("10.0.0.2", ["198.51.100.1"], "198.51.100.1"),
        ("10.0.0.2", ["198.51.100.1, 10.0.0.3"], "198.51.100.1"),  # through two of ours
        ("10.0.0.2", ["6.6.6.6, 198.51.100.1"], "198.51.100.1"),  # client-written part ignored
        ("10.0.0.2", ["6.6.6.6", "198.51.100.1"], "198.51.100.1"),  # header sent twice
        ("10.0.0.2", ["10.0.0.4, 10.0.0.3"], "10.0.0.4"),  # every hop is ours
        ("10.0.0.2", ["garbage, 10.0.0.3"], "10.0.0.3"),  # stop at what is not an address
        ("2001:db8::1", ["198.51.100.1"], "198.51.100.1"),
        (None, ["198.51.100.1"], "unknown"),
    ],
)
def test_client_ip(peer: str | None, forwarded: list[str], expected: str) -> None:
    trusted = trusted_networks(["10.0.0.0/8", "2001:db8::/32"])

    assert client_ip(_scope(peer, forwarded), trusted) == expected


def test_a_bad_trusted_proxy_entry_is_refused() -> None:
    with pytest.raises(ValueError, match="does not appear to be an IPv4 or IPv6 network"):
        trusted_networks(["10.0.0.0/8", "not-a-network"])
    assert trusted_networks([" 10.0.0.1 "]) == (ipaddress.ip_network("10.0.0.1/32"),)


async def test_an_unreachable_counter_store_lets_requests_through(database_url: str) -> None:
    container = build_container(settings_for_tests(database_url, redis_url="redis://127.0.0.1:1/0"))
    try:
        async with client_for(container) as client:
            response = await client.get("/api/openapi.json")
    finally:
        await container.close()

    assert response.status_code == 200
    assert _limit_headers(response) == {}
