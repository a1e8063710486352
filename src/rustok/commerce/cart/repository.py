"""Queries of the cart; every one names the tenant (the session is bound to it as well), except
the expiry claim, which runs in the platform's unit of work across tenants."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import delete, func, select, update

from rustok.commerce.cart.models import Cart, CartLine
from rustok.commerce.cart.schemas import CartStatus

if TYPE_CHECKING:
    import uuid
    from collections.abc import Sequence
    from datetime import datetime

    from sqlalchemy.ext.asyncio import AsyncSession


class CartRepository:
    def __init__(self, session: AsyncSession, tenant_id: uuid.UUID) -> None:
        self.session = session
        self.tenant_id = tenant_id

    async def cart(self, cart_id: uuid.UUID, *, lock: bool = False) -> Cart | None:
        """The cart; `lock` holds its row until the transaction ends (PostgreSQL; SQLite has
        one writer at a time), so writes to one cart and its lines happen one after another."""
        query = select(Cart).where(Cart.tenant_id == self.tenant_id, Cart.id == cart_id)
        if lock:
            query = query.with_for_update()
        return await self.session.scalar(query)

    async def lines(self, cart_id: uuid.UUID) -> Sequence[CartLine]:
        return (
            await self.session.scalars(
                select(CartLine)
                .where(CartLine.tenant_id == self.tenant_id, CartLine.cart_id == cart_id)
                .order_by(CartLine.created_at, CartLine.id)
            )
        ).all()

    async def line_count(self, cart_id: uuid.UUID) -> int:
        return int(
            await self.session.scalar(
                select(func.count())
                .select_from(CartLine)
                .where(CartLine.tenant_id == self.tenant_id, CartLine.cart_id == cart_id)
            )
            or 0
        )

    async def line(self, cart_id: uuid.UUID, line_id: uuid.UUID) -> CartLine | None:
        return await self.session.scalar(
            select(CartLine).where(
                CartLine.tenant_id == self.tenant_id,
                CartLine.cart_id == cart_id,
                CartLine.id == line_id,
            )
        )

    async def line_of_variant(self, cart_id: uuid.UUID, variant_id: uuid.UUID) -> CartLine | None:
        return await self.session.scalar(
            select(CartLine).where(
                CartLine.tenant_id == self.tenant_id,
                CartLine.cart_id == cart_id,
                CartLine.variant_id == variant_id,
            )
        )

    async def delete_line(self, line_id: uuid.UUID) -> None:
        await self.session.execute(
            delete(CartLine).where(CartLine.tenant_id == self.tenant_id, CartLine.id == line_id)
        )


async def claim_expired(
    session: AsyncSession, now: datetime, limit: int
) -> list[tuple[uuid.UUID, uuid.UUID, uuid.UUID | None, str, int]]:
    """Mark up to `limit` active carts past `expires_at` expired, across tenants (a platform
    session); their (id, tenant_id, customer_id, currency_code, version)."""
    due = (
        select(Cart.id)
        .where(Cart.status == CartStatus.ACTIVE.value, Cart.expires_at <= now)
        .order_by(Cart.expires_at, Cart.id)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True)
    result = await session.execute(
        update(Cart)
        .where(Cart.id.in_(due.scalar_subquery()), Cart.status == CartStatus.ACTIVE.value)
        .values(status=CartStatus.EXPIRED.value, version=Cart.version + 1, updated_at=now)
        .returning(Cart.id, Cart.tenant_id, Cart.customer_id, Cart.currency_code, Cart.version)
        .execution_options(synchronize_session=False)
    )
    return [(row[0], row[1], row[2], row[3], row[4]) for row in result]
