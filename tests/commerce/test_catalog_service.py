"""CatalogService: products with translations, options, variants and prices; their life cycle;
reads along the locale chain; refused writes leave nothing behind and emit nothing."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from rustok.commerce.catalog.errors import (
    HandleTaken,
    InvalidVariant,
    OptionCombinationTaken,
    ProductActive,
    ProductNotFound,
    SkuTaken,
    StaleVersion,
    UnknownReference,
    VariantNotFound,
)
from rustok.commerce.catalog.models import Product, Variant, VariantPrice
from rustok.commerce.catalog.schemas import (
    CategoryCreate,
    CollectionCreate,
    ProductCreate,
    ProductFilter,
    ProductUpdate,
    VariantInput,
    VariantUpdate,
)
from rustok.commerce.catalog.service import locale_chain
from tests.commerce.conftest import count, events, product_body

if TYPE_CHECKING:
    from rustok.bootstrap import Container
    from rustok.commerce.catalog.service import CatalogService
    from rustok.core.tenant import TenantSnapshot


def _create(**overrides: Any) -> ProductCreate:
    return ProductCreate.model_validate(product_body(**overrides))


async def _nothing_written(container: Container) -> None:
    assert await count(container, Product) == 0
    assert await count(container, Variant) == 0
    assert await count(container, VariantPrice) == 0
    assert await events(container) == []


async def test_create_writes_the_product_its_variants_and_prices_and_announces_it(
    catalog: CatalogService, shop: TenantSnapshot, container: Container
) -> None:
    product = await catalog.create_product(shop, _create())

    assert product.status == "draft"
    assert product.version == 1
    assert product.handle == "green-shirt"
    assert {t.locale: t.handle for t in product.translations} == {
        "en": "green-shirt",
        "de": "green-shirt-de",
    }
    assert [v.sku for v in product.variants] == ["SHIRT-S", "SHIRT-M"]
    assert product.variants[0].options == {"Size": "S"}
    assert [(p.currency_code, p.amount) for p in product.variants[0].prices] == [
        ("EUR", 1999),
        ("USD", 2199),
    ]
    [created] = await events(container)
    assert created.event_type == "commerce.product.created"
    assert created.payload["variants"][0]["prices"][0] == {
        "currency_code": "EUR",
        "amount": 1999,
        "compare_at_amount": None,
    }


async def test_a_handle_is_made_from_the_title_in_any_script_and_kept_unique(
    catalog: CatalogService, shop: TenantSnapshot
) -> None:
    body = product_body(title="Футболка «Лето» 2024")
    first = await catalog.create_product(shop, ProductCreate.model_validate(body))
    second = await catalog.create_product(
        shop, ProductCreate.model_validate({**body, "variants": []})
    )

    assert first.handle == "футболка-лето-2024"
    assert second.handle == "футболка-лето-2024-2"


async def test_reads_follow_the_tenant_locale_chain_and_say_which_served(
    catalog: CatalogService, shop: TenantSnapshot
) -> None:
    created = await catalog.create_product(shop, _create())

    german = await catalog.get_product(shop, created.id, locale="de-AT", staff=True)
    french = await catalog.get_product(shop, created.id, locale="fr", staff=True)
    by_handle = await catalog.get_product_by_handle(shop, "green-shirt-de", locale="de", staff=True)

    assert locale_chain(shop, "de-AT") == ("de-AT", "de", "en")
    assert (german.locale, german.title) == ("de", "Green shirt (de)")
    assert german.options[0].label == "Größe"
    assert (french.locale, french.title) == ("en", "Green shirt")
    assert by_handle.id == created.id
    assert by_handle.locale == "de"


async def test_customers_see_only_active_products(
    catalog: CatalogService, shop: TenantSnapshot
) -> None:
    draft = await catalog.create_product(shop, _create(sku="A"))
    active = await catalog.create_product(shop, _create(sku="B", title="Blue", status="active"))

    page = await catalog.list_products(shop, ProductFilter(), after=None, limit=10)

    assert [p.id for p in page.items] == [active.id]
    with pytest.raises(ProductNotFound):
        await catalog.get_product(shop, draft.id)
    with pytest.raises(VariantNotFound):
        await catalog.get_variant(shop, draft.variants[0].id)


async def test_the_life_cycle_publish_unpublish_archive_delete(
    catalog: CatalogService, shop: TenantSnapshot, container: Container
) -> None:
    product = await catalog.create_product(shop, _create())

    published = await catalog.publish(shop, product.id)
    again = await catalog.publish(shop, product.id)
    with pytest.raises(ProductActive):
        await catalog.delete_product(shop, product.id)
    unpublished = await catalog.unpublish(shop, product.id)
    archived = await catalog.archive(shop, product.id)
    await catalog.delete_product(shop, product.id)

    assert (published.status, published.version) == ("active", 2)
    assert again.version == 2
    assert (unpublished.status, archived.status) == ("draft", "archived")
    with pytest.raises(ProductNotFound):
        await catalog.get_product(shop, product.id, staff=True)
    assert [e.event_type for e in await events(container)] == [
        "commerce.product.created",
        "commerce.product.published",
        "commerce.product.unpublished",
        "commerce.product.archived",
        "commerce.product.deleted",
    ]


async def test_update_at_a_stale_version_is_refused_and_changes_nothing(
    catalog: CatalogService, shop: TenantSnapshot, container: Container
) -> None:
    product = await catalog.create_product(shop, _create())
    updated = await catalog.update_product(
        shop,
        product.id,
        ProductUpdate.model_validate(
            {"version": 1, "translations": [{"locale": "en", "title": "Lime shirt"}]}
        ),
    )

    with pytest.raises(StaleVersion) as refused:
        await catalog.update_product(
            shop, product.id, ProductUpdate.model_validate({"version": 1, "metadata": {"a": 1}})
        )

    assert (updated.version, updated.title, updated.handle) == (2, "Lime shirt", "lime-shirt")
    assert refused.value.fields[0].field == "body.version"
    current = await catalog.get_product(shop, product.id, staff=True)
    assert (current.version, current.metadata) == (2, {})
    assert [e.event_type for e in await events(container)][-1] == "commerce.product.updated"
    assert len(await events(container)) == 2


async def test_a_duplicate_sku_in_one_request_names_the_variant(
    catalog: CatalogService, shop: TenantSnapshot, container: Container
) -> None:
    body = product_body()
    body["variants"][1]["sku"] = body["variants"][0]["sku"]

    with pytest.raises(InvalidVariant) as refused:
        await catalog.create_product(shop, ProductCreate.model_validate(body))

    assert refused.value.fields[0].field == "body.variants.1.sku"
    await _nothing_written(container)


async def test_refused_creates_write_nothing_and_emit_nothing(
    catalog: CatalogService, shop: TenantSnapshot, container: Container
) -> None:
    taken = product_body(sku="TAKEN")
    await catalog.create_product(shop, ProductCreate.model_validate(taken))
    before = (await count(container, Product), len(await events(container)))
    same_options = product_body(sku="X")
    same_options["variants"][1]["options"] = {"Size": "S"}
    unknown_option = product_body(sku="Y")
    unknown_option["variants"][0]["options"] = {"Colour": "Red"}
    missing_option = product_body(sku="Z")
    missing_option["variants"][0]["options"] = {}
    taken_handle = product_body(sku="W")
    taken_handle["translations"][0]["handle"] = "green-shirt"

    cases: list[tuple[dict[str, Any], type[Exception], str]] = [
        (product_body(sku="TAKEN", title="Other"), SkuTaken, "body.variants.0.sku"),
        (same_options, InvalidVariant, "body.variants.1.options"),
        (unknown_option, InvalidVariant, "body.variants.0.options.Colour"),
        (missing_option, InvalidVariant, "body.variants.0.options"),
        (taken_handle, HandleTaken, "body.translations.0.handle"),
        (
            product_body(sku="V", collection_ids=["01a23322-5d1b-7882-b482-5c31a89b5a46"]),
            UnknownReference,
            "body.collection_ids.0",
        ),
    ]
    for body, error, field in cases:
        with pytest.raises(error) as refused:
            await catalog.create_product(shop, ProductCreate.model_validate(body))
        assert refused.value.fields[0].field == field  # type: ignore[attr-defined]

    assert (await count(container, Product), len(await events(container))) == before
    assert await count(container, Variant) == 2


async def test_variants_are_added_updated_and_deleted(
    catalog: CatalogService, shop: TenantSnapshot, container: Container
) -> None:
    product = await catalog.create_product(shop, _create())

    added = await catalog.add_variant(
        shop,
        product.id,
        VariantInput.model_validate(
            {"sku": "SHIRT-XL", "options": {"Size": "XL"}, "allow_backorder": True}
        ),
    )
    with pytest.raises(OptionCombinationTaken):
        await catalog.add_variant(
            shop, product.id, VariantInput.model_validate({"sku": "N", "options": {"Size": "M"}})
        )
    changed = await catalog.update_variant(
        shop,
        added.id,
        VariantUpdate.model_validate(
            {"barcode": "4006381333931", "prices": [{"currency_code": "JPY", "amount": 3000}]}
        ),
    )
    await catalog.delete_variant(shop, product.variants[0].id)

    current = await catalog.get_product(shop, product.id, staff=True)
    assert added.options == {"Size": "XL"}
    assert added.rank == 2
    assert [v.value for v in current.options[0].values] == ["S", "M", "XL"]
    assert (changed.barcode, changed.prices[0].amount) == ("4006381333931", 3000)
    assert [v.sku for v in current.variants] == ["SHIRT-M", "SHIRT-XL"]
    assert [e.event_type for e in await events(container, "commerce.variant.")] == [
        "commerce.variant.created",
        "commerce.variant.updated",
        "commerce.variant.deleted",
    ]


async def test_lists_filter_and_page_by_cursor(
    catalog: CatalogService, shop: TenantSnapshot
) -> None:
    collection = await catalog.create_collection(
        shop, CollectionCreate.model_validate({"translations": [{"locale": "en", "title": "Sale"}]})
    )
    category = await catalog.create_category(
        shop, CategoryCreate.model_validate({"translations": [{"locale": "en", "title": "Tops"}]})
    )
    made = []
    for index in range(5):
        made.append(
            await catalog.create_product(
                shop,
                _create(
                    sku=f"P{index}",
                    title=f"Shirt {index}",
                    status="active",
                    eur=1000 * (index + 1),
                    collection_ids=[str(collection.id)] if index % 2 == 0 else [],
                    category_ids=[str(category.id)] if index < 2 else [],
                ),
            )
        )

    first = await catalog.list_products(shop, ProductFilter(), after=None, limit=2)
    second = await catalog.list_products(shop, ProductFilter(), after=first.next_cursor, limit=2)
    third = await catalog.list_products(shop, ProductFilter(), after=second.next_cursor, limit=2)
    in_collection = await catalog.list_products(
        shop, ProductFilter(collection_id=collection.id), after=None, limit=10
    )
    in_category = await catalog.list_products(
        shop, ProductFilter(category_id=category.id), after=None, limit=10
    )
    searched = await catalog.list_products(shop, ProductFilter(q="IRT 3"), after=None, limit=10)
    priced = await catalog.list_products(
        shop,
        ProductFilter(currency_code="EUR", price_min=2000, price_max=3000),
        after=None,
        limit=10,
    )

    newest_first = [p.id for p in reversed(made)]
    assert [p.id for p in first.items + second.items + third.items] == newest_first
    assert (third.has_more, third.next_cursor) == (False, None)
    assert {p.id for p in in_collection.items} == {made[0].id, made[2].id, made[4].id}
    assert {p.id for p in in_category.items} == {made[0].id, made[1].id}
    assert [p.id for p in searched.items] == [made[3].id]
    assert {p.id for p in priced.items} == {made[1].id, made[2].id}


async def test_another_tenant_cannot_reach_a_product_or_variant(
    catalog: CatalogService, shop: TenantSnapshot, other_shop: TenantSnapshot, container: Container
) -> None:
    product = await catalog.create_product(shop, _create(status="active"))
    variant_id = product.variants[0].id

    with pytest.raises(ProductNotFound):
        await catalog.get_product(other_shop, product.id, staff=True)
    with pytest.raises(ProductNotFound):
        await catalog.archive(other_shop, product.id)
    with pytest.raises(ProductNotFound):
        await catalog.update_product(
            other_shop, product.id, ProductUpdate.model_validate({"version": 1})
        )
    with pytest.raises(VariantNotFound):
        await catalog.update_variant(other_shop, variant_id, VariantUpdate(sku="STOLEN"))
    with pytest.raises(VariantNotFound):
        await catalog.delete_variant(other_shop, variant_id)
    page = await catalog.list_products(
        other_shop, ProductFilter(), after=None, limit=10, staff=True
    )

    assert page.items == []
    assert (await catalog.get_product(shop, product.id)).status == "active"
    assert await count(container, Variant) == 2
    assert len(await events(container)) == 1
