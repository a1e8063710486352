"""HTTP limits in the app itself, under any server: header count and size, body size and pace."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from rustok.testing.factories import auth_headers

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Callable
    from contextlib import AbstractAsyncContextManager

    import httpx

    from rustok.tenancy.schemas import TenantDetail

    MakeClient = Callable[..., AbstractAsyncContextManager[httpx.AsyncClient]]

PROBLEM_JSON = "application/problem+json"
# A request held by the body deadline must come back long before this; without the deadline
# it would never come back, and this fails the test instead of the suite's timeout.
NO_HANG_SECONDS = 10.0


async def test_too_many_header_fields_are_431(make_client: MakeClient) -> None:
    extra = {f"X-Filler-{n}": "x" for n in range(20)}
    async with make_client(max_headers=20) as client:
        response = await client.get("/api/health", headers=extra)
        within = await client.get("/api/health", headers=dict(list(extra.items())[:10]))

    assert response.status_code == 431
    assert response.headers["content-type"] == PROBLEM_JSON
    assert response.headers["connection"] == "close"
    body = response.json()
    assert body["code"] == "HEADERS_TOO_LARGE"
    # httpx adds host, accept, accept-encoding, connection and user-agent to the 20.
    assert body["detail"] == "The request has 25 header fields; at most 20."
    assert body["errors"] == [{"field": "headers", "message": "at most 20 fields"}]
    assert body["request_id"] == response.headers["x-request-id"]
    assert within.status_code == 200


async def test_header_fields_over_the_byte_limit_are_431(make_client: MakeClient) -> None:
    async with make_client(max_header_bytes=4096) as client:
        response = await client.get("/api/health", headers={"X-Big": "x" * 4096})
        within = await client.get("/api/health", headers={"X-Big": "x" * 3000})

    assert response.status_code == 431
    body = response.json()
    assert (body["code"], body["detail"]) == (
        "HEADERS_TOO_LARGE",
        "The request's header fields exceed 4096 bytes.",
    )
    assert body["errors"] == [{"field": "headers", "message": "at most 4096 bytes"}]
    assert within.status_code == 200


async def test_a_body_that_stops_arriving_is_408(
    make_client: MakeClient, tenant: TenantDetail
) -> None:
    never = asyncio.Event()

    async def eight_of_a_hundred_bytes() -> AsyncIterator[bytes]:
        yield b'{"email"'
        await never.wait()

    async with (
        make_client(body_read_timeout_seconds=0.2) as client,
        asyncio.timeout(NO_HANG_SECONDS),
    ):
        response = await client.post(
            "/api/auth/login",
            content=eight_of_a_hundred_bytes(),
            headers={
                **auth_headers(tenant),
                "Content-Type": "application/json",
                "Content-Length": "100",
            },
        )

    assert response.status_code == 408
    assert response.headers["content-type"] == PROBLEM_JSON
    assert response.headers["connection"] == "close"
    body = response.json()
    assert (body["code"], body["detail"]) == (
        "REQUEST_TIMEOUT",
        "The request body did not arrive within 0.2 seconds.",
    )
    assert body["errors"] == [{"field": "body", "message": "send it within 0.2 seconds"}]
    assert body["request_id"] == response.headers["x-request-id"]


async def test_a_body_that_arrives_in_time_is_read(
    make_client: MakeClient, tenant: TenantDetail
) -> None:
    async def in_two_parts() -> AsyncIterator[bytes]:
        yield b'{"email": "nobody@example.com", '
        yield b'"password": "wrong-password"}'

    async with make_client(body_read_timeout_seconds=5) as client:
        response = await client.post(
            "/api/auth/login",
            content=in_two_parts(),
            headers={**auth_headers(tenant), "Content-Type": "application/json"},
        )

    assert response.status_code == 401
    assert response.json()["code"] == "INVALID_CREDENTIALS"


async def test_a_nul_in_the_path_or_the_query_is_refused_on_every_route(
    make_client: MakeClient, tenant: TenantDetail
) -> None:
    # On PostgreSQL a NUL reaching a text parameter was a 500 (content's slug path).
    async with make_client() as client:
        answers = [
            await client.get(url, headers={"X-Tenant-ID": tenant.slug})
            for url in (
                "/api/content/nodes/by-slug/a%00b",
                "/api/content/nodes?kind=article&q=%00",
                "/api/commerce/products?q=x%00",
            )
        ]

    assert [(r.status_code, r.json()["code"]) for r in answers] == [(422, "NUL_IN_URL")] * 3
    assert [r.json()["errors"][0]["field"] for r in answers] == ["path", "query.q", "query.q"]
