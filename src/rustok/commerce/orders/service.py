"""Order use cases, each one unit of work: checkout (cart to order), reads, the transitions of
the type-state order (`rustok.commerce.orders.states`), payments and their webhooks.

A transition loads the stored row, turns it into its state type, calls the one method that
state has for it (a state without it is a 409 naming from and to), then saves at the version
read: of two concurrent transitions of one order exactly one wins, the other is a 409 and
has done nothing. Side effects (stock, payments, events) follow the save in the same unit of
work, so the loser never performs them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypedDict

from sqlalchemy.orm.attributes import set_committed_value

from rustok.commerce.cart.schemas import Address, WarningCode
from rustok.commerce.inventory.schemas import StockLine
from rustok.commerce.orders.errors import (
    CartPricesChanged,
    OrderNotFound,
    OrderStale,
    OrderTransitionInvalid,
    PaymentAmountMismatch,
    PaymentProviderNotFound,
    RefundExceedsPaid,
    RestockNeedsFullRefund,
    WebhookPayloadInvalid,
)
from rustok.commerce.orders.events import (
    OrderCancelled,
    OrderConfirmed,
    OrderDelivered,
    OrderFulfilled,
    OrderLinePayload,
    OrderPaid,
    OrderPlaced,
    OrderRefunded,
)
from rustok.commerce.orders.models import Order, OrderLine, Payment, Refund
from rustok.commerce.orders.payments import PAYMENT_SUCCEEDED, PaymentRequest
from rustok.commerce.orders.repository import ORDER_ORDER, OrderRepository, OrderRows
from rustok.commerce.orders.schemas import (
    OrderLineRead,
    OrderRead,
    PaymentRead,
    RefundRead,
    WebhookReceipt,
)
from rustok.commerce.orders.states import (
    ConfirmedOrder,
    DeliveredOrder,
    FulfilledOrder,
    OrderFacts,
    OrderState,
    OrderStatus,
    PaidOrder,
    PendingOrder,
    RefundedOrder,
    state_of,
)
from rustok.commerce.pricing.schemas import MoneyRead
from rustok.core.clock import utcnow
from rustok.core.cursor import CursorPage, decode_cursor, page_of
from rustok.core.errors import FieldError, Invalid
from rustok.core.ids import new_id

if TYPE_CHECKING:
    import uuid
    from collections.abc import Mapping, Sequence
    from datetime import datetime

    from rustok.commerce.cart.schemas import CartSnapshotLine
    from rustok.commerce.cart.service import CartService
    from rustok.commerce.inventory.service import InventoryService
    from rustok.commerce.orders.payments import PaymentProvider, PaymentProviders
    from rustok.commerce.orders.schemas import (
        CancelInput,
        CheckoutInput,
        FulfilInput,
        OrderFilter,
        PayInput,
        RefundInput,
    )
    from rustok.commerce.orders.settings import OrdersSettings
    from rustok.core.idempotency import Receipt
    from rustok.core.permissions import Reach
    from rustok.core.tenant import TenantSnapshot
    from rustok.core.uow import UnitOfWork, UnitOfWorkFactory

ORDER_OWNER = "order"
"""The owner kind of an order's stock reservations."""


class _OrderFields(TypedDict):
    """What every order event carries (`events._OrderEvent`)."""

    order_id: uuid.UUID
    number: int
    version: int
    status: str
    customer_id: uuid.UUID | None
    currency_code: str
    subtotal: int
    tax_total: int
    total: int
    paid_amount: int
    refunded_amount: int
    lines: list[OrderLinePayload]


def _money(amount: int, currency_code: str) -> MoneyRead:
    return MoneyRead(amount=amount, currency_code=currency_code)


def _facts(order: Order) -> OrderFacts:
    return OrderFacts(
        id=order.id,
        number=order.number,
        currency_code=order.currency_code,
        total=order.total,
        paid_amount=order.paid_amount,
        refunded_amount=order.refunded_amount,
        tracking_number=order.tracking_number,
        carrier=order.carrier,
    )


def _invalid(state: OrderState, to: OrderStatus) -> OrderTransitionInvalid:
    return OrderTransitionInvalid(
        f"An order that is {state.status} cannot become {to}.",
        fields=[FieldError("status", f"from {state.status} to {to} is not a transition")],
    )


