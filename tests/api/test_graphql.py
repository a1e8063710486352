"""GraphQL: the same tenants, permissions and error codes as REST."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from rustok.testing.factories import auth_headers, user_token

if TYPE_CHECKING:
    import httpx

    from rustok.bootstrap import Container
    from rustok.tenancy.schemas import TenantDetail


async def gql(
    client: httpx.AsyncClient, query: str, headers: dict[str, str], **variables: Any
) -> dict[str, Any]:
    response = await client.post(
        "/api/graphql", json={"query": query, "variables": variables}, headers=headers
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def codes(body: dict[str, Any]) -> list[str]:
    return [error["extensions"]["code"] for error in body.get("errors", [])]


async def test_the_current_tenant_is_public(
    client: httpx.AsyncClient, tenant: TenantDetail
) -> None:
    body = await gql(
        client, "{ currentTenant { slug defaultLocale locales { locale } } }", auth_headers(tenant)
    )

    assert body["data"]["currentTenant"] == {
        "slug": "acme",
        "defaultLocale": "en",
        "locales": [{"locale": "en"}],
    }


async def test_me_needs_a_login_and_names_the_code(
    client: httpx.AsyncClient, container: Container, tenant: TenantDetail
) -> None:
    anonymous = await gql(client, "{ me { email } }", auth_headers(tenant))
    token = await user_token(client, container, tenant, email="jo@acme.test")
    logged_in = await gql(client, "{ me { email roles } }", auth_headers(tenant, token))

    assert anonymous["data"] is None
    assert codes(anonymous) == ["UNAUTHENTICATED"]
    assert logged_in["data"]["me"] == {"email": "jo@acme.test", "roles": ["customer"]}


async def test_a_field_refuses_a_caller_without_its_permission(
    client: httpx.AsyncClient, container: Container, tenant: TenantDetail
) -> None:
    customer = await user_token(client, container, tenant, email="c@acme.test")
    admin = await user_token(client, container, tenant, email="a@acme.test", roles=["admin"])

    refused = await gql(client, "{ roles { slug } }", auth_headers(tenant, customer))
    allowed = await gql(client, "{ roles { slug } }", auth_headers(tenant, admin))

    assert codes(refused) == ["FORBIDDEN"]
    assert {role["slug"] for role in allowed["data"]["roles"]} == {
        "admin",
        "manager",
        "customer",
    }


async def test_a_token_of_one_tenant_is_refused_on_another(
    client: httpx.AsyncClient,
    container: Container,
    tenant: TenantDetail,
    other_tenant: TenantDetail,
) -> None:
    token = await user_token(client, container, tenant, email="a@acme.test", roles=["admin"])

    body = await gql(client, "{ roles { slug } }", auth_headers(other_tenant, token))

    assert body["data"] is None
    assert codes(body) == ["TOKEN_TENANT_MISMATCH"]


async def test_mutations_switch_modules_with_domain_error_codes(
    client: httpx.AsyncClient, container: Container, tenant: TenantDetail
) -> None:
    admin = await user_token(client, container, tenant, email="a@acme.test", roles=["admin"])

    body = await gql(
        client,
        "mutation($slug: String!) { disableModule(slug: $slug) { slug enabled } }",
        auth_headers(tenant, admin),
        slug="auth",
    )

    assert codes(body) == ["MODULE_IS_CORE"]
    assert body["errors"][0]["message"] == (
        "The module 'auth' is part of the core and is always on."
    )


async def test_operators_list_tenants(
    client: httpx.AsyncClient,
    container: Container,
    tenant: TenantDetail,
    other_tenant: TenantDetail,
) -> None:
    root = await user_token(client, container, tenant, email="r@acme.test", operator=True)

    body = await gql(
        client, "{ tenants(limit: 10) { total items { slug } } }", auth_headers(tenant, root)
    )

    assert body["data"]["tenants"]["total"] == 2
    assert {item["slug"] for item in body["data"]["tenants"]["items"]} == {"acme", "globex"}


async def test_bad_queries_get_a_validation_code(
    client: httpx.AsyncClient, tenant: TenantDetail
) -> None:
    body = await gql(client, "{ nope }", auth_headers(tenant))

    assert codes(body) == ["GRAPHQL_VALIDATION_FAILED"]


async def test_overly_deep_queries_are_refused(
    client: httpx.AsyncClient, tenant: TenantDetail
) -> None:
    deep = "{ __schema { types " + "{ fields { type " * 6 + "{ name }" + " } }" * 6 + " } }"

    body = await gql(client, deep, auth_headers(tenant))

    assert body["data"] is None
    assert "depth" in body["errors"][0]["message"].lower()


@pytest.mark.parametrize("role", ["admin", "manager", "customer"])
async def test_only_operators_list_tenants(
    client: httpx.AsyncClient, container: Container, tenant: TenantDetail, role: str
) -> None:
    token = await user_token(client, container, tenant, email="u@acme.test", roles=[role])

    body = await gql(client, "{ tenants { total } }", auth_headers(tenant, token))

    assert codes(body) == ["FORBIDDEN"]
    assert body["data"] is None
