"""Queries of pricing; every one names the tenant (the session is bound to it as well)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import delete, or_, select, update

from rustok.commerce.pricing.models import PriceList, PriceListPrice, Region
from rustok.core.clock import utcnow

if TYPE_CHECKING:
    import uuid
    from collections.abc import Sequence
    from datetime import datetime

    from sqlalchemy.ext.asyncio import AsyncSession


class PricingRepository:
    def __init__(self, session: AsyncSession, tenant_id: uuid.UUID) -> None:
        self.session = session
        self.tenant_id = tenant_id

    async def region(self, region_id: uuid.UUID) -> Region | None:
        return await self.session.scalar(
            select(Region).where(Region.tenant_id == self.tenant_id, Region.id == region_id)
        )

    async def region_named(self, name: str) -> Region | None:
        return await self.session.scalar(
            select(Region).where(Region.tenant_id == self.tenant_id, Region.name == name)
        )

    async def regions(self) -> Sequence[Region]:
        return (
            await self.session.scalars(
                select(Region)
                .where(Region.tenant_id == self.tenant_id)
                .order_by(Region.name, Region.id)
            )
        ).all()

    async def existing_regions(self, ids: Sequence[uuid.UUID]) -> set[uuid.UUID]:
        if not ids:
            return set()
        rows = await self.session.scalars(
            select(Region.id).where(Region.tenant_id == self.tenant_id, Region.id.in_(list(ids)))
        )
        return set(rows.all())

    async def delete_region(self, region_id: uuid.UUID) -> None:
        await self.session.execute(
            delete(Region).where(Region.tenant_id == self.tenant_id, Region.id == region_id)
        )

    async def price_list(self, price_list_id: uuid.UUID) -> PriceList | None:
        return await self.session.scalar(
            select(PriceList).where(
                PriceList.tenant_id == self.tenant_id, PriceList.id == price_list_id
            )
        )

    async def price_lists(self) -> Sequence[PriceList]:
        return (
            await self.session.scalars(
                select(PriceList)
                .where(PriceList.tenant_id == self.tenant_id)
                .order_by(PriceList.created_at, PriceList.id)
            )
        ).all()

    async def prices_of_lists(
        self, list_ids: Sequence[uuid.UUID]
    ) -> dict[uuid.UUID, list[PriceListPrice]]:
        if not list_ids:
            return {}
        rows = await self.session.scalars(
            select(PriceListPrice)
            .where(
                PriceListPrice.tenant_id == self.tenant_id,
                PriceListPrice.price_list_id.in_(list(list_ids)),
            )
            .order_by(
                PriceListPrice.variant_id, PriceListPrice.currency_code, PriceListPrice.min_quantity
            )
        )
        grouped: dict[uuid.UUID, list[PriceListPrice]] = {}
        for row in rows:
            grouped.setdefault(row.price_list_id, []).append(row)
        return grouped

    async def bump_list_version(self, price_list_id: uuid.UUID, expected: int) -> int | None:
        result = await self.session.execute(
            update(PriceList)
            .where(
                PriceList.tenant_id == self.tenant_id,
                PriceList.id == price_list_id,
                PriceList.version == expected,
            )
            .values(version=PriceList.version + 1, updated_at=utcnow())
            .returning(PriceList.version)
            .execution_options(synchronize_session=False)
        )
        return result.scalar_one_or_none()

    async def replace_list_prices(
        self, price_list_id: uuid.UUID, prices: Sequence[PriceListPrice]
    ) -> None:
        await self.session.execute(
            delete(PriceListPrice).where(
                PriceListPrice.tenant_id == self.tenant_id,
                PriceListPrice.price_list_id == price_list_id,
            )
        )
        self.session.add_all(prices)

    async def delete_price_list(self, price_list_id: uuid.UUID) -> None:
        await self.session.execute(
            delete(PriceListPrice).where(
                PriceListPrice.tenant_id == self.tenant_id,
                PriceListPrice.price_list_id == price_list_id,
            )
        )
        await self.session.execute(
            delete(PriceList).where(
                PriceList.tenant_id == self.tenant_id, PriceList.id == price_list_id
            )
        )

    async def prices_in_force(
        self, variant_id: uuid.UUID, currency_code: str, at: datetime
    ) -> Sequence[tuple[PriceList, PriceListPrice]]:
        """Prices of active lists whose window holds `at`, for this variant and currency (one
        statement); the lists' group and region rules are the caller's to apply."""
        return await self.prices_in_force_for([variant_id], currency_code, at)

    async def prices_in_force_for(
        self, variant_ids: Sequence[uuid.UUID], currency_code: str, at: datetime
    ) -> Sequence[tuple[PriceList, PriceListPrice]]:
        """`prices_in_force` for several variants, in one statement."""
        rows = await self.session.execute(
            select(PriceList, PriceListPrice)
            .join(
                PriceListPrice,
                (PriceListPrice.price_list_id == PriceList.id)
                & (PriceListPrice.tenant_id == PriceList.tenant_id),
            )
            .where(
                PriceList.tenant_id == self.tenant_id,
                PriceList.status == "active",
                or_(PriceList.starts_at.is_(None), PriceList.starts_at <= at),
                or_(PriceList.ends_at.is_(None), PriceList.ends_at > at),
                PriceListPrice.variant_id.in_(list(variant_ids)),
                PriceListPrice.currency_code == currency_code,
            )
        )
        return [(row[0], row[1]) for row in rows]
