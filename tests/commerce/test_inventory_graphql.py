"""Inventory's GraphQL: stock on the catalog's variants, stock locations, levels and
movements; mutations with the REST bodies as input; codes of refusals."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rustok.commerce.inventory.models import StockLocation, StockMovement
from tests.commerce.conftest import count, events, product_body

if TYPE_CHECKING:
    import httpx

    from rustok.bootstrap import Container

P = "/api/commerce"


async def _gql(
    http: httpx.AsyncClient, headers: dict[str, str], query: str, **variables: Any
) -> dict[str, Any]:
    response = await http.post(
        "/api/graphql", json={"query": query, "variables": variables}, headers=headers
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def _variant(http: httpx.AsyncClient, admin: dict[str, str], **kw: Any) -> str:
    response = await http.post(
        f"{P}/products", json=product_body(status="active", **kw), headers=admin
    )
    assert response.status_code == 201, response.text
    variant_id: str = response.json()["variants"][0]["id"]
    return variant_id


LEVELS = "variantId sku stocked reserved available levels { locationId stocked available }"


async def test_mutations_change_stock_and_queries_read_it(
    http: httpx.AsyncClient, admin: dict[str, str], anonymous: dict[str, str], container: Container
) -> None:
    variant = await _variant(http, admin)
    created = await _gql(
        http,
        admin,
        "mutation($input: JSON!) { createStockLocation(input: $input) { id name isDefault } }",
        input={"name": "Berlin", "country_code": "DE"},
    )
    annex = await _gql(
        http,
        admin,
        "mutation($input: JSON!) { createStockLocation(input: $input) { id isDefault } }",
        input={"name": "Hamburg"},
    )
    berlin = created["data"]["createStockLocation"]
    hamburg = annex["data"]["createStockLocation"]["id"]

    adjusted = await _gql(
        http,
        admin,
        f"mutation($v: UUID!, $input: JSON!) {{ adjustInventory(variantId: $v, input: $input) "
        f"{{ {LEVELS} }} }}",
        v=variant,
        input={"adjustment": 7, "reason": "received"},
    )
    moved = await _gql(
        http,
        admin,
        "mutation($input: JSON!) { transferInventory(input: $input) "
        "{ quantity source { stocked } destination { stocked } } }",
        input={
            "variant_id": variant,
            "from_location_id": berlin["id"],
            "to_location_id": hamburg,
            "quantity": 3,
        },
    )
    counted = await _gql(
        http,
        admin,
        "mutation($v: UUID!, $input: JSON!) { setInventory(variantId: $v, input: $input) "
        "{ stocked } }",
        v=variant,
        input={"quantity": 10, "location_id": hamburg},
    )
    locations = await _gql(http, admin, "{ stockLocations { name isDefault } }")
    levels = await _gql(
        http,
        admin,
        f"query($v: UUID!) {{ variantInventory(variantId: $v) {{ {LEVELS} }} }}",
        v=variant,
    )
    movements = await _gql(
        http, admin, "{ stockMovements(first: 2) { items { kind delta } hasMore } }"
    )
    storefront = await _gql(
        http,
        anonymous,
        "query($v: UUID!) { variant(id: $v) { sku stock { available inStock } } }",
        v=variant,
    )

    assert berlin["isDefault"] is True
    assert adjusted["data"]["adjustInventory"]["available"] == 7
    assert moved["data"]["transferInventory"] == {
        "quantity": 3,
        "source": {"stocked": 4},
        "destination": {"stocked": 3},
    }
    assert counted["data"]["setInventory"]["stocked"] == 14
    assert locations["data"]["stockLocations"] == [
        {"name": "Berlin", "isDefault": True},
        {"name": "Hamburg", "isDefault": False},
    ]
    assert [lv["stocked"] for lv in levels["data"]["variantInventory"]["levels"]] == [4, 10]
    assert movements["data"]["stockMovements"] == {
        "items": [{"kind": "set", "delta": 7}, {"kind": "transfer", "delta": 3}],
        "hasMore": True,
    }
    assert storefront["data"]["variant"] == {
        "sku": "SHIRT-S",
        "stock": {"available": 14, "inStock": True},
    }
    assert await count(container, StockMovement) == 4


async def test_refusals_carry_their_codes_and_write_nothing(
    http: httpx.AsyncClient,
    admin: dict[str, str],
    customer: dict[str, str],
    intruder: dict[str, str],
    container: Container,
) -> None:
    variant = await _variant(http, admin)
    adjust = (
        "mutation($v: UUID!, $input: JSON!) { adjustInventory(variantId: $v, input: $input) "
        "{ stocked } }"
    )

    negative = await _gql(http, admin, adjust, v=variant, input={"adjustment": -1, "reason": "x"})
    invalid = await _gql(http, admin, adjust, v=variant, input={"adjustment": 1.5, "reason": "x"})
    forbidden = await _gql(
        http, customer, adjust, v=variant, input={"adjustment": 1, "reason": "x"}
    )
    foreign = await _gql(http, intruder, adjust, v=variant, input={"adjustment": 1, "reason": "x"})
    hidden = await _gql(http, customer, "{ stockLocations { id } }")

    assert negative["errors"][0]["extensions"]["code"] == "INSUFFICIENT_STOCK"
    assert invalid["errors"][0]["extensions"]["code"] == "VALIDATION_ERROR"
    assert forbidden["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert foreign["errors"][0]["extensions"]["code"] == "VARIANT_NOT_FOUND"
    assert hidden["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert await count(container, StockMovement) == 0
    assert await count(container, StockLocation) == 0
    assert await events(container, "commerce.inventory.") == []