class OrderService:
    """A tenant's orders: checkout, reads, transitions, payments and webhooks."""

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        carts: CartService,
        inventory: InventoryService,
        providers: PaymentProviders,
        settings: OrdersSettings,
    ) -> None:
        self._uow = uow
        self._carts = carts
        self._inventory = inventory
        self._providers = providers
        self._settings = settings

    # --- checkout -------------------------------------------------------------------------

    async def checkout(
        self,
        tenant: TenantSnapshot,
        cart_id: uuid.UUID,
        data: CheckoutInput,
        *,
        customer_id: uuid.UUID | None,
        receipt: Receipt | None = None,
    ) -> OrderRead:
        """Turn the cart into a pending order in one unit of work: the cart's lines at their
        current prices, their stock reserved for the order, the order numbered, the cart
        completed, `commerce.order.placed` emitted. Stock short: 409 `INSUFFICIENT_STOCK` and
        nothing changed (no order, no reservation, the cart still active, no event)."""
        async with self._uow(tenant.id) as uow:
            snapshot = await self._carts.checkout_snapshot_in(uow, cart_id, customer_id=customer_id)
            cart = snapshot.cart
            if not data.accept_price_changes:
                _refuse_price_changes(snapshot.lines)
            email = data.email or cart.email
            if email is None:
                raise Invalid(
                    "Checkout needs the buyer's e-mail (in the body or on the cart).",
                    code="EMAIL_REQUIRED",
                    fields=[FieldError("body.email", "required: the cart has none")],
                )
            order_id = new_id()
            await self._inventory.reserve_in(
                uow,
                [StockLine(line.variant_id, line.quantity) for line in snapshot.lines],
                owner_kind=ORDER_OWNER,
                owner_id=order_id,
            )
            repo = OrderRepository(uow.session, tenant.id)
            number = await repo.next_number()
            shipping = data.shipping_address or cart.shipping_address
            billing = data.billing_address or cart.billing_address
            order = Order(
                id=order_id,
                tenant_id=tenant.id,
                number=number,
                status=OrderStatus.PENDING.value,
                version=1,
                customer_id=cart.customer_id or customer_id,
                cart_id=cart_id,
                email=email,
                currency_code=cart.currency_code,
                subtotal=cart.subtotal.amount,
                tax_total=cart.tax_total.amount,
                total=cart.total.amount,
                paid_amount=0,
                refunded_amount=0,
                shipping_address=shipping.model_dump(exclude_none=True) if shipping else None,
                billing_address=billing.model_dump(exclude_none=True) if billing else None,
                placed_at=utcnow(),
            )
            lines = [
                OrderLine(
                    id=new_id(),
                    tenant_id=tenant.id,
                    order_id=order_id,
                    rank=rank,
                    variant_id=line.variant_id,
                    sku=line.sku,
                    title=line.title,
                    quantity=line.quantity,
                    unit_price=line.unit_price.amount,
                    tax=line.tax.amount,
                    total=line.total.amount,
                )
                for rank, line in enumerate(snapshot.lines)
            ]
            uow.session.add(order)
            await uow.session.flush()
            uow.session.add_all(lines)
            await uow.session.flush()
            await self._carts.complete_in(uow, cart_id, order_id)
            uow.emit(
                OrderPlaced(**self._payload(order, lines), cart_id=cart_id, email=email),
                tenant_id=tenant.id,
                aggregate_version=order.version,
            )
            read = _read(order, OrderRows(lines={order_id: lines}))
            if receipt is not None:
                await receipt.record_in(uow, read)
            await uow.commit()
            return read

    # --- reads ------------------------------------------------------------------------------

    async def get_order(
        self, tenant: TenantSnapshot, order_id: uuid.UUID, *, reach: Reach
    ) -> OrderRead:
        """One order; out of the caller's reach (a customer's another's order) it is 404."""
        async with self._uow(tenant.id, read_only=True) as uow:
            repo = OrderRepository(uow.session, tenant.id)
            order = await repo.order(order_id, reach)
            if order is None:
                raise OrderNotFound("No such order.")
            return _read(order, await repo.rows_for([order.id]))

    async def list_orders(
        self,
        tenant: TenantSnapshot,
        filters: OrderFilter,
        *,
        reach: Reach,
        after: str | None,
        limit: int,
    ) -> CursorPage[OrderRead]:
        """Orders by number, newest first: every order of the tenant for staff, a customer's
        own under the `own` scope."""
        position = decode_cursor(after, order=ORDER_ORDER, width=2) if after else None
        async with self._uow(tenant.id, read_only=True) as uow:
            repo = OrderRepository(uow.session, tenant.id)
            rows = await repo.list_orders(filters, reach=reach, after=position, limit=limit)
            page, cursor = page_of(rows, limit, lambda o: (o.number, o.id), order=ORDER_ORDER)
            related = await repo.rows_for([o.id for o in page])
            return CursorPage(items=[_read(o, related) for o in page], next_cursor=cursor)

    # --- transitions ----------------------------------------------------------------------

    async def confirm(self, tenant: TenantSnapshot, order_id: uuid.UUID) -> OrderRead:
        async with self._uow(tenant.id) as uow:
            repo, order, state = await self._load(uow, tenant, order_id)
            if not isinstance(state, PendingOrder):
                raise _invalid(state, OrderStatus.CONFIRMED)
            moved = state.confirm()
            await self._save(repo, order, moved, confirmed_at=utcnow())
            lines = await self._lines(repo, order)
            uow.emit(
                OrderConfirmed(**self._payload(order, lines)),
                tenant_id=tenant.id,
                aggregate_version=order.version,
            )
            await uow.commit()
            return await self._read_in(repo, order)

    async def pay(self, tenant: TenantSnapshot, order_id: uuid.UUID, data: PayInput) -> OrderRead:
        """Take the order's total through `data.provider` (authorise, then capture) and move it
        from confirmed to paid."""
        provider = self._provider(data.provider)
        async with self._uow(tenant.id) as uow:
            repo, order, state = await self._load(uow, tenant, order_id)
            if not isinstance(state, ConfirmedOrder):
                raise _invalid(state, OrderStatus.PAID)
            amount = order.total if data.amount is None else data.amount
            if amount != order.total:
                raise PaymentAmountMismatch(
                    f"A payment settles the whole total, {order.total}.",
                    fields=[FieldError("body.amount", f"must be the order's total {order.total}")],
                )
            moved = state.pay(amount)
            await self._save(repo, order, moved, paid_at=utcnow())
            reference = await provider.authorise(
                PaymentRequest(order.id, order.number, amount, order.currency_code)
            )
            reference = await provider.capture(reference, amount, order.currency_code)
            await self._paid(uow, repo, order, provider.name, reference)
            await uow.commit()
            return await self._read_in(repo, order)

    async def fulfil(
        self, tenant: TenantSnapshot, order_id: uuid.UUID, data: FulfilInput
    ) -> OrderRead:
        """Ship a paid order: its reservations are committed (the stock leaves)."""
        async with self._uow(tenant.id) as uow:
            repo, order, state = await self._load(uow, tenant, order_id)
            if not isinstance(state, PaidOrder):
                raise _invalid(state, OrderStatus.FULFILLED)
            moved = state.fulfil(data.tracking_number, data.carrier)
            await self._save(repo, order, moved, fulfilled_at=utcnow())
            await self._inventory.commit_in(uow, owner_kind=ORDER_OWNER, owner_id=order.id)
            lines = await self._lines(repo, order)
            uow.emit(
                OrderFulfilled(
                    **self._payload(order, lines),
                    tracking_number=data.tracking_number,
                    carrier=data.carrier,
                ),
                tenant_id=tenant.id,
                aggregate_version=order.version,
            )
            await uow.commit()
            return await self._read_in(repo, order)

    async def deliver(self, tenant: TenantSnapshot, order_id: uuid.UUID) -> OrderRead:
        async with self._uow(tenant.id) as uow:
            repo, order, state = await self._load(uow, tenant, order_id)
            if not isinstance(state, FulfilledOrder):
                raise _invalid(state, OrderStatus.DELIVERED)
            moved = state.deliver()
            await self._save(repo, order, moved, delivered_at=utcnow())
            lines = await self._lines(repo, order)
            uow.emit(
                OrderDelivered(**self._payload(order, lines)),
                tenant_id=tenant.id,
                aggregate_version=order.version,
            )
            await uow.commit()
            return await self._read_in(repo, order)

    async def cancel(
        self, tenant: TenantSnapshot, order_id: uuid.UUID, data: CancelInput
    ) -> OrderRead:
        """Cancel a pending or confirmed order; its reservations are released."""
        async with self._uow(tenant.id) as uow:
            repo, order, state = await self._load(uow, tenant, order_id)
            if not isinstance(state, PendingOrder | ConfirmedOrder):
                raise _invalid(state, OrderStatus.CANCELLED)
            moved = state.cancel()
            await self._save(repo, order, moved, cancelled_at=utcnow(), cancel_reason=data.reason)
            await self._inventory.release_in(uow, owner_kind=ORDER_OWNER, owner_id=order.id)
            lines = await self._lines(repo, order)
            uow.emit(
                OrderCancelled(**self._payload(order, lines), reason=data.reason),
                tenant_id=tenant.id,
                aggregate_version=order.version,
            )
            await uow.commit()
            return await self._read_in(repo, order)

    async def refund(
        self, tenant: TenantSnapshot, order_id: uuid.UUID, data: RefundInput
    ) -> OrderRead:
        """Refund part or all of what a paid, fulfilled or delivered order was paid. The full
        refund of an order not shipped yet releases its reservations; `restock` (only with the
        refund that empties the order) returns shipped lines to stock."""
        async with self._uow(tenant.id) as uow:
            repo, order, state = await self._load(uow, tenant, order_id)
            if not isinstance(state, PaidOrder | FulfilledOrder | DeliveredOrder):
                raise _invalid(state, OrderStatus.REFUNDED)
            if data.amount > state.refundable:
                raise RefundExceedsPaid(
                    f"At most {state.refundable} is left to refund.",
                    fields=[FieldError("body.amount", f"at most {state.refundable}")],
                )
            if data.restock and data.amount != state.refundable:
                raise RestockNeedsFullRefund(
                    "Restocking returns every line; it goes with the refund of all that is left.",
                    fields=[FieldError("body.restock", "only with a full refund")],
                )
            payment = await repo.captured_payment(order.id)
            if payment is None:  # a paid order always has its captured payment
                raise RefundExceedsPaid(
                    "Nothing of this order was captured.",
                    fields=[FieldError("body.amount", "nothing was captured")],
                )
            moved = state.refund(data.amount)
            full = isinstance(moved, RefundedOrder)
            await self._save(repo, order, moved, refunded_at=utcnow() if full else None)
            provider = self._provider(payment.provider)
            reference = await provider.refund(payment.reference, data.amount, order.currency_code)
            payment.refunded_amount += data.amount
            payment.status = (
                "refunded" if payment.refunded_amount == payment.amount else ("partially_refunded")
            )
            refund = Refund(
                id=new_id(),
                tenant_id=tenant.id,
                order_id=order.id,
                payment_id=payment.id,
                amount=data.amount,
                currency_code=order.currency_code,
                restock=data.restock,
                reason=data.reason,
                reference=reference,
                created_at=utcnow(),
            )
            uow.session.add(refund)
            await uow.session.flush()
            lines = await self._lines(repo, order)
            if full and isinstance(state, PaidOrder):
                await self._inventory.release_in(uow, owner_kind=ORDER_OWNER, owner_id=order.id)
            elif data.restock:
                await self._inventory.restock_in(
                    uow,
                    [StockLine(line.variant_id, line.quantity) for line in lines],
                    reason="refund",
                    reference=f"order:{order.number}",
                )
            uow.emit(
                OrderRefunded(
                    **self._payload(order, lines),
                    refund_id=refund.id,
                    amount=data.amount,
                    restocked=data.restock,
                ),
                tenant_id=tenant.id,
                aggregate_version=order.version,
            )
            await uow.commit()
            return await self._read_in(repo, order)

    # --- webhooks -------------------------------------------------------------------------

    async def receive_webhook(
        self,
        tenant: TenantSnapshot,
        provider_name: str,
        body: bytes,
        headers: Mapping[str, str],
    ) -> WebhookReceipt:
        """Verify a provider's webhook (signature, timestamp), then act on it once per event
        id: `payment_succeeded` records the captured payment and moves the order to paid (a
        pending one through confirmed). An order id of another tenant is 404: it is looked up
        behind this tenant's wall."""
        provider = self._provider(provider_name, field=None)
        secret = self._settings.webhook_secrets.get(
            f"{provider.name}:{tenant.slug}"
        ) or self._settings.webhook_secrets.get(provider.name)
        if not secret:
            raise PaymentProviderNotFound(
                f"The provider {provider.name!r} has no webhook secret for this tenant."
            )
        event = provider.webhook_event(body, headers, secret, utcnow())
        async with self._uow(tenant.id) as uow:
            repo = OrderRepository(uow.session, tenant.id)
            order = await repo.order(event.order_id)
            if order is None:
                raise OrderNotFound("The webhook names no order of this tenant.")
            if not await repo.first_sight(
                provider.name, event.event_id, event.kind, order.id, utcnow()
            ):
                return WebhookReceipt(status="duplicate", order_id=order.id)
            if event.kind == PAYMENT_SUCCEEDED:
                await self._payment_succeeded(
                    uow, repo, order, provider, event.amount, event.currency_code, event.reference
                )
            await uow.commit()
            return WebhookReceipt(
                status="processed", order_id=order.id, order_status=OrderStatus(order.status)
            )

    async def _payment_succeeded(
        self,
        uow: UnitOfWork,
        repo: OrderRepository,
        order: Order,
        provider: PaymentProvider,
        amount: int,
        currency_code: str,
        reference: str,
    ) -> None:
        if currency_code != order.currency_code or amount != order.total:
            raise WebhookPayloadInvalid(
                f"The payment ({amount} {currency_code}) does not settle the order "
                f"({order.total} {order.currency_code})."
            )
        state = state_of(order.status, _facts(order))
        if isinstance(state, PendingOrder):
            confirmed = state.confirm()
            now = utcnow()
            await self._save(repo, order, confirmed.pay(amount), confirmed_at=now, paid_at=now)
            lines = await self._lines(repo, order)
            uow.emit(
                OrderConfirmed(**self._payload(order, lines)),
                tenant_id=order.tenant_id,
                aggregate_version=order.version,
            )
        elif isinstance(state, ConfirmedOrder):
            await self._save(repo, order, state.pay(amount), paid_at=utcnow())
        elif isinstance(state, PaidOrder | FulfilledOrder | DeliveredOrder | RefundedOrder):
            return  # paid already (by another delivery or by hand): nothing moves
        else:
            raise _invalid(state, OrderStatus.PAID)
        await self._paid(uow, repo, order, provider.name, reference)

    # --- steps ------------------------------------------------------------------------------

    def _provider(self, name: str, *, field: str | None = "body.provider") -> PaymentProvider:
        try:
            return self._providers.get(name)
        except PaymentProviderNotFound:
            if field is None:
                raise
            raise Invalid(
                f"No payment provider is called {name!r}.",
                code="PAYMENT_PROVIDER_UNKNOWN",
                fields=[FieldError(field, f"one of {', '.join(self._providers.names())}")],
            ) from None

    async def _load(
        self, uow: UnitOfWork, tenant: TenantSnapshot, order_id: uuid.UUID
    ) -> tuple[OrderRepository, Order, OrderState]:
        repo = OrderRepository(uow.session, tenant.id)
        order = await repo.order(order_id)
        if order is None:
            raise OrderNotFound("No such order.")
        return repo, order, state_of(order.status, _facts(order))

    async def _save(
        self,
        repo: OrderRepository,
        order: Order,
        state: OrderState,
        **stamps: datetime | str | None,
    ) -> None:
        """Write `state` at the version read; a concurrent transition that got there first
        makes this one a 409 (`VERSION_CONFLICT`)."""
        facts = state.facts
        values: dict[str, object] = {
            "paid_amount": facts.paid_amount,
            "refunded_amount": facts.refunded_amount,
            "tracking_number": facts.tracking_number,
            "carrier": facts.carrier,
            "updated_at": utcnow(),
            **{key: value for key, value in stamps.items() if value is not None},
        }
        version = await repo.move(order, state.status.value, values)
        if version is None:
            raise OrderStale("Another request changed the order; read it again.")
        for key, value in {**values, "status": state.status.value, "version": version}.items():
            set_committed_value(order, key, value)

    async def _paid(
        self,
        uow: UnitOfWork,
        repo: OrderRepository,
        order: Order,
        provider: str,
        reference: str,
    ) -> None:
        payment = Payment(
            id=new_id(),
            tenant_id=order.tenant_id,
            order_id=order.id,
            provider=provider,
            amount=order.paid_amount,
            currency_code=order.currency_code,
            status="captured",
            reference=reference,
            refunded_amount=0,
        )
        uow.session.add(payment)
        await uow.session.flush()
        lines = await self._lines(repo, order)
        uow.emit(
            OrderPaid(
                **self._payload(order, lines),
                payment_id=payment.id,
                provider=provider,
                amount=payment.amount,
            ),
            tenant_id=order.tenant_id,
            aggregate_version=order.version,
        )

    @staticmethod
    async def _lines(repo: OrderRepository, order: Order) -> list[OrderLine]:
        return (await repo.rows_for([order.id], lines_only=True)).lines.get(order.id, [])

    @staticmethod
    async def _read_in(repo: OrderRepository, order: Order) -> OrderRead:
        return _read(order, await repo.rows_for([order.id]))

    @staticmethod
    def _payload(order: Order, lines: Sequence[OrderLine]) -> _OrderFields:
        return {
            "order_id": order.id,
            "number": order.number,
            "version": order.version,
            "status": order.status,
            "customer_id": order.customer_id,
            "currency_code": order.currency_code,
            "subtotal": order.subtotal,
            "tax_total": order.tax_total,
            "total": order.total,
            "paid_amount": order.paid_amount,
            "refunded_amount": order.refunded_amount,
            "lines": [
                OrderLinePayload(
                    variant_id=line.variant_id,
                    sku=line.sku,
                    title=line.title,
                    quantity=line.quantity,
                    unit_price=line.unit_price,
                    tax=line.tax,
                    total=line.total,
                )
                for line in lines
            ],
        }


