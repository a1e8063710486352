"""Pricing's REST routes: regions, price lists, base prices and the price calculation; bad input
and other tenants' ids refused with nothing written and no event."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

import pytest

from rustok.commerce.pricing.models import PriceList, PriceListPrice, Region
from tests.commerce.conftest import count, events, product_body

if TYPE_CHECKING:
    import httpx

    from rustok.bootstrap import Container

P = "/api/commerce"


async def _variant(http: httpx.AsyncClient, admin: dict[str, str], **kw: Any) -> str:
    response = await http.post(
        f"{P}/products", json=product_body(status="active", **kw), headers=admin
    )
    assert response.status_code == 201, response.text
    variant_id: str = response.json()["variants"][0]["id"]
    return variant_id


async def _region(http: httpx.AsyncClient, admin: dict[str, str], **kw: Any) -> dict[str, Any]:
    body = {"name": "Europe", "currency_code": "EUR", "tax_rate_bp": 1900, "tax_inclusive": True}
    response = await http.post(f"{P}/regions", json={**body, **kw}, headers=admin)
    assert response.status_code == 201, response.text
    region: dict[str, Any] = response.json()
    return region


async def test_the_price_answers_the_calculation(
    http: httpx.AsyncClient, admin: dict[str, str], anonymous: dict[str, str]
) -> None:
    variant = await _variant(http, admin)
    europe = await _region(http, admin, countries=["DE", "FR"])
    us = await _region(
        http, admin, name="US", currency_code="USD", tax_rate_bp=800, tax_inclusive=False
    )

    eur = await http.get(
        f"{P}/variants/{variant}/price?currency=EUR&quantity=3&region_id={europe['id']}",
        headers=anonymous,
    )
    usd = await http.get(
        f"{P}/variants/{variant}/price?currency=USD&quantity=2&region_id={us['id']}",
        headers=anonymous,
    )
    mismatch = await http.get(
        f"{P}/variants/{variant}/price?currency=USD&region_id={europe['id']}", headers=anonymous
    )
    unknown = await http.get(f"{P}/variants/{variant}/price?currency=XYZ", headers=anonymous)
    negative = await http.get(
        f"{P}/variants/{variant}/price?currency=EUR&quantity=-1", headers=anonymous
    )
    unpriced = await http.get(f"{P}/variants/{variant}/price?currency=JPY", headers=anonymous)

    assert eur.status_code == 200
    assert eur.json()["unit_price"] == {"amount": 1999, "currency_code": "EUR"}
    assert (eur.json()["tax"]["amount"], eur.json()["total"]["amount"]) == (958, 5997)
    assert eur.json()["rounding"] == "half-even"
    assert (usd.json()["tax"]["amount"], usd.json()["total"]["amount"]) == (352, 4750)
    assert (mismatch.status_code, mismatch.json()["code"]) == (422, "CURRENCY_MISMATCH")
    assert (unknown.status_code, unknown.json()["errors"][0]["field"]) == (422, "query.currency")
    assert (negative.status_code, negative.json()["errors"][0]["field"]) == (422, "query.quantity")
    assert (unpriced.status_code, unpriced.json()["code"]) == (404, "PRICE_NOT_FOUND")


async def test_base_prices_are_read_and_replaced(
    http: httpx.AsyncClient,
    admin: dict[str, str],
    customer: dict[str, str],
    container: Container,
) -> None:
    variant = await _variant(http, admin)
    url = f"{P}/variants/{variant}/prices"

    replaced = await http.put(
        url,
        json={"prices": [{"currency_code": "JPY", "amount": 3000, "compare_at_amount": 3500}]},
        headers=admin,
    )
    read = await http.get(url, headers=admin)
    as_customer = await http.get(url, headers=customer)

    assert replaced.json()["prices"] == [
        {"currency_code": "JPY", "amount": 3000, "compare_at_amount": 3500}
    ]
    assert read.json() == replaced.json()
    assert as_customer.status_code == 403
    assert [e.event_type for e in await events(container, "commerce.price.")] == [
        "commerce.price.updated"
    ]


@pytest.mark.parametrize(
    ("prices", "field"),
    [
        ([{"currency_code": "EUR", "amount": -5}], "body.prices.0.amount"),
        ([{"currency_code": "EUR", "amount": 10.5}], "body.prices.0.amount"),
        ([{"currency_code": "ZZZ", "amount": 5}], "body.prices.0.currency_code"),
        (
            [{"currency_code": "EUR", "amount": 500, "compare_at_amount": 499}],
            "body.prices.0.compare_at_amount",
        ),
        (
            [{"currency_code": "EUR", "amount": 5}, {"currency_code": "EUR", "amount": 6}],
            "body.prices",
        ),
    ],
)
async def test_bad_base_prices_name_the_field_and_change_nothing(
    http: httpx.AsyncClient,
    admin: dict[str, str],
    container: Container,
    prices: list[dict[str, Any]],
    field: str,
) -> None:
    variant = await _variant(http, admin)

    response = await http.put(
        f"{P}/variants/{variant}/prices", json={"prices": prices}, headers=admin
    )

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == field
    unchanged = await http.get(f"{P}/variants/{variant}/prices", headers=admin)
    assert [p["amount"] for p in unchanged.json()["prices"]] == [1999, 2199]
    assert await events(container, "commerce.price.") == []


async def test_regions_crud(
    http: httpx.AsyncClient, admin: dict[str, str], anonymous: dict[str, str], container: Container
) -> None:
    region = await _region(http, admin, countries=["DE"])
    url = f"{P}/regions/{region['id']}"

    taken = await http.post(
        f"{P}/regions", json={"name": "Europe", "currency_code": "EUR"}, headers=admin
    )
    bad_country = await http.post(
        f"{P}/regions",
        json={"name": "X", "currency_code": "EUR", "countries": ["XX"]},
        headers=admin,
    )
    bad_rate = await http.post(
        f"{P}/regions",
        json={"name": "Y", "currency_code": "EUR", "tax_rate_bp": 10001},
        headers=admin,
    )
    listed = await http.get(f"{P}/regions", headers=anonymous)
    changed = await http.patch(url, json={"tax_rate_bp": 700, "countries": ["AT"]}, headers=admin)
    one = await http.get(url, headers=anonymous)
    deleted = await http.delete(url, headers=admin)

    assert (taken.status_code, taken.json()["code"]) == (409, "REGION_NAME_TAKEN")
    assert (bad_country.status_code, bad_country.json()["errors"][0]["field"]) == (
        422,
        "body.countries.0",
    )
    assert bad_rate.json()["errors"][0]["field"] == "body.tax_rate_bp"
    assert [r["name"] for r in listed.json()] == ["Europe"]
    assert (changed.json()["tax_rate_bp"], changed.json()["countries"]) == (700, ["AT"])
    assert one.json()["tax_rate_bp"] == 700
    assert deleted.status_code == 204
    assert await count(container, Region) == 0


async def test_price_lists_crud_and_their_effect_on_the_price(
    http: httpx.AsyncClient, admin: dict[str, str], anonymous: dict[str, str], container: Container
) -> None:
    variant = await _variant(http, admin, eur=2000)
    created = await http.post(
        f"{P}/price-lists",
        json={
            "name": "Summer sale",
            "type": "sale",
            "status": "active",
            "prices": [
                {"variant_id": variant, "currency_code": "EUR", "kind": "amount_off", "value": 500},
                {
                    "variant_id": variant,
                    "currency_code": "EUR",
                    "kind": "percent_off",
                    "value": 5000,
                    "min_quantity": 10,
                },
            ],
        },
        headers=admin,
    )
    url = f"{P}/price-lists/{created.json()['id']}"
    one = await http.get(f"{P}/variants/{variant}/price?currency=EUR", headers=anonymous)
    bulk = await http.get(
        f"{P}/variants/{variant}/price?currency=EUR&quantity=10", headers=anonymous
    )
    listed = await http.get(f"{P}/price-lists", headers=admin)
    changed = await http.patch(url, json={"version": 1, "status": "draft"}, headers=admin)
    stale = await http.patch(url, json={"version": 1, "name": "Late"}, headers=admin)
    after = await http.get(f"{P}/variants/{variant}/price?currency=EUR", headers=anonymous)
    read = await http.get(url, headers=admin)
    deleted = await http.delete(url, headers=admin)

    assert created.status_code == 201
    assert (one.json()["unit_price"]["amount"], one.json()["price_list_id"]) == (
        1500,
        created.json()["id"],
    )
    assert bulk.json()["unit_price"]["amount"] == 1000
    assert [p["id"] for p in listed.json()] == [created.json()["id"]]
    assert (changed.json()["status"], changed.json()["version"]) == ("draft", 2)
    assert (stale.status_code, stale.json()["code"]) == (409, "VERSION_CONFLICT")
    assert after.json()["unit_price"]["amount"] == 2000
    assert read.json()["name"] == "Summer sale"
    assert deleted.status_code == 204
    assert (await count(container, PriceList), await count(container, PriceListPrice)) == (0, 0)
    assert [e.payload["change"] for e in await events(container, "commerce.price.")] == [
        "created",
        "updated",
        "deleted",
    ]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"type": "discount"}, "body.type"),
        ({"starts_at": "2026-02-01T00:00:00Z", "ends_at": "2026-01-01T00:00:00Z"}, "body.ends_at"),
        ({"starts_at": "2026-02-01T00:00:00"}, "body.starts_at"),
        ({"prices": [{"kind": "percent_off", "value": 10001}]}, "body.prices.0.value"),
        ({"prices": [{"value": -1}]}, "body.prices.0.value"),
        ({"prices": [{"min_quantity": 5, "max_quantity": 4}]}, "body.prices.0.max_quantity"),
        ({"prices": [{"currency_code": "EURO"}]}, "body.prices.0.currency_code"),
        ({"prices": [{}, {}]}, "body.prices"),
        ({"prices": [{"variant_id": str(uuid.uuid4())}]}, "body.prices.0.variant_id"),
    ],
)
async def test_bad_price_lists_name_the_field_write_nothing_emit_nothing(
    http: httpx.AsyncClient,
    admin: dict[str, str],
    container: Container,
    change: dict[str, Any],
    field: str,
) -> None:
    variant = await _variant(http, admin)
    price = {"variant_id": variant, "currency_code": "EUR", "value": 100}
    body: dict[str, Any] = {"name": "Bad", **change}
    if "prices" in change:
        body["prices"] = [{**price, **p} for p in change["prices"]]

    response = await http.post(f"{P}/price-lists", json=body, headers=admin)

    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["field"] == field
    assert (await count(container, PriceList), await count(container, PriceListPrice)) == (0, 0)
    assert await events(container, "commerce.price.") == []


async def test_another_tenant_gets_404_on_every_pricing_resource_and_changes_nothing(
    http: httpx.AsyncClient,
    admin: dict[str, str],
    intruder: dict[str, str],
    container: Container,
) -> None:
    variant = await _variant(http, admin)
    region = await _region(http, admin)
    price_list = (await http.post(f"{P}/price-lists", json={"name": "Mine"}, headers=admin)).json()
    rid, lid = region["id"], price_list["id"]
    attempts = [
        ("GET", f"/variants/{variant}/price?currency=EUR", None),
        ("GET", f"/variants/{variant}/prices", None),
        ("PUT", f"/variants/{variant}/prices", {"prices": []}),
        ("GET", f"/regions/{rid}", None),
        ("PATCH", f"/regions/{rid}", {"tax_rate_bp": 0}),
        ("DELETE", f"/regions/{rid}", None),
        ("GET", f"/price-lists/{lid}", None),
        ("PATCH", f"/price-lists/{lid}", {"version": 1, "name": "Theirs"}),
        ("DELETE", f"/price-lists/{lid}", None),
    ]
    before = len(await events(container))

    for method, path, body in attempts:
        response = await http.request(method, f"{P}{path}", json=body, headers=intruder)
        assert response.status_code == 404, (method, path, response.text)
    stolen = await http.post(
        f"{P}/price-lists",
        json={
            "name": "Steal",
            "prices": [{"variant_id": variant, "currency_code": "EUR", "value": 1}],
        },
        headers=intruder,
    )
    foreign_region = await http.post(
        f"{P}/price-lists", json={"name": "Steal", "region_ids": [rid]}, headers=intruder
    )

    assert stolen.json()["errors"][0]["field"] == "body.prices.0.variant_id"
    assert foreign_region.status_code == 404
    assert (await http.get(f"{P}/regions", headers=intruder)).json() == []
    assert (await http.get(f"{P}/price-lists", headers=intruder)).json() == []
    assert (await http.get(f"{P}/price-lists/{lid}", headers=admin)).json()["name"] == "Mine"
    assert (await count(container, Region), await count(container, PriceList)) == (1, 1)
    assert len(await events(container)) == before
