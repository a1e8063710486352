"""Property tests: whatever tenant identifier or tenant payload arrives, the answer is a clear
4xx (or success), never a 500, and a refused write leaves nothing behind."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from rustok.tenancy.models import Tenant
from rustok.testing.factories import auth_headers, user_token

if TYPE_CHECKING:
    import httpx

    from rustok.bootstrap import Container
    from rustok.tenancy.schemas import TenantDetail

examples = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Header values travel as latin-1; anything else cannot even be sent.
header_values = (
    st.text(
        alphabet=st.characters(min_codepoint=0x20, max_codepoint=0xFF, exclude_characters="\x7f"),
        max_size=80,
    ).map(str.strip)
    | st.uuids().map(str)
    | st.sampled_from(["acme", "ACME", "acme ", "nobody"])
)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=10), children, max_size=3)
    ),
    max_leaves=10,
)
tenant_bodies = json_values | st.fixed_dictionaries(
    {
        "name": st.text(max_size=210),
        "slug": st.from_regex(r"[a-z0-9][a-z0-9-]{0,70}", fullmatch=True) | st.text(max_size=70),
    },
    optional={
        "domain": st.none()
        | st.text(max_size=60)
        | st.from_regex(r"[a-z]{1,10}\.test", fullmatch=True),
        "default_locale": st.text(max_size=12) | st.sampled_from(["en", "de-AT", "pt-BR"]),
        "settings": json_values,
    },
)


def assert_problem(response: httpx.Response, allowed: set[int]) -> None:
    assert response.status_code in allowed, response.text
    if response.status_code >= 400:
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["status"] == response.status_code


@examples
@given(identifier=header_values)
async def test_any_tenant_identifier_gets_a_clear_answer(
    unlimited_client: httpx.AsyncClient, tenant: TenantDetail, identifier: str
) -> None:
    response = await unlimited_client.get(
        "/api/tenant", headers={"X-Tenant-ID": identifier.encode("latin-1")}
    )

    assert_problem(response, {200, 400, 404})
    if response.status_code == 200:
        assert response.json()["id"] == str(tenant.id)


@examples
@given(host=header_values)
async def test_any_host_header_gets_a_clear_answer(
    unlimited_client: httpx.AsyncClient, tenant: TenantDetail, host: str
) -> None:
    response = await unlimited_client.get(
        "/api/tenant", headers={"Host": (host or "x").encode("latin-1")}
    )

    assert_problem(response, {400})
    assert response.json()["code"] == "TENANT_REQUIRED"


@examples
@given(body=tenant_bodies)
async def test_any_tenant_payload_gets_a_clear_answer_and_no_partial_write(
    unlimited_client: httpx.AsyncClient,
    container: Container,
    tenant: TenantDetail,
    root_token: str,
    body: Any,
) -> None:
    token = root_token
    before = await _tenant_count(container)

    response = await unlimited_client.post(
        "/api/admin/tenants",
        content=json.dumps(body),
        headers={**auth_headers(tenant, token), "Content-Type": "application/json"},
    )

    assert_problem(response, {201, 400, 409, 422})
    assert await _tenant_count(container) == before + (1 if response.status_code == 201 else 0)


@pytest.fixture
async def root_token(
    unlimited_client: httpx.AsyncClient, container: Container, tenant: TenantDetail
) -> str:
    return await user_token(
        unlimited_client, container, tenant, email="root@acme.test", operator=True
    )


async def _tenant_count(container: Container) -> int:
    async with container.platform_sessions() as session:
        return await session.scalar(select(func.count()).select_from(Tenant)) or 0