def _refuse_price_changes(lines: Sequence[CartSnapshotLine]) -> None:
    changed = [
        FieldError(
            f"lines.{index}",
            f"{warning.old_unit_price.amount} is now {warning.new_unit_price.amount}",
        )
        for index, line in enumerate(lines)
        for warning in line.warnings
        if warning.code is WarningCode.PRICE_CHANGED
        and warning.old_unit_price is not None
        and warning.new_unit_price is not None
    ]
    if changed:
        raise CartPricesChanged(
            "Prices changed since the lines were added; check them and send "
            "`accept_price_changes`.",
            fields=changed,
        )


def _address(stored: dict[str, Any] | None) -> Address | None:
    return None if stored is None else Address.model_validate(stored)


def _read(order: Order, rows: OrderRows) -> OrderRead:
    currency = order.currency_code
    return OrderRead(
        id=order.id,
        number=order.number,
        status=OrderStatus(order.status),
        version=order.version,
        customer_id=order.customer_id,
        cart_id=order.cart_id,
        email=order.email,
        currency_code=currency,
        subtotal=_money(order.subtotal, currency),
        tax_total=_money(order.tax_total, currency),
        total=_money(order.total, currency),
        paid=_money(order.paid_amount, currency),
        refunded=_money(order.refunded_amount, currency),
        shipping_address=_address(order.shipping_address),
        billing_address=_address(order.billing_address),
        tracking_number=order.tracking_number,
        carrier=order.carrier,
        cancel_reason=order.cancel_reason,
        lines=[
            OrderLineRead(
                id=line.id,
                variant_id=line.variant_id,
                sku=line.sku,
                title=line.title,
                quantity=line.quantity,
                unit_price=_money(line.unit_price, currency),
                tax=_money(line.tax, currency),
                total=_money(line.total, currency),
            )
            for line in rows.lines.get(order.id, [])
        ],
        payments=[
            PaymentRead(
                id=p.id,
                provider=p.provider,
                status=p.status,
                amount=_money(p.amount, p.currency_code),
                refunded=_money(p.refunded_amount, p.currency_code),
                reference=p.reference,
                created_at=p.created_at,
            )
            for p in rows.payments.get(order.id, [])
        ],
        refunds=[
            RefundRead(
                id=r.id,
                payment_id=r.payment_id,
                amount=_money(r.amount, r.currency_code),
                restock=r.restock,
                reason=r.reason,
                created_at=r.created_at,
            )
            for r in rows.refunds.get(order.id, [])
        ],
        placed_at=order.placed_at,
        confirmed_at=order.confirmed_at,
        paid_at=order.paid_at,
        fulfilled_at=order.fulfilled_at,
        delivered_at=order.delivered_at,
        cancelled_at=order.cancelled_at,
        refunded_at=order.refunded_at,
    )
