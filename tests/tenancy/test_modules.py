"""Per-tenant module switches: dependencies, dependents, hooks in the same transaction, 404s."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import pytest
import strawberry
from fastapi import APIRouter
from sqlalchemy import select

from rustok.bootstrap import default_modules
from rustok.core.modules import GraphQLPart, ModuleContext, ModuleDescriptor
from rustok.tenancy.models import TenantLocale
from rustok.testing.app import client_for, running_container
from rustok.testing.factories import auth_headers, make_tenant, user_token
from rustok.web.access import public
from rustok.web.graphql import authenticated as graphql_authenticated
from rustok.web.graphql import public as graphql_public

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    import httpx

    from rustok.bootstrap import Container
    from rustok.core.settings import Settings

catalog_router = APIRouter(prefix="/demo-catalog")


@strawberry.type
class CatalogQuery:
    @strawberry.field(extensions=[graphql_public()], description="The catalog module's ping.")
    def catalog_ping(self) -> str:
        return "catalog"

    @strawberry.field(extensions=[graphql_authenticated()], description="Needs a login.")
    def catalog_secret(self) -> str:
        return "secret"


@catalog_router.get("/ping")
async def ping(_: Annotated[None, public()]) -> dict[str, str]:
    return {"module": "catalog"}


async def _write_marker_locale(context: ModuleContext) -> None:
    context.uow.session.add(TenantLocale(tenant_id=context.tenant_id, locale="xx", name="hook"))
    await context.uow.session.flush()


async def _write_then_fail(context: ModuleContext) -> None:
    await _write_marker_locale(context)
    raise RuntimeError("search cluster unreachable")


CATALOG = ModuleDescriptor(
    slug="catalog",
    name="Catalog",
    version="1.0.0",
    routers=(catalog_router,),
    graphql=(GraphQLPart(query=CatalogQuery),),
    on_enable=_write_marker_locale,
)
REVIEWS = ModuleDescriptor(
    slug="reviews",
    name="Reviews",
    version="1.0.0",
    dependencies=("catalog",),
    enabled_by_default=False,
)
FLAKY = ModuleDescriptor(
    slug="flaky",
    name="Flaky",
    version="1.0.0",
    enabled_by_default=False,
    on_enable=_write_then_fail,
)


@pytest.fixture
async def module_client(settings: Settings) -> AsyncIterator[tuple[httpx.AsyncClient, Container]]:
    modules = [*default_modules(), CATALOG, REVIEWS, FLAKY]
    async with (
        running_container(settings, modules=modules) as container,
        client_for(container) as http,
    ):
        yield http, container


async def _admin_headers(
    http: httpx.AsyncClient, container: Container, slug: str
) -> dict[str, str]:
    tenant = await make_tenant(container, slug=slug)
    token = await user_token(http, container, tenant, email=f"admin@{slug}.test", roles=["admin"])
    return auth_headers(tenant, token)


async def _marker_exists(container: Container) -> bool:
    async with container.platform_sessions() as session:
        found = await session.scalar(select(TenantLocale.id).where(TenantLocale.locale == "xx"))
        return found is not None


async def test_modules_are_listed_with_their_state(
    module_client: tuple[httpx.AsyncClient, Container],
) -> None:
    http, container = module_client
    headers = await _admin_headers(http, container, "acme")

    response = await http.get("/api/admin/modules", headers=headers)

    states = {module["slug"]: module["enabled"] for module in response.json()}
    shipped = {module.slug: True for module in default_modules()}
    assert {"tenancy", "rbac", "events", "auth", "content", "commerce.catalog"} <= set(shipped)
    assert states == shipped | {"catalog": True, "reviews": False, "flaky": False}


async def test_disabling_a_module_hides_its_routes_for_that_tenant_only(
    module_client: tuple[httpx.AsyncClient, Container],
) -> None:
    http, container = module_client
    acme = await _admin_headers(http, container, "acme")
    globex = await _admin_headers(http, container, "globex")

    disabled = await http.post("/api/admin/modules/catalog/disable", headers=acme)
    acme_ping = await http.get("/api/demo-catalog/ping", headers=acme)
    globex_ping = await http.get("/api/demo-catalog/ping", headers=globex)
    enabled = await http.post("/api/admin/modules/catalog/enable", headers=acme)
    acme_again = await http.get("/api/demo-catalog/ping", headers=acme)

    assert disabled.status_code == 200
    assert disabled.json()["enabled"] is False
    assert acme_ping.status_code == 404
    assert globex_ping.status_code == 200
    assert enabled.json()["enabled"] is True
    assert acme_again.status_code == 200
    assert await _marker_exists(container)  # the enable hook ran and committed with the switch


async def test_a_disabled_modules_graphql_fields_answer_not_found_like_its_routes(
    module_client: tuple[httpx.AsyncClient, Container],
) -> None:
    http, container = module_client
    acme = await _admin_headers(http, container, "acme")
    globex = await _admin_headers(http, container, "globex")
    query = {"query": "{ catalogPing }"}
    anonymous = {"X-Tenant-ID": "acme"}

    await http.post("/api/admin/modules/catalog/disable", headers=acme)
    acme_off = (await http.post("/api/graphql", json=query, headers=acme)).json()
    anonymous_off = (
        await http.post("/api/graphql", json={"query": "{ catalogSecret }"}, headers=anonymous)
    ).json()
    globex_on = (await http.post("/api/graphql", json=query, headers=globex)).json()
    core_still = (
        await http.post("/api/graphql", json={"query": "{ apiVersion }"}, headers=acme)
    ).json()

    assert acme_off["data"] is None
    assert [e["extensions"]["code"] for e in acme_off["errors"]] == ["NOT_FOUND"]
    assert [e["extensions"]["code"] for e in anonymous_off["errors"]] == ["NOT_FOUND"]
    assert globex_on == {"data": {"catalogPing": "catalog"}}
    assert core_still["data"]["apiVersion"]


async def test_a_tenants_switches_never_reach_another_tenant_read_past_the_cache(
    module_client: tuple[httpx.AsyncClient, Container],
) -> None:
    http, container = module_client
    acme = await _admin_headers(http, container, "acme")
    globex = await _admin_headers(http, container, "globex")

    # Both tenants get a row for the module; then acme turns it back on and globex must not.
    await http.post("/api/admin/modules/catalog/disable", headers=acme)
    globex_disabled = await http.post("/api/admin/modules/catalog/disable", headers=globex)
    await http.post("/api/admin/modules/catalog/enable", headers=acme)
    # The resolver caches each tenant's switches; only a fresh read shows what the rows say.
    container.tenant_resolver.clear()
    acme_listed = await http.get("/api/admin/modules", headers=acme)
    globex_listed = await http.get("/api/admin/modules", headers=globex)
    acme_ping = await http.get("/api/demo-catalog/ping", headers=acme)
    globex_ping = await http.get("/api/demo-catalog/ping", headers=globex)

    assert globex_disabled.json()["enabled"] is False
    assert {m["slug"]: m["enabled"] for m in acme_listed.json()}["catalog"] is True
    assert {m["slug"]: m["enabled"] for m in globex_listed.json()}["catalog"] is False
    assert acme_ping.status_code == 200
    assert globex_ping.status_code == 404


async def test_enabling_needs_the_dependencies_enabled(
    module_client: tuple[httpx.AsyncClient, Container],
) -> None:
    http, container = module_client
    headers = await _admin_headers(http, container, "acme")
    await http.post("/api/admin/modules/catalog/disable", headers=headers)

    refused = await http.post("/api/admin/modules/reviews/enable", headers=headers)
    await http.post("/api/admin/modules/catalog/enable", headers=headers)
    accepted = await http.post("/api/admin/modules/reviews/enable", headers=headers)
    listed = await http.get("/api/admin/modules", headers=headers)

    assert refused.status_code == 409
    assert refused.json()["code"] == "MODULE_DEPENDENCY_MISSING"
    assert accepted.json()["enabled"] is True
    # Read back: each switch is its own row (the tenant has two now).
    states = {m["slug"]: m["enabled"] for m in listed.json()}
    assert (states["catalog"], states["reviews"]) == (True, True)


async def test_disabling_is_refused_while_a_dependent_is_enabled(
    module_client: tuple[httpx.AsyncClient, Container],
) -> None:
    http, container = module_client
    headers = await _admin_headers(http, container, "acme")
    await http.post("/api/admin/modules/reviews/enable", headers=headers)

    response = await http.post("/api/admin/modules/catalog/disable", headers=headers)

    assert response.status_code == 409
    assert response.json()["code"] == "MODULE_HAS_DEPENDENTS"
    assert (await http.get("/api/demo-catalog/ping", headers=headers)).status_code == 200


async def test_a_failing_hook_reverts_the_change(
    module_client: tuple[httpx.AsyncClient, Container],
) -> None:
    http, container = module_client
    headers = await _admin_headers(http, container, "acme")

    response = await http.post("/api/admin/modules/flaky/enable", headers=headers)
    listed = await http.get("/api/admin/modules", headers=headers)

    assert response.status_code == 409
    assert response.json()["code"] == "MODULE_HOOK_FAILED"
    assert "search cluster unreachable" in response.json()["detail"]
    assert {m["slug"]: m["enabled"] for m in listed.json()}["flaky"] is False
    assert not await _marker_exists(container)


@pytest.mark.parametrize(
    ("slug", "code", "status"),
    [("auth", "MODULE_IS_CORE", 409), ("nope", "MODULE_NOT_FOUND", 404)],
)
async def test_core_and_unknown_modules_cannot_be_switched(
    module_client: tuple[httpx.AsyncClient, Container], slug: str, code: str, status: int
) -> None:
    http, container = module_client
    headers = await _admin_headers(http, container, "acme")

    response = await http.post(f"/api/admin/modules/{slug}/disable", headers=headers)

    assert response.status_code == status
    assert response.json()["code"] == code


async def test_a_customer_cannot_switch_modules(
    module_client: tuple[httpx.AsyncClient, Container],
) -> None:
    http, container = module_client
    tenant = await make_tenant(container, slug="acme")
    token = await user_token(http, container, tenant, email="c@acme.test")

    response = await http.post(
        "/api/admin/modules/catalog/disable", headers=auth_headers(tenant, token)
    )

    assert response.status_code == 403
