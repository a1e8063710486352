"""Tenant resolution over HTTP and the operators' tenant API."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import func, select

from rustok.tenancy.models import Tenant
from rustok.testing.factories import auth_headers, user_token

if TYPE_CHECKING:
    import httpx

    from rustok.bootstrap import Container
    from rustok.tenancy.schemas import TenantDetail


async def _tenant_count(container: Container) -> int:
    async with container.platform_sessions() as session:
        return await session.scalar(select(func.count()).select_from(Tenant)) or 0


async def test_the_tenant_is_named_by_slug_or_uuid(
    client: httpx.AsyncClient, tenant: TenantDetail
) -> None:
    by_slug = await client.get("/api/tenant", headers={"X-Tenant-ID": "acme"})
    by_id = await client.get("/api/tenant", headers={"X-Tenant-ID": str(tenant.id)})

    assert by_slug.status_code == 200
    assert by_slug.json()["id"] == str(tenant.id)
    assert by_id.json()["slug"] == "acme"
    assert by_slug.json()["locales"][0]["locale"] == "en"


async def test_the_tenant_is_found_by_its_domain(
    client: httpx.AsyncClient, container: Container
) -> None:
    from rustok.testing.factories import make_tenant

    shop = await make_tenant(container, slug="shop", domain="shop.example.com")

    by_host = await client.get("/api/tenant", headers={"Host": "shop.example.com:8080"})

    assert by_host.json()["id"] == str(shop.id)


async def test_an_unknown_tenant_is_404(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/tenant", headers={"X-Tenant-ID": "nobody"})

    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "TENANT_NOT_FOUND"
    assert response.json()["request_id"] == response.headers["x-request-id"]


@pytest.mark.parametrize(
    "identifier", ["Bad Slug!", "-leading", "a" * 65, "x'; DROP TABLE tenants;--"]
)
async def test_a_malformed_tenant_identifier_is_400(
    client: httpx.AsyncClient, container: Container, tenant: TenantDetail, identifier: str
) -> None:
    response = await client.get("/api/tenant", headers={"X-Tenant-ID": identifier})

    assert response.status_code == 400
    assert response.json()["code"] == "TENANT_IDENTIFIER_MALFORMED"
    assert response.json()["errors"] == [
        {"field": "header.X-Tenant-ID", "message": "not a UUID or slug"}
    ]
    assert await _tenant_count(container) == 1


async def test_a_request_without_tenant_is_400_naming_the_header(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/tenant")

    assert response.status_code == 400
    assert response.json()["code"] == "TENANT_REQUIRED"


async def test_a_deactivated_tenant_is_403(
    client: httpx.AsyncClient, container: Container, tenant: TenantDetail
) -> None:
    await client.get("/api/tenant", headers={"X-Tenant-ID": "acme"})  # warm the cache
    await container.tenants.set_active(tenant.id, active=False)

    response = await client.get("/api/tenant", headers={"X-Tenant-ID": "acme"})

    assert response.status_code == 403
    assert response.json()["code"] == "TENANT_INACTIVE"


async def test_an_operator_manages_tenants(
    client: httpx.AsyncClient, container: Container, tenant: TenantDetail
) -> None:
    token = await user_token(client, container, tenant, email="root@acme.test", operator=True)
    headers = auth_headers(tenant, token)

    created = await client.post(
        "/api/admin/tenants",
        json={
            "name": "Initech",
            "slug": "initech",
            "domain": "initech.test",
            "default_locale": "de",
        },
        headers=headers,
    )
    tenant_id = created.json()["id"]
    listed = await client.get("/api/admin/tenants?limit=10", headers=headers)
    renamed = await client.patch(
        f"/api/admin/tenants/{tenant_id}", json={"name": "Initech AG"}, headers=headers
    )
    with_locale = await client.put(
        f"/api/admin/tenants/{tenant_id}/locales/fr",
        json={"name": "Français", "fallback_locale": "de"},
        headers=headers,
    )
    deactivated = await client.post(f"/api/admin/tenants/{tenant_id}/deactivate", headers=headers)
    refused = await client.get("/api/tenant", headers={"X-Tenant-ID": "initech"})

    assert created.status_code == 201
    assert created.json()["locales"] == [
        {
            "locale": "de",
            "name": "de",
            "is_default": True,
            "is_enabled": True,
            "fallback_locale": None,
        }
    ]
    assert listed.json()["total"] == 2
    assert renamed.json()["name"] == "Initech AG"
    assert {loc["locale"] for loc in with_locale.json()["locales"]} == {"de", "fr"}
    assert deactivated.json()["is_active"] is False
    assert refused.status_code == 403


async def test_a_taken_slug_is_409_and_writes_nothing(
    client: httpx.AsyncClient, container: Container, tenant: TenantDetail
) -> None:
    token = await user_token(client, container, tenant, email="root@acme.test", operator=True)

    response = await client.post(
        "/api/admin/tenants",
        json={"name": "Again", "slug": "acme"},
        headers=auth_headers(tenant, token),
    )

    assert response.status_code == 409
    assert response.json()["code"] == "TENANT_SLUG_TAKEN"
    assert response.json()["errors"] == [{"field": "body.slug", "message": "taken"}]
    assert await _tenant_count(container) == 1


async def test_bad_tenant_input_is_422_naming_each_field(
    client: httpx.AsyncClient, container: Container, tenant: TenantDetail
) -> None:
    token = await user_token(client, container, tenant, email="root@acme.test", operator=True)

    response = await client.post(
        "/api/admin/tenants",
        json={"name": "", "slug": "Not A Slug", "domain": "http://x", "default_locale": 5},
        headers=auth_headers(tenant, token),
    )

    assert response.status_code == 422
    fields = {error["field"] for error in response.json()["errors"]}
    assert fields == {"body.name", "body.slug", "body.domain", "body.default_locale"}
    assert await _tenant_count(container) == 1


@pytest.mark.parametrize("role", ["admin", "manager", "customer"])
async def test_only_an_operator_may_manage_tenants(
    client: httpx.AsyncClient, container: Container, tenant: TenantDetail, role: str
) -> None:
    token = await user_token(client, container, tenant, email=f"{role}@acme.test", roles=[role])

    response = await client.post(
        "/api/admin/tenants",
        json={"name": "X", "slug": "x-corp"},
        headers=auth_headers(tenant, token),
    )

    assert response.status_code == 403
    assert response.json()["code"] == "FORBIDDEN"
    assert await _tenant_count(container) == 1


async def test_tenant_admin_needs_a_login(client: httpx.AsyncClient, tenant: TenantDetail) -> None:
    response = await client.get("/api/admin/tenants", headers=auth_headers(tenant))

    assert response.status_code == 401
    assert response.json()["code"] == "UNAUTHENTICATED"


async def test_an_operators_token_is_refused_on_another_tenant(
    client: httpx.AsyncClient,
    container: Container,
    tenant: TenantDetail,
    other_tenant: TenantDetail,
) -> None:
    token = await user_token(client, container, tenant, email="root@acme.test", operator=True)

    response = await client.get("/api/admin/tenants", headers=auth_headers(other_tenant, token))

    assert response.status_code == 401


async def _operator(client: httpx.AsyncClient, container: Container, tenant: TenantDetail) -> Any:
    token = await user_token(client, container, tenant, email="op@acme.test", operator=True)
    return auth_headers(tenant, token)


async def test_withdrawing_operator_status_refuses_the_next_request(
    client: httpx.AsyncClient, container: Container, tenant: TenantDetail
) -> None:
    headers = await _operator(client, container, tenant)

    before = await client.get("/api/admin/tenants", headers=headers)
    await container.auth.set_platform_operator(
        tenant_id=tenant.id, email="op@acme.test", operator=False
    )
    after = await client.get("/api/admin/tenants", headers=headers)

    assert before.status_code == 200
    assert (after.status_code, after.json()["code"]) == (403, "FORBIDDEN")
    assert "operator" in after.json()["detail"]


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/deactivate", None),
        ("PATCH", "", {"is_active": False}),
        ("PATCH", "", {"name": "Renamed", "is_active": False}),
    ],
)
async def test_an_operator_cannot_deactivate_the_tenant_it_calls_from(
    client: httpx.AsyncClient,
    container: Container,
    tenant: TenantDetail,
    other_tenant: TenantDetail,
    method: str,
    path: str,
    body: dict[str, Any] | None,
) -> None:
    headers = await _operator(client, container, tenant)

    own = await client.request(
        method, f"/api/admin/tenants/{tenant.id}{path}", json=body, headers=headers
    )
    other = await client.request(
        method, f"/api/admin/tenants/{other_tenant.id}{path}", json=body, headers=headers
    )

    assert (own.status_code, own.json()["code"]) == (409, "CALLING_TENANT_PROTECTED")
    assert other.status_code == 200
    assert other.json()["is_active"] is False
    mine = (await client.get(f"/api/admin/tenants/{tenant.id}", headers=headers)).json()
    assert (mine["is_active"], mine["name"]) == (True, "Acme")


@pytest.mark.parametrize(
    "other_fields",
    [{"name": "Stolen"}, {"default_locale": "en"}, {"settings": {"a": 1}, "is_active": True}],
)
async def test_a_taken_domain_with_another_field_is_409_and_changes_nothing(
    client: httpx.AsyncClient,
    container: Container,
    tenant: TenantDetail,
    other_tenant: TenantDetail,
    other_fields: dict[str, Any],
) -> None:
    headers = await _operator(client, container, tenant)
    await client.patch(
        f"/api/admin/tenants/{other_tenant.id}", json={"domain": "taken.test"}, headers=headers
    )

    response = await client.patch(
        f"/api/admin/tenants/{tenant.id}",
        json={"domain": "taken.test", **other_fields},
        headers=headers,
    )

    assert (response.status_code, response.json()["code"]) == (409, "TENANT_DOMAIN_TAKEN")
    assert response.json()["errors"] == [{"field": "body.domain", "message": "taken"}]
    mine = (await client.get(f"/api/admin/tenants/{tenant.id}", headers=headers)).json()
    assert (mine["name"], mine["domain"]) == ("Acme", None)


async def test_a_default_locale_the_tenant_lacks_is_422_not_a_new_locale(
    client: httpx.AsyncClient, container: Container, tenant: TenantDetail
) -> None:
    headers = await _operator(client, container, tenant)

    response = await client.patch(
        f"/api/admin/tenants/{tenant.id}", json={"default_locale": "fr"}, headers=headers
    )

    assert (response.status_code, response.json()["code"]) == (422, "LOCALE_NOT_OF_TENANT")
    assert response.json()["errors"][0]["field"] == "body.default_locale"
    mine = (await client.get(f"/api/admin/tenants/{tenant.id}", headers=headers)).json()
    assert mine["default_locale"] == "en"
    assert [locale["locale"] for locale in mine["locales"]] == ["en"]


async def test_locale_fallback_chains_refuse_cycles(
    client: httpx.AsyncClient, container: Container, tenant: TenantDetail
) -> None:
    headers = await _operator(client, container, tenant)
    base = f"/api/admin/tenants/{tenant.id}/locales"
    await client.put(f"{base}/de", json={"name": "Deutsch"}, headers=headers)
    await client.put(
        f"{base}/fr", json={"name": "Français", "fallback_locale": "de"}, headers=headers
    )

    to_itself = await client.put(f"{base}/fr", json={"fallback_locale": "fr"}, headers=headers)
    round_trip = await client.put(f"{base}/de", json={"fallback_locale": "fr"}, headers=headers)
    longer = await client.put(
        f"{base}/en", json={"is_default": True, "fallback_locale": "fr"}, headers=headers
    )
    fine = await client.put(f"{base}/de", json={"fallback_locale": "en"}, headers=headers)

    assert (to_itself.status_code, to_itself.json()["code"]) == (422, "LOCALE_FALLBACK_CYCLE")
    assert to_itself.json()["errors"] == [
        {"field": "body.fallback_locale", "message": "makes a cycle: fr -> fr"}
    ]
    assert round_trip.json()["errors"] == [
        {"field": "body.fallback_locale", "message": "makes a cycle: de -> fr -> de"}
    ]
    assert longer.status_code == 200
    assert fine.status_code == 422
    assert fine.json()["errors"] == [
        {"field": "body.fallback_locale", "message": "makes a cycle: de -> en -> fr -> de"}
    ]
    locales = {
        loc["locale"]: loc["fallback_locale"]
        for loc in (await client.get(f"/api/admin/tenants/{tenant.id}", headers=headers)).json()[
            "locales"
        ]
    }
    assert locales == {"en": "fr", "de": None, "fr": "de"}
