"""REST of the cart under `/api/commerce/carts`.

Every route is public by design: a guest shops without an account, and knowing a cart's id (a
random UUID, never listed) is the right to use it. A logged-in caller's new cart is theirs, and
a customer's cart answers only that customer or staff holding `carts` (anyone else: 404). A
token that is sent must be valid. Writes accept an `Idempotency-Key` header (ADR 0011).
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response

from rustok.commerce.cart.permissions import CARTS
from rustok.commerce.cart.schemas import (
    CartCaller,
    CartCreate,
    CartLineAdd,
    CartLineUpdate,
    CartRead,
    CartUpdate,
)
from rustok.commerce.cart.service import CartService
from rustok.core.permissions import Action, Permission, Scope
from rustok.web.access import ContainerDep, TenantDep, optional_access, public
from rustok.web.idempotency import IdempotencyDep

router = APIRouter(prefix="/commerce")


# `async` though it does no I/O: FastAPI runs a plain `def` dependency in a worker thread.
async def _carts(container: ContainerDep) -> CartService:
    return container.service(CartService)


Carts = Annotated[CartService, Depends(_carts)]


def _caller_under(action: Action) -> Any:
    permission = Permission(CARTS, action)

    async def caller(request: Request) -> CartCaller:
        access = await optional_access(request, permission)
        if access is None:
            return CartCaller()
        return CartCaller(access.principal.user_id, staff=access.scope is Scope.ALL)

    return Depends(caller)


Reader = Annotated[CartCaller, _caller_under(Action.READ)]
Writer = Annotated[CartCaller, _caller_under(Action.UPDATE)]
Public = Annotated[None, public()]
ANSWERS: dict[int | str, dict[str, Any]] = {
    401: {"description": "A token was sent and is not valid (`UNAUTHENTICATED`); send none."}
}


@router.post(
    "/carts",
    response_model=CartRead,
    status_code=201,
    summary="Start a cart (a logged-in caller's is theirs; a guest's is reached by its id)",
    responses=ANSWERS,
)
async def create_cart(
    data: CartCreate,
    carts: Carts,
    tenant: TenantDep,
    _: Public,
    caller: Writer,
    idempotency: IdempotencyDep,
) -> Response:
    return await idempotency.run(
        lambda receipt: carts.create_cart(tenant, data, caller, receipt=receipt), status=201
    )


@router.get(
    "/carts/{cart_id}",
    response_model=CartRead,
    summary="A cart priced now, with warnings where a price or the stock changed",
    responses=ANSWERS,
)
async def get_cart(
    cart_id: uuid.UUID, carts: Carts, tenant: TenantDep, _: Public, caller: Reader
) -> CartRead:
    return await carts.get_cart(tenant, cart_id, caller)


@router.patch(
    "/carts/{cart_id}",
    response_model=CartRead,
    summary="Change a cart's currency, region, e-mail or addresses",
    responses=ANSWERS,
)
async def update_cart(
    cart_id: uuid.UUID,
    data: CartUpdate,
    carts: Carts,
    tenant: TenantDep,
    _: Public,
    caller: Writer,
    idempotency: IdempotencyDep,
) -> Response:
    return await idempotency.run(
        lambda receipt: carts.update_cart(tenant, cart_id, data, caller, receipt=receipt)
    )


@router.post(
    "/carts/{cart_id}/lines",
    response_model=CartRead,
    summary="Add units of a variant to a cart (to its line if it has one)",
    responses=ANSWERS,
)
async def add_cart_line(
    cart_id: uuid.UUID,
    data: CartLineAdd,
    carts: Carts,
    tenant: TenantDep,
    _: Public,
    caller: Writer,
    idempotency: IdempotencyDep,
) -> Response:
    return await idempotency.run(
        lambda receipt: carts.add_line(tenant, cart_id, data, caller, receipt=receipt)
    )


@router.patch(
    "/carts/{cart_id}/lines/{line_id}",
    response_model=CartRead,
    summary="Set a cart line's quantity (0 removes the line)",
    responses=ANSWERS,
)
async def update_cart_line(
    cart_id: uuid.UUID,
    line_id: uuid.UUID,
    data: CartLineUpdate,
    carts: Carts,
    tenant: TenantDep,
    _: Public,
    caller: Writer,
    idempotency: IdempotencyDep,
) -> Response:
    return await idempotency.run(
        lambda receipt: carts.update_line(
            tenant, cart_id, line_id, data.quantity, caller, receipt=receipt
        )
    )


@router.delete(
    "/carts/{cart_id}/lines/{line_id}",
    response_model=CartRead,
    summary="Remove a line from a cart; answers the cart",
    responses=ANSWERS,
)
async def remove_cart_line(
    cart_id: uuid.UUID,
    line_id: uuid.UUID,
    carts: Carts,
    tenant: TenantDep,
    _: Public,
    caller: Writer,
    idempotency: IdempotencyDep,
) -> Response:
    return await idempotency.run(
        lambda receipt: carts.remove_line(tenant, cart_id, line_id, caller, receipt=receipt)
    )
