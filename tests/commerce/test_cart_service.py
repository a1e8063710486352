"""CartService: carts of guests and customers, lines priced by pricing, warnings when a price
changed, limits, expiry, and the checkout's two steps; refused writes leave nothing behind and
emit nothing."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import update

from rustok.commerce.cart.errors import (
    CartAlreadyCompleted,
    CartAlreadyExpired,
    CartEmpty,
    CartLimitExceeded,
    CartLineNotFound,
    CartLineUnavailable,
    CartNotFound,
    RegionCurrencyMismatch,
    UnknownRegion,
    UnknownVariant,
    VariantNotPriced,
)
from rustok.commerce.cart.models import Cart, CartLine
from rustok.commerce.cart.schemas import (
    CartCaller,
    CartCreate,
    CartLineAdd,
    CartStatus,
    CartUpdate,
    WarningCode,
)
from rustok.commerce.cart.service import CartService
from rustok.commerce.catalog.schemas import PriceInput, ProductCreate, VariantUpdate
from rustok.commerce.inventory.schemas import InventoryAdjust
from rustok.commerce.inventory.service import InventoryService
from rustok.commerce.pricing.schemas import RegionCreate
from rustok.core.clock import utcnow
from tests.commerce.conftest import count, events, product_body
from tests.commerce.test_graphql import statements

if TYPE_CHECKING:
    from rustok.bootstrap import Container
    from rustok.commerce.catalog.service import CatalogService
    from rustok.commerce.pricing.service import PricingService
    from rustok.core.tenant import TenantSnapshot

GUEST = CartCaller()


@pytest.fixture
def carts(container: Container) -> CartService:
    return container.service(CartService)


async def stocked(
    container: Container, shop: TenantSnapshot, variant_ids: list[uuid.UUID], units: int = 100
) -> list[uuid.UUID]:
    """The variants, with `units` in stock each at the default location."""
    inventory = container.service(InventoryService)
    for variant_id in variant_ids:
        await inventory.adjust(
            shop, variant_id, InventoryAdjust(adjustment=units, reason="received")
        )
    return variant_ids


async def _variants(
    catalog: CatalogService, shop: TenantSnapshot, sku: str = "SHIRT", **overrides: Any
) -> list[uuid.UUID]:
    product = await catalog.create_product(
        shop, ProductCreate.model_validate(product_body(sku, status="active", **overrides))
    )
    return [variant.id for variant in product.variants]


async def _cart(carts: CartService, shop: TenantSnapshot, **fields: Any) -> uuid.UUID:
    cart = await carts.create_cart(
        shop, CartCreate.model_validate({"currency_code": "EUR", **fields}), GUEST
    )
    return cart.id


async def _cart_events(container: Container) -> list[str]:
    return [row.event_type for row in await events(container, "commerce.cart.")]


async def test_a_guest_cart_adds_lines_and_totals_them(
    container: Container, carts: CartService, catalog: CatalogService, shop: TenantSnapshot
) -> None:
    small, medium = await stocked(container, shop, await _variants(catalog, shop, eur=1999))
    cart_id = await _cart(carts, shop)

    await carts.add_line(shop, cart_id, CartLineAdd(variant_id=small, quantity=2), GUEST)
    await carts.add_line(shop, cart_id, CartLineAdd(variant_id=medium, quantity=1), GUEST)
    cart = await carts.add_line(shop, cart_id, CartLineAdd(variant_id=small, quantity=1), GUEST)

    assert cart.status is CartStatus.ACTIVE
    assert cart.customer_id is None
    assert [(line.sku, line.quantity) for line in cart.lines] == [("SHIRT-S", 3), ("SHIRT-M", 1)]
    assert cart.lines[0].unit_price is not None
    assert cart.lines[0].unit_price.amount == 1999
    assert cart.lines[0].total is not None
    assert cart.lines[0].total.amount == 5997
    assert (cart.subtotal.amount, cart.tax_total.amount, cart.total.amount) == (7996, 0, 7996)
    assert cart.total.currency_code == "EUR"
    assert cart.item_count == 4
    assert cart.has_warnings is False
    assert cart.version == 4
    assert await count(container, CartLine) == 2
    assert await _cart_events(container) == [
        "commerce.cart.created",
        "commerce.cart.line_added",
        "commerce.cart.line_added",
        "commerce.cart.line_added",
    ]


async def test_the_region_adds_or_includes_its_tax(
    carts: CartService, catalog: CatalogService, pricing: PricingService, shop: TenantSnapshot
) -> None:
    (variant, _) = await _variants(catalog, shop, eur=1999, usd=2199)
    europe = await pricing.create_region(
        shop,
        RegionCreate(name="Europe", currency_code="EUR", tax_rate_bp=1900, tax_inclusive=True),
    )
    america = await pricing.create_region(
        shop, RegionCreate(name="US", currency_code="USD", tax_rate_bp=725)
    )
    eur = await _cart(carts, shop, region_id=str(europe.id))
    usd = await _cart(carts, shop, currency_code="USD", region_id=str(america.id))

    inclusive = await carts.add_line(shop, eur, CartLineAdd(variant_id=variant, quantity=3), GUEST)
    exclusive = await carts.add_line(shop, usd, CartLineAdd(variant_id=variant, quantity=3), GUEST)

    assert (inclusive.subtotal.amount, inclusive.tax_total.amount, inclusive.total.amount) == (
        5997,
        958,
        5997,
    )
    assert (inclusive.tax_inclusive, inclusive.tax_rate_bp) == (True, 1900)
    assert (exclusive.subtotal.amount, exclusive.tax_total.amount, exclusive.total.amount) == (
        6597,
        478,
        7075,
    )


async def test_a_price_change_is_reported_on_the_line(
    container: Container,
    carts: CartService,
    catalog: CatalogService,
    pricing: PricingService,
    shop: TenantSnapshot,
) -> None:
    (variant, _) = await stocked(container, shop, await _variants(catalog, shop, eur=1999))
    cart_id = await _cart(carts, shop)
    await carts.add_line(shop, cart_id, CartLineAdd(variant_id=variant, quantity=2), GUEST)

    await pricing.set_variant_prices(shop, variant, [PriceInput(currency_code="EUR", amount=2499)])
    cart = await carts.get_cart(shop, cart_id, GUEST)

    (line,) = cart.lines
    assert line.added_unit_price.amount == 1999
    assert line.unit_price is not None
    assert line.unit_price.amount == 2499
    assert cart.total.amount == 4998
    assert cart.has_warnings is True
    (warning,) = line.warnings
    assert warning.code is WarningCode.PRICE_CHANGED
    assert warning.old_unit_price is not None
    assert warning.new_unit_price is not None
    assert (warning.old_unit_price.amount, warning.new_unit_price.amount) == (1999, 2499)
    assert warning.message == "SHIRT-S costs 24.99 EUR a unit now, not 19.99 EUR."

    # Setting the line again is the customer accepting the new price.
    accepted = await carts.update_line(shop, cart_id, line.id, 2, GUEST)
    assert accepted.lines[0].warnings == []


async def test_an_unpublished_variant_is_reported_unavailable_and_stops_checkout(
    container: Container, carts: CartService, catalog: CatalogService, shop: TenantSnapshot
) -> None:
    product = await catalog.create_product(
        shop, ProductCreate.model_validate(product_body(status="active"))
    )
    cart_id = await _cart(carts, shop)
    await carts.add_line(
        shop, cart_id, CartLineAdd(variant_id=product.variants[0].id, quantity=1), GUEST
    )

    await catalog.unpublish(shop, product.id)
    cart = await carts.get_cart(shop, cart_id, GUEST)

    (line,) = cart.lines
    assert line.unit_price is None
    assert [w.code for w in line.warnings] == [WarningCode.UNAVAILABLE]
    assert cart.total.amount == 0
    async with container.uow(shop.id) as uow:
        with pytest.raises(CartLineUnavailable) as refused:
            await carts.checkout_snapshot_in(uow, cart_id, customer_id=None)
    assert refused.value.fields[0].field == "lines.0"


async def test_a_stock_shortage_is_reported_on_the_line(
    container: Container, carts: CartService, catalog: CatalogService, shop: TenantSnapshot
) -> None:
    (variant, unmanaged) = await _variants(catalog, shop)
    await catalog.update_variant(shop, unmanaged, VariantUpdate(manage_inventory=False))
    await stocked(container, shop, [variant], units=3)
    cart_id = await _cart(carts, shop)
    await carts.add_line(shop, cart_id, CartLineAdd(variant_id=variant, quantity=3), GUEST)
    await carts.add_line(shop, cart_id, CartLineAdd(variant_id=unmanaged, quantity=50), GUEST)
    assert (await carts.get_cart(shop, cart_id, GUEST)).has_warnings is False

    await container.service(InventoryService).adjust(
        shop, variant, InventoryAdjust(adjustment=-2, reason="damaged")
    )
    cart = await carts.get_cart(shop, cart_id, GUEST)

    (short, plenty) = cart.lines
    (warning,) = short.warnings
    assert warning.code is WarningCode.INSUFFICIENT_STOCK
    assert warning.available == 1
    assert warning.message == "Only 1 of SHIRT-S left, not 3."
    assert plenty.warnings == []


async def test_a_variant_not_for_sale_is_refused_with_nothing_written(
    container: Container,
    carts: CartService,
    catalog: CatalogService,
    shop: TenantSnapshot,
    other_shop: TenantSnapshot,
) -> None:
    draft = await catalog.create_product(shop, ProductCreate.model_validate(product_body("DRAFT")))
    (foreign, _) = await _variants(catalog, other_shop, "FOREIGN")
    (yen_less, _) = await _variants(catalog, shop, "PLAIN")
    cart_id = await _cart(carts, shop, currency_code="JPY")
    before = await _cart_events(container)

    for variant_id, error in (
        (draft.variants[0].id, UnknownVariant),
        (foreign, UnknownVariant),
        (uuid.uuid4(), UnknownVariant),
        (yen_less, VariantNotPriced),
    ):
        with pytest.raises(error) as refused:
            await carts.add_line(shop, cart_id, CartLineAdd(variant_id=variant_id), GUEST)
        assert refused.value.fields[0].field == "body.variant_id"

    assert await count(container, CartLine) == 0
    assert await _cart_events(container) == before


async def test_limits_refuse_too_many_units(
    container: Container, carts: CartService, catalog: CatalogService, shop: TenantSnapshot
) -> None:
    (variant, _) = await _variants(catalog, shop)
    cart_id = await _cart(carts, shop)
    await carts.add_line(shop, cart_id, CartLineAdd(variant_id=variant, quantity=999), GUEST)

    with pytest.raises(CartLimitExceeded) as refused:
        await carts.add_line(shop, cart_id, CartLineAdd(variant_id=variant, quantity=2), GUEST)

    assert refused.value.fields[0].field == "body.quantity"
    cart = await carts.get_cart(shop, cart_id, GUEST)
    assert cart.lines[0].quantity == 999
    assert await _cart_events(container) == [
        "commerce.cart.created",
        "commerce.cart.line_added",
    ]


async def test_quantity_zero_removes_the_line(
    container: Container, carts: CartService, catalog: CatalogService, shop: TenantSnapshot
) -> None:
    (variant, other) = await _variants(catalog, shop)
    cart_id = await _cart(carts, shop)
    added = await carts.add_line(shop, cart_id, CartLineAdd(variant_id=variant), GUEST)
    await carts.add_line(shop, cart_id, CartLineAdd(variant_id=other), GUEST)

    cart = await carts.update_line(shop, cart_id, added.lines[0].id, 0, GUEST)
    emptied = await carts.remove_line(shop, cart_id, cart.lines[0].id, GUEST)

    assert [line.sku for line in cart.lines] == ["SHIRT-M"]
    assert emptied.lines == []
    assert emptied.total.amount == 0
    with pytest.raises(CartLineNotFound):
        await carts.remove_line(shop, cart_id, cart.lines[0].id, GUEST)
    assert (await _cart_events(container))[-2:] == [
        "commerce.cart.line_removed",
        "commerce.cart.line_removed",
    ]


async def test_a_new_currency_prices_the_lines_anew(
    container: Container,
    carts: CartService,
    catalog: CatalogService,
    pricing: PricingService,
    shop: TenantSnapshot,
) -> None:
    (variant, _) = await stocked(
        container, shop, await _variants(catalog, shop, eur=1999, usd=2199)
    )
    europe = await pricing.create_region(shop, RegionCreate(name="EU", currency_code="EUR"))
    cart_id = await _cart(carts, shop, region_id=str(europe.id))
    await carts.add_line(shop, cart_id, CartLineAdd(variant_id=variant, quantity=1), GUEST)

    with pytest.raises(RegionCurrencyMismatch) as mismatch:
        await carts.update_cart(shop, cart_id, CartUpdate(currency_code="USD"), GUEST)
    with pytest.raises(VariantNotPriced) as unpriced:
        await carts.update_cart(
            shop, cart_id, CartUpdate(currency_code="JPY", region_id=None), GUEST
        )
    with pytest.raises(UnknownRegion):
        await carts.update_cart(shop, cart_id, CartUpdate(region_id=uuid.uuid4()), GUEST)
    cart = await carts.update_cart(
        shop,
        cart_id,
        CartUpdate.model_validate(
            {
                "currency_code": "USD",
                "region_id": None,
                "email": "Ada@Example.com",
                "shipping_address": {
                    "first_name": "Ada",
                    "last_name": "Lovelace",
                    "address_1": "1 Main St",
                    "city": "Springfield",
                    "postal_code": "12345",
                    "country_code": "US",
                },
            }
        ),
        GUEST,
    )

    assert mismatch.value.fields[0].field == "body.currency_code"
    assert unpriced.value.fields[0].field == "body.currency_code"
    assert cart.currency_code == "USD"
    assert cart.region_id is None
    assert cart.email == "ada@example.com"
    assert cart.shipping_address is not None
    assert cart.shipping_address.country_code == "US"
    assert cart.lines[0].added_unit_price.amount == 2199
    assert cart.lines[0].warnings == []
    assert cart.total.amount == 2199


async def test_a_customer_cart_answers_only_its_customer_and_staff(
    carts: CartService, catalog: CatalogService, shop: TenantSnapshot
) -> None:
    (variant, _) = await _variants(catalog, shop)
    owner = CartCaller(uuid.uuid4())
    cart = await carts.create_cart(shop, CartCreate(currency_code="EUR"), owner)

    await carts.add_line(shop, cart.id, CartLineAdd(variant_id=variant), owner)
    staff = await carts.get_cart(shop, cart.id, CartCaller(uuid.uuid4(), staff=True))

    assert cart.customer_id == owner.user_id
    assert staff.item_count == 1
    for stranger in (GUEST, CartCaller(uuid.uuid4())):
        with pytest.raises(CartNotFound):
            await carts.get_cart(shop, cart.id, stranger)
        with pytest.raises(CartNotFound):
            await carts.add_line(shop, cart.id, CartLineAdd(variant_id=variant), stranger)


async def test_an_expired_cart_refuses_writes_and_the_job_marks_it_once(
    container: Container, carts: CartService, catalog: CatalogService, shop: TenantSnapshot
) -> None:
    (variant, _) = await _variants(catalog, shop)
    stale = await _cart(carts, shop)
    fresh = await _cart(carts, shop)
    async with container.platform_sessions() as session:
        await session.execute(
            update(Cart).where(Cart.id == stale).values(expires_at=utcnow() - timedelta(1))
        )
        await session.commit()

    with pytest.raises(CartAlreadyExpired):
        await carts.add_line(shop, stale, CartLineAdd(variant_id=variant), GUEST)
    first = await carts.expire_due()
    second = await carts.expire_due()

    assert (first, second) == (1, 0)
    assert (await carts.get_cart(shop, stale, GUEST)).status is CartStatus.EXPIRED
    assert (await carts.get_cart(shop, fresh, GUEST)).status is CartStatus.ACTIVE
    assert (await _cart_events(container)).count("commerce.cart.expired") == 1
    with pytest.raises(CartAlreadyExpired):
        await carts.update_cart(shop, stale, CartUpdate(email="a@example.com"), GUEST)


async def test_checkout_snapshot_and_completion(
    container: Container, carts: CartService, catalog: CatalogService, shop: TenantSnapshot
) -> None:
    (small, medium) = await _variants(catalog, shop, eur=1000)
    cart_id = await _cart(carts, shop)
    empty = await _cart(carts, shop)
    await carts.add_line(shop, cart_id, CartLineAdd(variant_id=small, quantity=2), GUEST)
    await carts.add_line(shop, cart_id, CartLineAdd(variant_id=medium, quantity=1), GUEST)
    order_id = uuid.uuid4()

    async with container.uow(shop.id) as uow:
        with pytest.raises(CartEmpty):
            await carts.checkout_snapshot_in(uow, empty, customer_id=None)
    async with container.uow(shop.id) as uow:
        with pytest.raises(CartNotFound):
            await carts.checkout_snapshot_in(uow, uuid.uuid4(), customer_id=None)
    async with container.uow(shop.id) as uow:
        snapshot = await carts.checkout_snapshot_in(uow, cart_id, customer_id=None)
        await carts.complete_in(uow, cart_id, order_id)
        await uow.commit()

    assert [(line.sku, line.quantity, line.total.amount) for line in snapshot.lines] == [
        ("SHIRT-S", 2, 2000),
        ("SHIRT-M", 1, 1000),
    ]
    assert snapshot.cart.total.amount == 3000
    done = await carts.get_cart(shop, cart_id, GUEST)
    assert (done.status, done.order_id) == (CartStatus.COMPLETED, order_id)
    assert done.completed_at is not None
    async with container.uow(shop.id) as uow:
        with pytest.raises(CartAlreadyCompleted):
            await carts.checkout_snapshot_in(uow, cart_id, customer_id=None)
    with pytest.raises(CartAlreadyCompleted):
        await carts.add_line(shop, cart_id, CartLineAdd(variant_id=small), GUEST)
    assert (await _cart_events(container))[-1] == "commerce.cart.completed"


async def test_checkout_of_a_customer_cart_needs_its_customer(
    container: Container, carts: CartService, catalog: CatalogService, shop: TenantSnapshot
) -> None:
    (variant, _) = await _variants(catalog, shop)
    owner = CartCaller(uuid.uuid4())
    cart = await carts.create_cart(shop, CartCreate(currency_code="EUR"), owner)
    await carts.add_line(shop, cart.id, CartLineAdd(variant_id=variant), owner)

    async with container.uow(shop.id) as uow:
        with pytest.raises(CartNotFound):
            await carts.checkout_snapshot_in(uow, cart.id, customer_id=uuid.uuid4())
    async with container.uow(shop.id) as uow:
        with pytest.raises(CartNotFound):
            await carts.checkout_snapshot_in(uow, cart.id, customer_id=None)
    async with container.uow(shop.id) as uow:
        snapshot = await carts.checkout_snapshot_in(uow, cart.id, customer_id=owner.user_id)

    assert snapshot.cart.id == cart.id


async def test_the_checkout_snapshot_runs_the_same_statements_for_any_number_of_lines(
    container: Container, carts: CartService, catalog: CatalogService, shop: TenantSnapshot
) -> None:
    variants = await stocked(
        container, shop, await _variants(catalog, shop, sizes=("S", "M", "L", "XL"))
    )
    cart_id = await _cart(carts, shop)
    counts = []
    for variant in variants:
        await carts.add_line(shop, cart_id, CartLineAdd(variant_id=variant, quantity=2), GUEST)
        with statements(container) as seen:
            async with container.uow(shop.id) as uow:
                snapshot = await carts.checkout_snapshot_in(uow, cart_id, customer_id=None)
        counts.append((len(snapshot.lines), len(seen)))

    # The cart (locked), its lines, the stock (3), variants, base prices and price lists.
    assert counts == [(1, 8), (2, 8), (3, 8), (4, 8)]
