"""Inventory's REST routes: stock locations, levels, adjust (default location), set, transfer,
check and movements; who may call which; bad input refused with nothing written and no
event."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from rustok.commerce.inventory.models import InventoryLevel, StockLocation, StockMovement
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


async def test_adjust_without_a_location_uses_the_default_one(
    http: httpx.AsyncClient, admin: dict[str, str], container: Container
) -> None:
    variant = await _variant(http, admin)

    added = await http.post(
        f"{P}/variants/{variant}/inventory/adjust",
        json={"adjustment": 10, "reason": "received"},
        headers=admin,
    )
    levels = await http.get(f"{P}/variants/{variant}/inventory", headers=admin)
    locations = await http.get(f"{P}/stock-locations", headers=admin)

    assert added.status_code == 200, added.text
    body = added.json()
    assert (body["sku"], body["stocked"], body["reserved"], body["available"]) == (
        "SHIRT-S",
        10,
        0,
        10,
    )
    assert levels.json() == body
    [default] = locations.json()
    assert (default["name"], default["is_default"]) == ("Default", True)
    assert body["levels"][0]["location_id"] == default["id"]
    movements = (await http.get(f"{P}/inventory/movements", headers=admin)).json()
    assert [(m["kind"], m["delta"], m["reason"]) for m in movements["items"]] == [
        ("adjust", 10, "received")
    ]
    assert movements["items"][0]["actor_id"] is not None
    assert [e.event_type for e in await events(container, "commerce.inventory.")] == [
        "commerce.inventory.adjusted"
    ]


async def test_locations_set_and_transfer_over_rest(
    http: httpx.AsyncClient, admin: dict[str, str], container: Container
) -> None:
    variant = await _variant(http, admin)
    main = await http.post(
        f"{P}/stock-locations",
        json={"name": "Berlin", "city": "Berlin", "country_code": "DE"},
        headers=admin,
    )
    annex = await http.post(f"{P}/stock-locations", json={"name": "Hamburg"}, headers=admin)
    assert (main.status_code, annex.status_code) == (201, 201)
    main_id, annex_id = main.json()["id"], annex.json()["id"]

    counted = await http.post(
        f"{P}/variants/{variant}/inventory/set",
        json={"quantity": 8, "low_stock_threshold": 3, "reason": "count"},
        headers=admin,
    )
    moved = await http.post(
        f"{P}/inventory/transfer",
        json={
            "variant_id": variant,
            "from_location_id": main_id,
            "to_location_id": annex_id,
            "quantity": 6,
        },
        headers=admin,
    )
    too_much = await http.post(
        f"{P}/inventory/transfer",
        json={
            "variant_id": variant,
            "from_location_id": main_id,
            "to_location_id": annex_id,
            "quantity": 3,
        },
        headers=admin,
    )
    renamed = await http.patch(
        f"{P}/stock-locations/{annex_id}", json={"name": "Hamburg Port"}, headers=admin
    )
    in_use = await http.delete(f"{P}/stock-locations/{annex_id}", headers=admin)

    assert counted.status_code == 200, counted.text
    assert counted.json()["levels"][0]["low_stock_threshold"] == 3
    assert moved.status_code == 200, moved.text
    assert (moved.json()["source"]["stocked"], moved.json()["destination"]["stocked"]) == (2, 6)
    assert too_much.status_code == 409
    assert too_much.json()["code"] == "INSUFFICIENT_STOCK"
    assert too_much.json()["errors"] == [{"field": "body.quantity", "message": "at most 2"}]
    assert renamed.json()["name"] == "Hamburg Port"
    assert in_use.status_code == 409
    assert in_use.json()["code"] == "STOCK_LOCATION_IN_USE"
    low = await events(container, "commerce.inventory.low")
    assert [(e.payload["available"], e.payload["threshold"]) for e in low] == [(2, 3)]


async def test_the_check_is_open_to_shoppers_for_products_on_sale_only(
    http: httpx.AsyncClient,
    admin: dict[str, str],
    customer: dict[str, str],
    anonymous: dict[str, str],
) -> None:
    variant = await _variant(http, admin)
    draft = (
        await http.post(f"{P}/products", json=product_body(sku="DRAFT"), headers=admin)
    ).json()["variants"][0]["id"]
    await http.post(
        f"{P}/variants/{variant}/inventory/adjust",
        json={"adjustment": 2, "reason": "received"},
        headers=admin,
    )
    lines = {
        "lines": [{"variant_id": variant, "quantity": 2}, {"variant_id": variant, "quantity": 3}]
    }

    as_anonymous = await http.post(f"{P}/inventory/check", json=lines, headers=anonymous)
    as_customer = await http.post(f"{P}/inventory/check", json=lines, headers=customer)
    hidden = await http.post(
        f"{P}/inventory/check",
        json={"lines": [{"variant_id": draft, "quantity": 1}]},
        headers=anonymous,
    )
    staff = await http.post(
        f"{P}/inventory/check",
        json={"lines": [{"variant_id": draft, "quantity": 1}]},
        headers=admin,
    )

    assert as_anonymous.status_code == 200, as_anonymous.text
    assert as_anonymous.json() == as_customer.json()
    assert as_anonymous.json()["ok"] is False
    assert [(line["available"], line["ok"]) for line in as_anonymous.json()["lines"]] == [
        (2, True),
        (2, False),
    ]
    assert hidden.status_code == 404
    assert hidden.json()["errors"][0]["field"] == "body.lines.0.variant_id"
    assert staff.json()["lines"][0]["ok"] is False


async def test_shoppers_may_not_touch_stock_and_managers_may(
    http: httpx.AsyncClient,
    admin: dict[str, str],
    manager: dict[str, str],
    customer: dict[str, str],
    anonymous: dict[str, str],
) -> None:
    variant = await _variant(http, admin)
    adjust = f"{P}/variants/{variant}/inventory/adjust"
    body = {"adjustment": 1, "reason": "received"}

    assert (await http.post(adjust, json=body, headers=anonymous)).status_code == 401
    assert (await http.post(adjust, json=body, headers=customer)).status_code == 403
    assert (await http.get(f"{P}/stock-locations", headers=customer)).status_code == 403
    assert (await http.post(adjust, json=body, headers=manager)).status_code == 200
    assert (await http.get(f"{P}/inventory/movements", headers=manager)).status_code == 200


@pytest.mark.parametrize(
    ("path", "body", "status", "field"),
    [
        ("adjust", {"adjustment": 1.5, "reason": "x"}, 422, "body.adjustment"),
        ("adjust", {"adjustment": "3", "reason": "x"}, 422, "body.adjustment"),
        ("adjust", {"adjustment": 1}, 422, "body.reason"),
        ("adjust", {"adjustment": -1, "reason": "lost"}, 409, "body.adjustment"),
        ("adjust", {"adjustment": 1, "reason": "x", "extra": 1}, 422, "body.extra"),
        (
            "adjust",
            {"adjustment": 1, "reason": "x", "location_id": "7f3b1c2e-5d4a-4e8b-9c1d-2a3b4c5d6e7f"},
            404,
            "body.location_id",
        ),
        ("set", {"quantity": -1}, 422, "body.quantity"),
        ("set", {"quantity": 1, "low_stock_threshold": -2}, 422, "body.low_stock_threshold"),
    ],
)
async def test_bad_stock_changes_are_refused_and_write_nothing(
    http: httpx.AsyncClient,
    admin: dict[str, str],
    container: Container,
    path: str,
    body: dict[str, Any],
    status: int,
    field: str,
) -> None:
    variant = await _variant(http, admin)

    response = await http.post(f"{P}/variants/{variant}/inventory/{path}", json=body, headers=admin)

    assert response.status_code == status, response.text
    assert response.json()["errors"][0]["field"] == field
    assert await count(container, StockMovement) == 0
    assert await count(container, InventoryLevel) <= 1
    assert await events(container, "commerce.inventory.") == []


async def test_an_unknown_variant_and_bad_locations_are_refused(
    http: httpx.AsyncClient, admin: dict[str, str], container: Container
) -> None:
    missing = "7f3b1c2e-5d4a-4e8b-9c1d-2a3b4c5d6e7f"

    unknown = await http.post(
        f"{P}/variants/{missing}/inventory/adjust",
        json={"adjustment": 1, "reason": "x"},
        headers=admin,
    )
    country = await http.post(
        f"{P}/stock-locations", json={"name": "X", "country_code": "de"}, headers=admin
    )
    await http.post(f"{P}/stock-locations", json={"name": "Y"}, headers=admin)
    taken = await http.post(f"{P}/stock-locations", json={"name": "Y"}, headers=admin)

    assert (unknown.status_code, unknown.json()["code"]) == (404, "VARIANT_NOT_FOUND")
    assert country.json()["errors"][0]["field"] == "body.country_code"
    assert (taken.status_code, taken.json()["code"]) == (409, "STOCK_LOCATION_NAME_TAKEN")
    assert await count(container, StockLocation) == 1


async def test_another_tenant_gets_404_on_every_inventory_resource_and_changes_nothing(
    http: httpx.AsyncClient,
    admin: dict[str, str],
    intruder: dict[str, str],
    container: Container,
) -> None:
    variant = await _variant(http, admin)
    location = (
        await http.post(f"{P}/stock-locations", json={"name": "Mine"}, headers=admin)
    ).json()["id"]
    other = (
        await http.post(f"{P}/stock-locations", json={"name": "Mine too"}, headers=admin)
    ).json()["id"]
    await http.post(
        f"{P}/variants/{variant}/inventory/adjust",
        json={"adjustment": 5, "reason": "received"},
        headers=admin,
    )
    attempts = [
        ("GET", f"/stock-locations/{location}", None),
        ("PATCH", f"/stock-locations/{location}", {"name": "Theirs"}),
        ("DELETE", f"/stock-locations/{other}", None),
        ("GET", f"/variants/{variant}/inventory", None),
        ("POST", f"/variants/{variant}/inventory/adjust", {"adjustment": -5, "reason": "x"}),
        ("POST", f"/variants/{variant}/inventory/set", {"quantity": 0}),
        (
            "POST",
            "/inventory/transfer",
            {
                "variant_id": variant,
                "from_location_id": location,
                "to_location_id": other,
                "quantity": 1,
            },
        ),
        ("POST", "/inventory/check", {"lines": [{"variant_id": variant, "quantity": 1}]}),
    ]
    before = (len(await events(container)), await count(container, StockMovement))

    for method, path, body in attempts:
        response = await http.request(method, f"{P}{path}", json=body, headers=intruder)
        assert response.status_code == 404, (method, path, response.text)

    assert (await http.get(f"{P}/stock-locations", headers=intruder)).json() == []
    assert (await http.get(f"{P}/inventory/movements", headers=intruder)).json()["items"] == []
    assert (await http.get(f"{P}/variants/{variant}/inventory", headers=admin)).json()[
        "stocked"
    ] == 5
    assert (len(await events(container)), await count(container, StockMovement)) == before
    assert await count(container, StockLocation) == 2
