"""Queries of orders. The session is bound to one tenant and every query names it as well; a
page of orders costs a fixed number of statements whatever its size (`rows_for`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite

from rustok.commerce.orders.models import (
    Order,
    OrderCounter,
    OrderLine,
    Payment,
    PaymentEvent,
    Refund,
)
from rustok.core.cursor import SortKey, keyset_after
from rustok.core.ids import new_id

if TYPE_CHECKING:
    import uuid
    from collections.abc import Iterable, Sequence
    from datetime import datetime

    from sqlalchemy.ext.asyncio import AsyncSession

    from rustok.commerce.orders.schemas import OrderFilter
    from rustok.core.cursor import CursorValue
    from rustok.core.permissions import Reach

T = TypeVar("T")

ORDER_ORDER = "commerce.orders.number_desc"
_ORDERS = Order.__table__.c
ORDER_KEYS = (SortKey(_ORDERS.number, descending=True), SortKey(_ORDERS.id, descending=True))


@dataclass
class OrderRows:
    """The rows a page of orders is read with, one statement per table."""

    lines: dict[uuid.UUID, list[OrderLine]] = field(default_factory=dict)
    payments: dict[uuid.UUID, list[Payment]] = field(default_factory=dict)
    refunds: dict[uuid.UUID, list[Refund]] = field(default_factory=dict)


def _group(rows: Iterable[T], key: str) -> dict[uuid.UUID, list[T]]:
    grouped: dict[uuid.UUID, list[T]] = {}
    for row in rows:
        grouped.setdefault(getattr(row, key), []).append(row)
    return grouped


class OrderRepository:
    def __init__(self, session: AsyncSession, tenant_id: uuid.UUID) -> None:
        self.session = session
        self.tenant_id = tenant_id

    def _insert(self) -> Any:
        """The dialect's INSERT, which can say ON CONFLICT (both dialects spell it alike)."""
        if self.session.get_bind().dialect.name == "postgresql":
            return postgresql.insert
        return sqlite.insert

    async def next_number(self) -> int:
        """The tenant's next order number, in one atomic upsert: concurrent checkouts queue on
        the counter row, and a rolled-back one gives its number back (no gaps)."""
        insert = self._insert()
        query = (
            insert(OrderCounter)
            .values(id=new_id(), tenant_id=self.tenant_id, last_number=1)
            .on_conflict_do_update(
                index_elements=[OrderCounter.tenant_id],
                set_={"last_number": OrderCounter.last_number + 1},
            )
            .returning(OrderCounter.last_number)
        )
        number: int = (await self.session.execute(query)).scalar_one()
        return number

    async def order(self, order_id: uuid.UUID, reach: Reach | None = None) -> Order | None:
        query = select(Order).where(Order.tenant_id == self.tenant_id, Order.id == order_id)
        if reach is not None:
            query = query.where(reach.where(_ORDERS.customer_id))
        return await self.session.scalar(query)

    async def list_orders(
        self,
        filters: OrderFilter,
        *,
        reach: Reach,
        after: Sequence[CursorValue] | None,
        limit: int,
    ) -> Sequence[Order]:
        query = select(Order).where(
            Order.tenant_id == self.tenant_id, reach.where(_ORDERS.customer_id)
        )
        if filters.status is not None:
            query = query.where(Order.status == filters.status.value)
        if filters.customer_id is not None:
            query = query.where(Order.customer_id == filters.customer_id)
        if after is not None:
            query = query.where(keyset_after(ORDER_KEYS, after))
        query = query.order_by(Order.number.desc(), Order.id.desc()).limit(limit + 1)
        return (await self.session.scalars(query)).all()

    async def rows_for(
        self, order_ids: Sequence[uuid.UUID], *, lines_only: bool = False
    ) -> OrderRows:
        """Lines, payments and refunds of these orders: three statements (one with
        `lines_only`), however many orders."""
        if not order_ids:
            return OrderRows()
        ids = list(order_ids)
        tenant = self.tenant_id
        lines = await self.session.scalars(
            select(OrderLine)
            .where(OrderLine.tenant_id == tenant, OrderLine.order_id.in_(ids))
            .order_by(OrderLine.rank)
        )
        rows = OrderRows(lines=_group(lines, "order_id"))
        if lines_only:
            return rows
        payments = await self.session.scalars(
            select(Payment)
            .where(Payment.tenant_id == tenant, Payment.order_id.in_(ids))
            .order_by(Payment.created_at, Payment.id)
        )
        refunds = await self.session.scalars(
            select(Refund)
            .where(Refund.tenant_id == tenant, Refund.order_id.in_(ids))
            .order_by(Refund.created_at, Refund.id)
        )
        rows.payments = _group(payments, "order_id")
        rows.refunds = _group(refunds, "order_id")
        return rows

    async def move(self, order: Order, status: str, values: dict[str, Any]) -> int | None:
        """Save a transition at the version and status read: the new version, or None when
        another request moved the order first (optimistic; nothing is written then)."""
        result = await self.session.execute(
            update(Order)
            .where(
                Order.tenant_id == self.tenant_id,
                Order.id == order.id,
                Order.version == order.version,
                Order.status == order.status,
            )
            .values(status=status, version=Order.version + 1, **values)
            .returning(Order.version)
            .execution_options(synchronize_session=False)
        )
        return result.scalar_one_or_none()

    async def captured_payment(self, order_id: uuid.UUID) -> Payment | None:
        """The order's captured payment with something left to refund."""
        return await self.session.scalar(
            select(Payment)
            .where(
                Payment.tenant_id == self.tenant_id,
                Payment.order_id == order_id,
                Payment.status.in_(("captured", "partially_refunded")),
            )
            .order_by(Payment.created_at, Payment.id)
            .limit(1)
        )

    async def first_sight(
        self,
        provider: str,
        event_id: str,
        event_type: str,
        order_id: uuid.UUID,
        at: datetime,
    ) -> bool:
        """Record a provider's event id; False when it was recorded before (a redelivery).
        Atomic: of two concurrent deliveries of one event exactly one sees True."""
        insert = self._insert()
        query = (
            insert(PaymentEvent)
            .values(
                id=new_id(),
                tenant_id=self.tenant_id,
                provider=provider,
                event_id=event_id,
                event_type=event_type,
                order_id=order_id,
                received_at=at,
            )
            .on_conflict_do_nothing(
                index_elements=[
                    PaymentEvent.tenant_id,
                    PaymentEvent.provider,
                    PaymentEvent.event_id,
                ]
            )
            .returning(PaymentEvent.id)
        )
        return (await self.session.execute(query)).scalar_one_or_none() is not None
