"""The catalog's REST routes: every one, as staff, customer and anonymous; bad input answers a
precise problem naming the field with nothing written and no event; another tenant's ids are
404 and change nothing."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

import pytest

from rustok.commerce.catalog.models import Category, Collection, Product, Variant, VariantPrice
from rustok.testing.factories import make_media
from tests.commerce.conftest import count, events, product_body

if TYPE_CHECKING:
    import httpx

    from rustok.bootstrap import Container
    from rustok.tenancy.schemas import TenantDetail

P = "/api/commerce"


async def _product(http: httpx.AsyncClient, admin: dict[str, str], **kw: Any) -> dict[str, Any]:
    response = await http.post(f"{P}/products", json=product_body(**kw), headers=admin)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_create_answers_201_with_the_product_its_variants_and_their_ids(
    http: httpx.AsyncClient, admin: dict[str, str], container: Container
) -> None:
    response = await http.post(f"{P}/products", json=product_body(), headers=admin)

    body = response.json()
    assert response.status_code == 201
    assert body["status"] == "draft"
    assert [v["sku"] for v in body["variants"]] == ["SHIRT-S", "SHIRT-M"]
    assert all(uuid.UUID(v["id"]) for v in body["variants"])
    assert body["variants"][1]["prices"] == [
        {"currency_code": "EUR", "amount": 1999, "compare_at_amount": None},
        {"currency_code": "USD", "amount": 2199, "compare_at_amount": None},
    ]
    assert await count(container, VariantPrice) == 4


async def test_the_storefront_sees_active_products_only_staff_sees_all(
    http: httpx.AsyncClient,
    admin: dict[str, str],
    customer: dict[str, str],
    anonymous: dict[str, str],
) -> None:
    draft = await _product(http, admin, sku="D")
    active = await _product(http, admin, sku="A", title="Blue shirt", status="active")

    for headers in (customer, anonymous):
        listed = await http.get(f"{P}/products", headers=headers)
        hidden = await http.get(f"{P}/products/{draft['id']}", headers=headers)
        hidden_variant = await http.get(
            f"{P}/variants/{draft['variants'][0]['id']}", headers=headers
        )
        assert [p["id"] for p in listed.json()["items"]] == [active["id"]]
        assert hidden.status_code == hidden_variant.status_code == 404
        assert hidden.json()["code"] == "PRODUCT_NOT_FOUND"
    staff_list = await http.get(f"{P}/products?status=draft", headers=admin)
    staff_one = await http.get(f"{P}/products/{draft['id']}", headers=admin)
    variant = await http.get(f"{P}/variants/{active['variants'][0]['id']}", headers=anonymous)
    by_handle = await http.get(f"{P}/products/handle/blue-shirt-de?locale=de-AT", headers=anonymous)

    assert [p["id"] for p in staff_list.json()["items"]] == [draft["id"]]
    assert staff_one.status_code == 200
    assert variant.json()["product_status"] == "active"
    assert (by_handle.json()["id"], by_handle.json()["locale"]) == (active["id"], "de")


async def test_the_list_pages_by_cursor_and_filters(
    http: httpx.AsyncClient, admin: dict[str, str], anonymous: dict[str, str]
) -> None:
    ids = [
        (
            await _product(
                http, admin, sku=f"S{i}", title=f"Shirt {i}", status="active", eur=i * 100
            )
        )["id"]
        for i in range(1, 4)
    ]

    first = (await http.get(f"{P}/products?limit=2", headers=anonymous)).json()
    second = (
        await http.get(f"{P}/products?limit=2&after={first['next_cursor']}", headers=anonymous)
    ).json()
    cheap = (
        await http.get(f"{P}/products?currency_code=EUR&price_max=200", headers=anonymous)
    ).json()
    found = (await http.get(f"{P}/products?q=shirt%202", headers=anonymous)).json()
    foreign = await http.get(f"{P}/products?after=bm90LWEtY3Vyc29y", headers=anonymous)
    control = await http.get(f"{P}/products?q=a%00b", headers=anonymous)

    assert [p["id"] for p in first["items"] + second["items"]] == ids[::-1]
    assert (first["has_more"], second["has_more"]) == (True, False)
    assert {p["id"] for p in cheap["items"]} == set(ids[:2])
    assert [p["id"] for p in found["items"]] == [ids[1]]
    assert (foreign.status_code, foreign.json()["errors"][0]["field"]) == (422, "cursor")
    assert (control.status_code, control.json()["errors"][0]["field"]) == (422, "query.q")


async def test_update_publish_unpublish_archive_delete(
    http: httpx.AsyncClient, admin: dict[str, str], container: Container
) -> None:
    product = await _product(http, admin)
    url = f"{P}/products/{product['id']}"

    updated = await http.patch(
        url,
        json={
            "version": 1,
            "translations": [{"locale": "en", "title": "Lime"}],
            "metadata": {"a": 1},
        },
        headers=admin,
    )
    stale = await http.patch(url, json={"version": 1, "metadata": {}}, headers=admin)
    published = await http.post(f"{url}/publish", headers=admin)
    refused_delete = await http.delete(url, headers=admin)
    unpublished = await http.post(f"{url}/unpublish", headers=admin)
    archived = await http.post(f"{url}/archive", headers=admin)
    deleted = await http.delete(url, headers=admin)
    gone = await http.get(url, headers=admin)

    assert (updated.status_code, updated.json()["handle"], updated.json()["version"]) == (
        200,
        "lime",
        2,
    )
    assert (stale.status_code, stale.json()["code"]) == (409, "VERSION_CONFLICT")
    assert stale.json()["errors"][0]["field"] == "body.version"
    assert published.json()["status"] == "active"
    assert (refused_delete.status_code, refused_delete.json()["code"]) == (409, "PRODUCT_ACTIVE")
    assert (unpublished.json()["status"], archived.json()["status"]) == ("draft", "archived")
    assert (deleted.status_code, gone.status_code) == (204, 404)
    assert [e.event_type for e in await events(container)] == [
        "commerce.product.created",
        "commerce.product.updated",
        "commerce.product.published",
        "commerce.product.unpublished",
        "commerce.product.archived",
        "commerce.product.deleted",
    ]


async def test_variants_are_added_changed_and_removed(
    http: httpx.AsyncClient, admin: dict[str, str], container: Container
) -> None:
    product = await _product(http, admin)

    added = await http.post(
        f"{P}/products/{product['id']}/variants",
        json={
            "sku": "SHIRT-L",
            "options": {"Size": "L"},
            "manage_inventory": False,
            "prices": [{"currency_code": "EUR", "amount": 2199, "compare_at_amount": 2999}],
        },
        headers=admin,
    )
    variant_url = f"{P}/variants/{added.json()['id']}"
    changed = await http.patch(variant_url, json={"weight_g": 250, "rank": 9}, headers=admin)
    duplicate = await http.patch(variant_url, json={"sku": "SHIRT-S"}, headers=admin)
    removed = await http.delete(variant_url, headers=admin)
    again = await http.delete(variant_url, headers=admin)

    assert added.status_code == 201
    assert (added.json()["options"], added.json()["manage_inventory"]) == ({"Size": "L"}, False)
    assert (changed.json()["weight_g"], changed.json()["rank"]) == (250, 9)
    assert (duplicate.status_code, duplicate.json()["code"]) == (409, "SKU_TAKEN")
    assert duplicate.json()["errors"] == [{"field": "body.sku", "message": "taken"}]
    assert (removed.status_code, again.status_code) == (204, 404)
    assert [e.event_type for e in await events(container, "commerce.variant.")] == [
        "commerce.variant.created",
        "commerce.variant.updated",
        "commerce.variant.deleted",
    ]


def _with(path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    body = product_body(sku="BAD")
    target: Any = body
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return body


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        (_with(("variants", 0, "prices", 0, "amount"), -1), 422, "body.variants.0.prices.0.amount"),
        (
            _with(("variants", 0, "prices", 0, "amount"), 19.99),
            422,
            "body.variants.0.prices.0.amount",
        ),
        (
            _with(("variants", 0, "prices", 0, "currency_code"), "XYZ"),
            422,
            "body.variants.0.prices.0.currency_code",
        ),
        (
            _with(("variants", 0, "prices", 0, "compare_at_amount"), 1000),
            422,
            "body.variants.0.prices.0.compare_at_amount",
        ),
        (_with(("variants", 1, "sku"), "BAD-S"), 422, "body.variants.1.sku"),
        (_with(("variants", 1, "options"), {"Size": "S"}), 422, "body.variants.1.options"),
        (_with(("translations",), []), 422, "body.translations"),
        (_with(("translations", 0, "handle"), "Not A Handle"), 422, "body.translations.0.handle"),
        (_with(("status",), "published"), 422, "body.status"),
        (_with(("category_ids",), [str(uuid.uuid4())]), 422, "body.category_ids.0"),
    ],
)
async def test_bad_input_names_the_field_writes_nothing_and_emits_nothing(
    http: httpx.AsyncClient,
    admin: dict[str, str],
    container: Container,
    body: dict[str, Any],
    status: int,
    field: str,
) -> None:
    response = await http.post(f"{P}/products", json=body, headers=admin)

    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert field in [error["field"] for error in response.json()["errors"]]
    assert await count(container, Product) == 0
    assert await count(container, Variant) == 0
    assert await events(container) == []


async def test_an_image_of_another_tenants_media_is_422_and_writes_nothing(
    http: httpx.AsyncClient,
    admin: dict[str, str],
    container: Container,
    other_tenant: TenantDetail,
    tenant: TenantDetail,
) -> None:
    theirs = await make_media(container, other_tenant.id)
    ours = await make_media(container, tenant.id)
    body = product_body(sku="PIC", images=[{"media_id": str(ours)}, {"media_id": str(theirs)}])

    response = await http.post(f"{P}/products", json=body, headers=admin)

    assert response.status_code == 422, response.text
    assert response.json()["code"] == "MEDIA_REFERENCE_UNKNOWN"
    assert [error["field"] for error in response.json()["errors"]] == ["body.images.1"]
    assert await count(container, Product) == 0
    assert await events(container) == []


async def test_a_taken_sku_is_409_naming_the_variant_and_writes_nothing(
    http: httpx.AsyncClient, admin: dict[str, str], container: Container
) -> None:
    await _product(http, admin, sku="TAKEN")

    response = await http.post(
        f"{P}/products", json=product_body(sku="TAKEN", title="Other"), headers=admin
    )

    assert (response.status_code, response.json()["code"]) == (409, "SKU_TAKEN")
    assert response.json()["errors"][0]["field"] == "body.variants.0.sku"
    assert await count(container, Product) == 1
    assert len(await events(container)) == 1


async def test_writes_need_the_products_permission(
    http: httpx.AsyncClient, customer: dict[str, str], anonymous: dict[str, str]
) -> None:
    as_customer = await http.post(f"{P}/products", json=product_body(), headers=customer)
    as_anonymous = await http.post(f"{P}/products", json=product_body(), headers=anonymous)
    collection = await http.post(
        f"{P}/collections",
        json={"translations": [{"locale": "en", "title": "X"}]},
        headers=customer,
    )

    assert (as_customer.status_code, as_customer.json()["code"]) == (403, "FORBIDDEN")
    assert as_anonymous.status_code == 401
    assert collection.status_code == 403


async def test_collections_crud(
    http: httpx.AsyncClient, admin: dict[str, str], anonymous: dict[str, str]
) -> None:
    created = await http.post(
        f"{P}/collections",
        json={
            "translations": [
                {"locale": "en", "title": "Summer Sale"},
                {"locale": "de", "title": "Sommerschlussverkauf"},
            ]
        },
        headers=admin,
    )
    url = f"{P}/collections/{created.json()['id']}"
    taken = await http.post(
        f"{P}/collections",
        json={"translations": [{"locale": "en", "title": "X", "handle": "summer-sale"}]},
        headers=admin,
    )
    listed = await http.get(f"{P}/collections?locale=de", headers=anonymous)
    changed = await http.patch(
        url, json={"translations": [{"locale": "en", "title": "Winter"}]}, headers=admin
    )
    one = await http.get(url, headers=anonymous)
    deleted = await http.delete(url, headers=admin)

    assert created.status_code == 201
    assert created.json()["handle"] == "summer-sale"
    assert (taken.status_code, taken.json()["errors"][0]["field"]) == (
        409,
        "body.translations.0.handle",
    )
    assert listed.json()[0]["title"] == "Sommerschlussverkauf"
    assert changed.json()["handle"] == "winter"
    assert one.json()["title"] == "Winter"
    assert (deleted.status_code, (await http.get(url, headers=admin)).status_code) == (204, 404)


async def test_categories_form_a_tree_without_cycles(
    http: httpx.AsyncClient, admin: dict[str, str], anonymous: dict[str, str], container: Container
) -> None:
    root = (
        await http.post(
            f"{P}/categories",
            json={"translations": [{"locale": "en", "title": "Men"}]},
            headers=admin,
        )
    ).json()
    child = await http.post(
        f"{P}/categories",
        json={"translations": [{"locale": "en", "title": "Shirts"}], "parent_id": root["id"]},
        headers=admin,
    )
    cycle = await http.patch(
        f"{P}/categories/{root['id']}", json={"parent_id": child.json()["id"]}, headers=admin
    )
    orphan = await http.post(
        f"{P}/categories",
        json={"translations": [{"locale": "en", "title": "X"}], "parent_id": str(uuid.uuid4())},
        headers=admin,
    )
    has_children = await http.delete(f"{P}/categories/{root['id']}", headers=admin)
    listed = await http.get(f"{P}/categories", headers=anonymous)
    one = await http.get(f"{P}/categories/{child.json()['id']}", headers=anonymous)
    moved = await http.patch(
        f"{P}/categories/{child.json()['id']}", json={"parent_id": None, "rank": 3}, headers=admin
    )
    deleted = await http.delete(f"{P}/categories/{root['id']}", headers=admin)

    assert child.json()["parent_id"] == root["id"]
    assert (cycle.status_code, cycle.json()["code"]) == (422, "CATEGORY_CYCLE")
    assert (orphan.status_code, orphan.json()["errors"][0]["field"]) == (422, "body.parent_id")
    assert (has_children.status_code, has_children.json()["code"]) == (409, "CATEGORY_HAS_CHILDREN")
    assert [c["title"] for c in listed.json()] == ["Men", "Shirts"]
    assert one.json()["handle"] == "shirts"
    assert (moved.json()["parent_id"], moved.json()["rank"]) == (None, 3)
    assert deleted.status_code == 204
    assert await count(container, Category) == 1


async def test_another_tenant_gets_404_on_every_catalog_resource_and_changes_nothing(
    http: httpx.AsyncClient, admin: dict[str, str], intruder: dict[str, str], container: Container
) -> None:
    product = await _product(http, admin, status="active")
    variant_id = product["variants"][0]["id"]
    collection = (
        await http.post(
            f"{P}/collections",
            json={"translations": [{"locale": "en", "title": "C"}]},
            headers=admin,
        )
    ).json()
    category = (
        await http.post(
            f"{P}/categories",
            json={"translations": [{"locale": "en", "title": "K"}]},
            headers=admin,
        )
    ).json()
    pid, cid, kid = product["id"], collection["id"], category["id"]
    attempts = [
        ("GET", f"/products/{pid}", None),
        ("PATCH", f"/products/{pid}", {"version": 1, "metadata": {"x": 1}}),
        ("DELETE", f"/products/{pid}", None),
        ("POST", f"/products/{pid}/publish", None),
        ("POST", f"/products/{pid}/unpublish", None),
        ("POST", f"/products/{pid}/archive", None),
        ("POST", f"/products/{pid}/variants", {"sku": "X", "options": {"Size": "XL"}}),
        ("GET", "/products/handle/green-shirt", None),
        ("GET", f"/variants/{variant_id}", None),
        ("PATCH", f"/variants/{variant_id}", {"sku": "STOLEN"}),
        ("DELETE", f"/variants/{variant_id}", None),
        ("GET", f"/collections/{cid}", None),
        ("PATCH", f"/collections/{cid}", {"metadata": {"x": 1}}),
        ("DELETE", f"/collections/{cid}", None),
        ("GET", f"/categories/{kid}", None),
        ("PATCH", f"/categories/{kid}", {"rank": 5}),
        ("DELETE", f"/categories/{kid}", None),
    ]
    before = len(await events(container))

    for method, path, body in attempts:
        response = await http.request(method, f"{P}{path}", json=body, headers=intruder)
        assert response.status_code == 404, (method, path, response.text)
    linked = await http.post(
        f"{P}/products", json=product_body(sku="Z", collection_ids=[cid]), headers=intruder
    )
    listed = await http.get(f"{P}/products", headers=intruder)

    assert (linked.status_code, linked.json()["errors"][0]["field"]) == (
        422,
        "body.collection_ids.0",
    )
    assert listed.json()["items"] == []
    assert (await http.get(f"{P}/products/{pid}", headers=admin)).json()["version"] == 1
    assert (await count(container, Variant), await count(container, Collection)) == (2, 1)
    assert len(await events(container)) == before
