"""REST of orders under `/api/commerce/`: checkout, orders and their transitions, payment
webhooks.

Checkout is open to anonymous callers on purpose: a guest's cart is addressed by its
unguessable id, and knowing it is the right to use it (the cart's routes say the same); a
logged-in caller's order records them as its customer. A webhook is authenticated by its
signature, not by a user. Everything else needs `orders:<action>`; a customer's `own` scope
shows only their own orders (another's answers 404, as if it did not exist).
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request, Response

from rustok.commerce.orders.permissions import ORDERS
from rustok.commerce.orders.schemas import (
    CancelInput,
    CheckoutInput,
    FulfilInput,
    OrderFilter,
    OrderRead,
    PayInput,
    RefundInput,
    WebhookReceipt,
)
from rustok.commerce.orders.service import OrderService
from rustok.commerce.orders.settings import OrdersSettings
from rustok.commerce.orders.states import OrderStatus
from rustok.core.cursor import CursorPage, CursorParams
from rustok.core.errors import TooLarge
from rustok.core.permissions import Action
from rustok.web.access import Access, ContainerDep, TenantDep, get_principal, public, require
from rustok.web.idempotency import IdempotencyDep

router = APIRouter(prefix="/commerce")


# `async` though it does no I/O: FastAPI runs a plain `def` dependency in a worker thread.
async def _orders(container: ContainerDep) -> OrderService:
    return container.service(OrderService)


Orders = Annotated[OrderService, Depends(_orders)]


async def _buyer(request: Request) -> uuid.UUID | None:
    """The logged-in caller, when a token is sent (an invalid one is refused); None for a
    guest."""
    if "authorization" not in request.headers:
        return None
    return (await get_principal(request)).user_id


Buyer = Annotated[uuid.UUID | None, Depends(_buyer)]
BAD_TOKEN: dict[int | str, dict[str, Any]] = {
    401: {"description": "A token was sent and is not valid (`UNAUTHENTICATED`); send none."}
}
OrderId = Annotated[uuid.UUID, Path(description="The order's id.")]


@router.post(
    "/carts/{cart_id}/checkout",
    response_model=OrderRead,
    status_code=201,
    summary="Place the order: reserve the cart's stock, freeze its prices, complete the cart",
    responses={
        **BAD_TOKEN,
        409: {
            "description": "Stock short (`INSUFFICIENT_STOCK`), prices changed "
            "(`CART_PRICES_CHANGED`), the cart completed or expired, or the idempotency key in "
            "use; nothing changed."
        },
    },
)
async def checkout(
    cart_id: uuid.UUID,
    data: CheckoutInput,
    orders: Orders,
    tenant: TenantDep,
    buyer: Buyer,
    idempotency: IdempotencyDep,
    _: Annotated[None, public()],
) -> Response:
    return await idempotency.run(
        lambda receipt: orders.checkout(tenant, cart_id, data, customer_id=buyer, receipt=receipt),
        status=201,
    )


@router.get(
    "/orders",
    response_model=CursorPage[OrderRead],
    summary="Orders, newest number first, by cursor: all of the tenant's for staff, a "
    "customer's own",
)
async def list_orders(
    orders: Orders,
    tenant: TenantDep,
    access: Annotated[Access, require(ORDERS, Action.LIST)],
    page: Annotated[CursorParams, Depends()],
    status: OrderStatus | None = None,
    customer_id: Annotated[uuid.UUID | None, Query(description="Staff: one customer's.")] = None,
) -> CursorPage[OrderRead]:
    return await orders.list_orders(
        tenant,
        OrderFilter(status=status, customer_id=customer_id),
        reach=access.reach,
        after=page.after,
        limit=page.limit,
    )


@router.get("/orders/{order_id}", response_model=OrderRead, summary="One order")
async def get_order(
    order_id: OrderId,
    orders: Orders,
    tenant: TenantDep,
    access: Annotated[Access, require(ORDERS, Action.READ)],
) -> OrderRead:
    return await orders.get_order(tenant, order_id, reach=access.reach)


_TRANSITION: dict[int | str, dict[str, Any]] = {
    409: {
        "description": "Not a transition of the order's state "
        "(`ORDER_TRANSITION_INVALID`), or it moved meanwhile (`VERSION_CONFLICT`)."
    }
}


@router.post(
    "/orders/{order_id}/confirm",
    response_model=OrderRead,
    summary="Confirm a pending order",
    responses=_TRANSITION,
)
async def confirm_order(
    order_id: OrderId,
    orders: Orders,
    tenant: TenantDep,
    _: Annotated[Access, require(ORDERS, Action.UPDATE)],
) -> OrderRead:
    return await orders.confirm(tenant, order_id)


@router.post(
    "/orders/{order_id}/pay",
    response_model=OrderRead,
    summary="Take a confirmed order's total through a payment provider (`manual`: offline)",
    responses=_TRANSITION,
)
async def pay_order(
    order_id: OrderId,
    data: PayInput,
    orders: Orders,
    tenant: TenantDep,
    _: Annotated[Access, require(ORDERS, Action.UPDATE)],
) -> OrderRead:
    return await orders.pay(tenant, order_id, data)


@router.post(
    "/orders/{order_id}/fulfil",
    response_model=OrderRead,
    summary="Ship a paid order with its tracking number; its reserved stock leaves",
    responses=_TRANSITION,
)
async def fulfil_order(
    order_id: OrderId,
    data: FulfilInput,
    orders: Orders,
    tenant: TenantDep,
    _: Annotated[Access, require(ORDERS, Action.UPDATE)],
) -> OrderRead:
    return await orders.fulfil(tenant, order_id, data)


@router.post(
    "/orders/{order_id}/deliver",
    response_model=OrderRead,
    summary="Mark a fulfilled order delivered",
    responses=_TRANSITION,
)
async def deliver_order(
    order_id: OrderId,
    orders: Orders,
    tenant: TenantDep,
    _: Annotated[Access, require(ORDERS, Action.UPDATE)],
) -> OrderRead:
    return await orders.deliver(tenant, order_id)


@router.post(
    "/orders/{order_id}/cancel",
    response_model=OrderRead,
    summary="Cancel a pending or confirmed order; its reserved stock is released",
    responses=_TRANSITION,
)
async def cancel_order(
    order_id: OrderId,
    data: CancelInput,
    orders: Orders,
    tenant: TenantDep,
    _: Annotated[Access, require(ORDERS, Action.UPDATE)],
) -> OrderRead:
    return await orders.cancel(tenant, order_id, data)


@router.post(
    "/orders/{order_id}/refund",
    response_model=OrderRead,
    summary="Refund part or all of what was paid (never more); optionally restock",
    responses=_TRANSITION,
)
async def refund_order(
    order_id: OrderId,
    data: RefundInput,
    orders: Orders,
    tenant: TenantDep,
    _: Annotated[Access, require(ORDERS, Action.UPDATE)],
) -> OrderRead:
    return await orders.refund(tenant, order_id, data)


@router.post(
    "/payments/{provider}/webhook",
    response_model=WebhookReceipt,
    summary="A payment provider's signed webhook (HMAC-SHA256, timestamped, once per event id)",
    responses={
        400: {
            "description": "The payload is not one the provider sends (`WEBHOOK_PAYLOAD_INVALID`)."
        },
        401: {"description": "Signature missing, wrong or too old (`WEBHOOK_SIGNATURE_INVALID`)."},
        404: {
            "description": "No such provider, or none taking webhooks for this tenant "
            "(`PAYMENT_PROVIDER_NOT_FOUND`); or the order is not this tenant's (`ORDER_NOT_FOUND`)."
        },
        408: {"description": "The body did not arrive in time (`REQUEST_TIMEOUT`)."},
        409: {"description": "The order cannot be paid any more (`ORDER_TRANSITION_INVALID`)."},
        413: {"description": "The body is larger than the webhook limit (`PAYLOAD_TOO_LARGE`)."},
    },
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": {"type": "object"}, "example": {}}},
        }
    },
)
async def payment_webhook(
    provider: Annotated[str, Path(pattern=r"^[a-z][a-z0-9_-]{0,31}$", examples=["manual"])],
    request: Request,
    container: ContainerDep,
    orders: Orders,
    tenant: TenantDep,
    _: Annotated[None, public()],
) -> WebhookReceipt:
    limit = container.settings_of(OrdersSettings).webhook_max_bytes
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > limit:
            raise TooLarge(f"A webhook body is at most {limit} bytes.")
    return await orders.receive_webhook(tenant, provider, bytes(body), request.headers)
