"""GraphQL of the cart: `cart(id)` and the mutations createCart, updateCart, addCartLine,
updateCartLine, removeCartLine. Public as the REST routes are (the cart's id is the right to
use a guest's cart); a customer's cart answers only that customer or staff holding `carts`.
Mutation inputs are JSON objects shaped like the REST bodies, validated by the same models."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Any

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from rustok.commerce.cart.permissions import CARTS
from rustok.commerce.cart.schemas import (
    CartCaller,
    CartCreate,
    CartLineAdd,
    CartLineUpdate,
    CartUpdate,
)
from rustok.commerce.cart.service import CartService
from rustok.core.modules import GraphQLPart
from rustok.core.permissions import Action, Permission, Scope
from rustok.web.access import optional_access
from rustok.web.graphql import GraphQLContext, parse_input, public

if TYPE_CHECKING:
    from rustok.commerce.cart.schemas import Address, CartLineRead, CartRead, LineWarning
    from rustok.commerce.pricing.schemas import MoneyRead


async def _caller(info: Info[GraphQLContext, Any], action: Action) -> CartCaller:
    access = await optional_access(info.context.http_request, Permission(CARTS, action))
    if access is None:
        return CartCaller()
    return CartCaller(access.principal.user_id, staff=access.scope is Scope.ALL)


@strawberry.type
class CartAmount:
    amount: int = strawberry.field(description="Minor units of the currency.")
    currency_code: str

    @classmethod
    def of(cls, money: MoneyRead) -> CartAmount:
        return cls(amount=money.amount, currency_code=money.currency_code)

    @classmethod
    def maybe(cls, money: MoneyRead | None) -> CartAmount | None:
        return None if money is None else cls.of(money)


@strawberry.type
class CartAddress:
    first_name: str
    last_name: str
    company: str | None
    address_1: str
    address_2: str | None
    city: str
    postal_code: str
    province: str | None
    country_code: str
    phone: str | None

    @classmethod
    def maybe(cls, address: Address | None) -> CartAddress | None:
        return None if address is None else cls(**address.model_dump())


@strawberry.type
class CartLineWarning:
    code: str
    message: str
    old_unit_price: CartAmount | None
    new_unit_price: CartAmount | None
    available: int | None

    @classmethod
    def of(cls, warning: LineWarning) -> CartLineWarning:
        return cls(
            code=warning.code.value,
            message=warning.message,
            old_unit_price=CartAmount.maybe(warning.old_unit_price),
            new_unit_price=CartAmount.maybe(warning.new_unit_price),
            available=warning.available,
        )


@strawberry.type
class CartLine:
    id: uuid.UUID
    variant_id: uuid.UUID
    product_id: uuid.UUID
    sku: str
    title: str
    quantity: int
    added_unit_price: CartAmount
    unit_price: CartAmount | None
    original_unit_price: CartAmount | None
    price_list_id: uuid.UUID | None
    subtotal: CartAmount | None
    discount: CartAmount | None
    tax: CartAmount | None
    total: CartAmount | None
    warnings: list[CartLineWarning]

    @classmethod
    def of(cls, line: CartLineRead) -> CartLine:
        return cls(
            id=line.id,
            variant_id=line.variant_id,
            product_id=line.product_id,
            sku=line.sku,
            title=line.title,
            quantity=line.quantity,
            added_unit_price=CartAmount.of(line.added_unit_price),
            unit_price=CartAmount.maybe(line.unit_price),
            original_unit_price=CartAmount.maybe(line.original_unit_price),
            price_list_id=line.price_list_id,
            subtotal=CartAmount.maybe(line.subtotal),
            discount=CartAmount.maybe(line.discount),
            tax=CartAmount.maybe(line.tax),
            total=CartAmount.maybe(line.total),
            warnings=[CartLineWarning.of(w) for w in line.warnings],
        )


@strawberry.type
class Cart:
    id: uuid.UUID
    status: str
    customer_id: uuid.UUID | None
    currency_code: str
    region_id: uuid.UUID | None
    tax_inclusive: bool
    tax_rate_bp: int
    email: str | None
    shipping_address: CartAddress | None
    billing_address: CartAddress | None
    lines: list[CartLine]
    item_count: int
    subtotal: CartAmount
    discount_total: CartAmount
    tax_total: CartAmount
    total: CartAmount
    has_warnings: bool
    version: int
    expires_at: datetime
    order_id: uuid.UUID | None

    @classmethod
    def of(cls, cart: CartRead) -> Cart:
        return cls(
            id=cart.id,
            status=cart.status.value,
            customer_id=cart.customer_id,
            currency_code=cart.currency_code,
            region_id=cart.region_id,
            tax_inclusive=cart.tax_inclusive,
            tax_rate_bp=cart.tax_rate_bp,
            email=cart.email,
            shipping_address=CartAddress.maybe(cart.shipping_address),
            billing_address=CartAddress.maybe(cart.billing_address),
            lines=[CartLine.of(line) for line in cart.lines],
            item_count=cart.item_count,
            subtotal=CartAmount.of(cart.subtotal),
            discount_total=CartAmount.of(cart.discount_total),
            tax_total=CartAmount.of(cart.tax_total),
            total=CartAmount.of(cart.total),
            has_warnings=cart.has_warnings,
            version=cart.version,
            expires_at=cart.expires_at,
            order_id=cart.order_id,
        )


@strawberry.type
class CartQuery:
    @strawberry.field(
        extensions=[public()],
        description="A cart by its id, priced now (a customer's: that customer or staff).",
    )
    async def cart(self, info: Info[GraphQLContext, Any], id: uuid.UUID) -> Cart:
        carts = info.context.container.service(CartService)
        caller = await _caller(info, Action.READ)
        return Cart.of(await carts.get_cart(info.context.tenant, id, caller))


@strawberry.type
class CartMutation:
    @strawberry.mutation(
        extensions=[public()],
        description="Start a cart (`input` as POST /api/commerce/carts).",
    )
    async def create_cart(self, info: Info[GraphQLContext, Any], input: JSON) -> Cart:
        carts = info.context.container.service(CartService)
        data = parse_input(CartCreate, input)
        caller = await _caller(info, Action.UPDATE)
        return Cart.of(await carts.create_cart(info.context.tenant, data, caller))

    @strawberry.mutation(
        extensions=[public()],
        description="Change a cart (`input` as PATCH /api/commerce/carts/{id}).",
    )
    async def update_cart(
        self, info: Info[GraphQLContext, Any], id: uuid.UUID, input: JSON
    ) -> Cart:
        carts = info.context.container.service(CartService)
        data = parse_input(CartUpdate, input)
        caller = await _caller(info, Action.UPDATE)
        return Cart.of(await carts.update_cart(info.context.tenant, id, data, caller))

    @strawberry.mutation(
        extensions=[public()],
        description="Add units of a variant (`input`: {variant_id, quantity}).",
    )
    async def add_cart_line(
        self, info: Info[GraphQLContext, Any], cart_id: uuid.UUID, input: JSON
    ) -> Cart:
        carts = info.context.container.service(CartService)
        data = parse_input(CartLineAdd, input)
        caller = await _caller(info, Action.UPDATE)
        return Cart.of(await carts.add_line(info.context.tenant, cart_id, data, caller))

    @strawberry.mutation(
        extensions=[public()],
        description="Set a line's quantity (`input`: {quantity}; 0 removes the line).",
    )
    async def update_cart_line(
        self, info: Info[GraphQLContext, Any], cart_id: uuid.UUID, line_id: uuid.UUID, input: JSON
    ) -> Cart:
        carts = info.context.container.service(CartService)
        data = parse_input(CartLineUpdate, input)
        caller = await _caller(info, Action.UPDATE)
        return Cart.of(
            await carts.update_line(info.context.tenant, cart_id, line_id, data.quantity, caller)
        )

    @strawberry.mutation(extensions=[public()], description="Remove a line from a cart.")
    async def remove_cart_line(
        self, info: Info[GraphQLContext, Any], cart_id: uuid.UUID, line_id: uuid.UUID
    ) -> Cart:
        carts = info.context.container.service(CartService)
        caller = await _caller(info, Action.UPDATE)
        return Cart.of(await carts.remove_line(info.context.tenant, cart_id, line_id, caller))


GRAPHQL = GraphQLPart(query=CartQuery, mutation=CartMutation)
