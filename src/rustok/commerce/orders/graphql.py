"""GraphQL of orders: `order`, `orders`, and mutations for checkout and every transition.
Mutation inputs are JSON objects shaped like the REST bodies, validated by the same models;
the access rules are the REST routes' (checkout is open to guests, as over REST)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Any

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from rustok.commerce.orders.permissions import ORDERS
from rustok.commerce.orders.schemas import (
    CancelInput,
    CheckoutInput,
    FulfilInput,
    OrderFilter,
    PayInput,
    RefundInput,
)
from rustok.commerce.orders.service import OrderService
from rustok.commerce.orders.states import OrderStatus
from rustok.core.cursor import DEFAULT_LIMIT
from rustok.core.errors import FieldError, Invalid
from rustok.core.modules import GraphQLPart
from rustok.core.permissions import Action
from rustok.web.graphql import GraphQLContext, page_size, parse_input, public, requires

if TYPE_CHECKING:
    from rustok.commerce.orders.schemas import OrderLineRead, OrderRead, PaymentRead, RefundRead
    from rustok.commerce.pricing.schemas import MoneyRead


@strawberry.type
class OrderAmount:
    amount: int = strawberry.field(description="Minor units of the currency.")
    currency_code: str

    @classmethod
    def of(cls, money: MoneyRead) -> OrderAmount:
        return cls(amount=money.amount, currency_code=money.currency_code)


@strawberry.type
class OrderLine:
    id: uuid.UUID
    variant_id: uuid.UUID
    sku: str
    title: str
    quantity: int
    unit_price: OrderAmount
    tax: OrderAmount
    total: OrderAmount

    @classmethod
    def of(cls, line: OrderLineRead) -> OrderLine:
        return cls(
            id=line.id,
            variant_id=line.variant_id,
            sku=line.sku,
            title=line.title,
            quantity=line.quantity,
            unit_price=OrderAmount.of(line.unit_price),
            tax=OrderAmount.of(line.tax),
            total=OrderAmount.of(line.total),
        )


@strawberry.type
class OrderPayment:
    id: uuid.UUID
    provider: str
    status: str
    amount: OrderAmount
    refunded: OrderAmount
    reference: str

    @classmethod
    def of(cls, payment: PaymentRead) -> OrderPayment:
        return cls(
            id=payment.id,
            provider=payment.provider,
            status=payment.status,
            amount=OrderAmount.of(payment.amount),
            refunded=OrderAmount.of(payment.refunded),
            reference=payment.reference,
        )


@strawberry.type
class OrderRefund:
    id: uuid.UUID
    payment_id: uuid.UUID
    amount: OrderAmount
    restock: bool
    reason: str

    @classmethod
    def of(cls, refund: RefundRead) -> OrderRefund:
        return cls(
            id=refund.id,
            payment_id=refund.payment_id,
            amount=OrderAmount.of(refund.amount),
            restock=refund.restock,
            reason=refund.reason,
        )


@strawberry.type
class Order:
    id: uuid.UUID
    number: int
    status: str
    version: int
    customer_id: uuid.UUID | None
    email: str
    currency_code: str
    subtotal: OrderAmount
    tax_total: OrderAmount
    total: OrderAmount
    paid: OrderAmount
    refunded: OrderAmount
    tracking_number: str | None
    carrier: str | None
    lines: list[OrderLine]
    payments: list[OrderPayment]
    refunds: list[OrderRefund]
    placed_at: datetime

    @classmethod
    def of(cls, order: OrderRead) -> Order:
        return cls(
            id=order.id,
            number=order.number,
            status=order.status.value,
            version=order.version,
            customer_id=order.customer_id,
            email=order.email,
            currency_code=order.currency_code,
            subtotal=OrderAmount.of(order.subtotal),
            tax_total=OrderAmount.of(order.tax_total),
            total=OrderAmount.of(order.total),
            paid=OrderAmount.of(order.paid),
            refunded=OrderAmount.of(order.refunded),
            tracking_number=order.tracking_number,
            carrier=order.carrier,
            lines=[OrderLine.of(line) for line in order.lines],
            payments=[OrderPayment.of(p) for p in order.payments],
            refunds=[OrderRefund.of(r) for r in order.refunds],
            placed_at=order.placed_at,
        )


@strawberry.type
class OrderConnection:
    items: list[Order]
    next_cursor: str | None
    has_more: bool


def _orders(info: Info[GraphQLContext, Any]) -> OrderService:
    return info.context.container.service(OrderService)


@strawberry.type
class OrdersQuery:
    @strawberry.field(
        extensions=[requires(ORDERS, Action.READ)],
        description="One order (a customer's own only).",
    )
    async def order(self, info: Info[GraphQLContext, Any], id: uuid.UUID) -> Order:
        access = await info.context.access(ORDERS, Action.READ)
        read = await _orders(info).get_order(info.context.tenant, id, reach=access.reach)
        return Order.of(read)

    @strawberry.field(
        extensions=[requires(ORDERS, Action.LIST)],
        description="Orders, newest number first (a customer's own only).",
    )
    async def orders(
        self,
        info: Info[GraphQLContext, Any],
        first: int = DEFAULT_LIMIT,
        after: str | None = None,
        status: str | None = None,
    ) -> OrderConnection:
        try:
            wanted = OrderStatus(status) if status is not None else None
        except ValueError:
            raise Invalid(
                "Unknown status.",
                fields=[FieldError("status", ", ".join(s.value for s in OrderStatus))],
            ) from None
        access = await info.context.access(ORDERS, Action.LIST)
        page = await _orders(info).list_orders(
            info.context.tenant,
            OrderFilter(status=wanted),
            reach=access.reach,
            after=after,
            limit=page_size(first),
        )
        return OrderConnection(
            items=[Order.of(o) for o in page.items],
            next_cursor=page.next_cursor,
            has_more=page.has_more,
        )


@strawberry.type
class OrdersMutation:
    @strawberry.mutation(
        extensions=[public()],
        description="Place the order of a cart (`input` as POST /carts/{id}/checkout).",
    )
    async def checkout(
        self, info: Info[GraphQLContext, Any], cart_id: uuid.UUID, input: JSON
    ) -> Order:
        data = parse_input(CheckoutInput, input)
        buyer = None
        if "authorization" in info.context.http_request.headers:
            buyer = (await info.context.principal()).user_id
        read = await _orders(info).checkout(info.context.tenant, cart_id, data, customer_id=buyer)
        return Order.of(read)

    @strawberry.mutation(
        extensions=[requires(ORDERS, Action.UPDATE)], description="Confirm a pending order."
    )
    async def confirm_order(self, info: Info[GraphQLContext, Any], id: uuid.UUID) -> Order:
        return Order.of(await _orders(info).confirm(info.context.tenant, id))

    @strawberry.mutation(
        extensions=[requires(ORDERS, Action.UPDATE)],
        description="Pay a confirmed order (`input` as POST /orders/{id}/pay).",
    )
    async def pay_order(
        self, info: Info[GraphQLContext, Any], id: uuid.UUID, input: JSON | None = None
    ) -> Order:
        data = parse_input(PayInput, input or {})
        return Order.of(await _orders(info).pay(info.context.tenant, id, data))

    @strawberry.mutation(
        extensions=[requires(ORDERS, Action.UPDATE)],
        description="Ship a paid order (`input`: {tracking_number, carrier}).",
    )
    async def fulfil_order(
        self, info: Info[GraphQLContext, Any], id: uuid.UUID, input: JSON
    ) -> Order:
        data = parse_input(FulfilInput, input)
        return Order.of(await _orders(info).fulfil(info.context.tenant, id, data))

    @strawberry.mutation(
        extensions=[requires(ORDERS, Action.UPDATE)],
        description="Mark a fulfilled order delivered.",
    )
    async def deliver_order(self, info: Info[GraphQLContext, Any], id: uuid.UUID) -> Order:
        return Order.of(await _orders(info).deliver(info.context.tenant, id))

    @strawberry.mutation(
        extensions=[requires(ORDERS, Action.UPDATE)],
        description="Cancel a pending or confirmed order (`input`: {reason?}).",
    )
    async def cancel_order(
        self, info: Info[GraphQLContext, Any], id: uuid.UUID, input: JSON | None = None
    ) -> Order:
        data = parse_input(CancelInput, input or {})
        return Order.of(await _orders(info).cancel(info.context.tenant, id, data))

    @strawberry.mutation(
        extensions=[requires(ORDERS, Action.UPDATE)],
        description="Refund part or all of a paid order (`input`: {amount, restock?, reason?}).",
    )
    async def refund_order(
        self, info: Info[GraphQLContext, Any], id: uuid.UUID, input: JSON
    ) -> Order:
        data = parse_input(RefundInput, input)
        return Order.of(await _orders(info).refund(info.context.tenant, id, data))


GRAPHQL = GraphQLPart(query=OrdersQuery, mutation=OrdersMutation)
