"""`/metrics`: Prometheus text with HTTP metrics labelled by route template, never raw paths."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

import orjson
from prometheus_client import CONTENT_TYPE_LATEST

from rustok.api.rest.metrics import metrics_wsgi_app
from rustok.observability.metrics import REGISTRY
from rustok.testing.factories import auth_headers

if TYPE_CHECKING:
    from collections.abc import Callable
    from contextlib import AbstractAsyncContextManager

    import httpx

    from rustok.tenancy.schemas import TenantDetail

    MakeClient = Callable[..., AbstractAsyncContextManager[httpx.AsyncClient]]


def _requests(route: str, status: int, method: str = "GET") -> float:
    labels = {"method": method, "route": route, "status": str(status)}
    return REGISTRY.get_sample_value("rustok_http_requests_total", labels) or 0.0


def _observations(route: str) -> float:
    labels = {"method": "GET", "route": route}
    return REGISTRY.get_sample_value("rustok_http_request_duration_seconds_count", labels) or 0.0


async def test_requests_are_counted_by_route_template(
    client: httpx.AsyncClient, tenant: TenantDetail
) -> None:
    role_id = uuid.uuid4()
    before = {
        "role": _requests("/api/admin/roles/{role_id}", 401),
        "tenant": _requests("/api/tenant", 200),
        "unmatched": _requests("unmatched", 404),
        "method": _requests("/api/health", 405, method="POST"),
        "timed": _observations("/api/tenant"),
    }

    await client.get(f"/api/admin/roles/{role_id}", headers=auth_headers(tenant))
    await client.get("/api/tenant", headers=auth_headers(tenant))
    await client.get("/api/tenant", headers=auth_headers(tenant))
    await client.get(f"/api/no-such-thing/{role_id}", headers=auth_headers(tenant))
    await client.post("/api/health")
    response = await client.get("/metrics")

    assert response.status_code == 200
    assert response.headers["content-type"] == CONTENT_TYPE_LATEST
    text = response.text
    assert (
        'rustok_http_requests_total{method="GET",route="/api/admin/roles/{role_id}",status="401"}'
        in text
    )
    assert (
        'rustok_http_request_duration_seconds_bucket{le="0.005",method="GET",route="/api/tenant"}'
        in text
    )
    assert "rustok_rate_limit_rejections_total" in text
    assert "rustok_tenant_cache_hits_total" in text
    assert "rustok_tenant_cache_misses_total" in text
    assert str(role_id) not in text
    assert _requests("/api/admin/roles/{role_id}", 401) - before["role"] == 1
    assert _requests("/api/tenant", 200) - before["tenant"] == 2
    assert _requests("unmatched", 404) - before["unmatched"] == 1
    assert _requests("/api/health", 405, method="POST") - before["method"] == 1
    assert _observations("/api/tenant") - before["timed"] == 2


async def test_answers_given_before_routing_still_name_their_route(
    make_client: MakeClient, tenant: TenantDetail
) -> None:
    refused_before = _requests("/api/tenant", 429)
    too_large_before = _requests("/api/auth/login", 413, method="POST")
    unknown_tenant_before = _requests("/api/tenant", 404)

    async with make_client(rate_limit_default="1/60") as client:
        await client.get("/api/tenant", headers=auth_headers(tenant))
        refused = await client.get("/api/tenant", headers=auth_headers(tenant))
        too_large = await client.post(
            "/api/auth/login",
            content=b"x" * 2_000_000,
            headers={**auth_headers(tenant), "content-type": "application/json"},
        )
    async with make_client() as client:
        unknown_tenant = await client.get("/api/tenant", headers={"X-Tenant-ID": "nobody"})

    assert (refused.status_code, too_large.status_code) == (429, 413)
    assert unknown_tenant.status_code == 404
    assert _requests("/api/tenant", 429) - refused_before == 1
    assert _requests("/api/auth/login", 413, method="POST") - too_large_before == 1
    assert _requests("/api/tenant", 404) - unknown_tenant_before == 1


async def test_unknown_methods_share_one_label(client: httpx.AsyncClient) -> None:
    before = _requests("/api/health", 405, method="OTHER")

    await client.request("BREW", "/api/health")

    assert _requests("/api/health", 405, method="OTHER") - before == 1


METRICS_TOKEN = "scrape-token-0123456789abcdef"


async def test_a_metrics_token_is_required_once_configured(make_client: MakeClient) -> None:
    async with make_client(metrics_token=METRICS_TOKEN) as client:
        missing = await client.get("/metrics")
        wrong = await client.get("/metrics", headers={"Authorization": "Bearer not-the-token"})
        other_scheme = await client.get(
            "/metrics", headers={"Authorization": f"Basic {METRICS_TOKEN}"}
        )
        right = await client.get("/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"})

    for refused in (missing, wrong, other_scheme):
        assert refused.status_code == 401
        assert refused.headers["content-type"] == "application/problem+json"
        assert refused.headers["www-authenticate"] == "Bearer"
        assert refused.json()["code"] == "METRICS_TOKEN_REQUIRED"
        assert "rustok_http_requests_total" not in refused.text
    assert right.status_code == 200
    assert "rustok_http_requests_total" in right.text


async def test_production_serves_no_open_metrics(make_client: MakeClient) -> None:
    production = {"env": "production", "allow_sqlite_in_production": True}
    async with make_client(**production) as client:
        without_token = await client.get("/metrics")
    async with make_client(**production, metrics_token=METRICS_TOKEN) as client:
        with_token = await client.get(
            "/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"}
        )
        anonymous = await client.get("/metrics")

    assert without_token.status_code == 404
    assert without_token.headers["content-type"] == "application/problem+json"
    assert with_token.status_code == 200
    assert anonymous.status_code == 401


async def test_a_metrics_port_takes_metrics_off_the_api_port(make_client: MakeClient) -> None:
    async with make_client(metrics_port=9464) as client:
        response = await client.get("/metrics")

    assert response.status_code == 404
    assert response.json()["code"] == "NOT_FOUND"


def _scrape(
    token: str | None, *, path: str = "/metrics", method: str = "GET", header: str | None = None
) -> tuple[str, dict[str, str], bytes]:
    answer: dict[str, object] = {}

    def start_response(status: str, headers: list[tuple[str, str]]) -> None:
        answer.update(status=status, headers=dict(headers))

    environ = {"PATH_INFO": path, "REQUEST_METHOD": method}
    if header is not None:
        environ["HTTP_AUTHORIZATION"] = header
    body = b"".join(metrics_wsgi_app(token)(environ, start_response))  # type: ignore[arg-type]
    return str(answer["status"]), answer["headers"], body  # type: ignore[return-value]


def test_the_metrics_port_applies_the_same_token() -> None:
    open_status, open_headers, open_body = _scrape(None)
    refused_status, refused_headers, refused_body = _scrape(METRICS_TOKEN)
    allowed_status, _, allowed_body = _scrape(METRICS_TOKEN, header=f"Bearer {METRICS_TOKEN}")
    elsewhere_status, _, _ = _scrape(None, path="/api/health")
    posted_status, posted_headers, _ = _scrape(None, method="POST")

    assert (open_status, open_headers["Content-Type"]) == ("200 OK", CONTENT_TYPE_LATEST)
    assert b"rustok_http_requests_total" in open_body
    assert refused_status == "401 Unauthorized"
    assert refused_headers["WWW-Authenticate"] == "Bearer"
    assert orjson.loads(refused_body)["code"] == "METRICS_TOKEN_REQUIRED"
    assert allowed_status == "200 OK"
    assert b"rustok_http_requests_total" in allowed_body
    assert elsewhere_status == "404 Not Found"
    assert (posted_status, posted_headers["Allow"]) == ("405 Method Not Allowed", "GET, HEAD")
