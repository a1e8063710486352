"""Queries of inventory; every one names the tenant (the session is bound to it as well).

Stock changes are single conditional UPDATEs returning the level as it is after them, so two
transactions never both take the last unit: `reserved = reserved + n WHERE stocked - reserved
>= n` either matches (and holds the row until commit) or changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import and_, delete, exists, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from rustok.commerce.inventory.models import (
    InventoryLevel,
    Reservation,
    StockLocation,
    StockMovement,
)
from rustok.commerce.inventory.schemas import ReservationStatus
from rustok.core.clock import utcnow
from rustok.core.cursor import SortKey, keyset_after
from rustok.core.ids import new_id

if TYPE_CHECKING:
    import uuid
    from collections.abc import Sequence
    from datetime import datetime

    from sqlalchemy.ext.asyncio import AsyncSession

    from rustok.core.cursor import CursorValue

_MOVEMENTS = StockMovement.__table__.c
MOVEMENT_ORDER = (
    SortKey(_MOVEMENTS.created_at, descending=True),
    SortKey(_MOVEMENTS.id, descending=True),
)
DEFAULT_LOCATION_NAME = "Default"


@dataclass(frozen=True, slots=True)
class LevelAfter:
    """A level as a statement left it."""

    variant_id: uuid.UUID
    location_id: uuid.UUID
    stocked: int
    reserved: int
    threshold: int | None

    @property
    def available(self) -> int:
        return self.stocked - self.reserved


@dataclass(frozen=True, slots=True)
class Claimed:
    """A reservation a statement moved out of `live`."""

    tenant_id: uuid.UUID
    owner_kind: str
    owner_id: uuid.UUID
    variant_id: uuid.UUID
    location_id: uuid.UUID
    quantity: int


_LEVEL_COLUMNS = (
    InventoryLevel.variant_id,
    InventoryLevel.location_id,
    InventoryLevel.stocked,
    InventoryLevel.reserved,
    InventoryLevel.low_stock_threshold,
)
_CLAIM_COLUMNS = (
    Reservation.tenant_id,
    Reservation.owner_kind,
    Reservation.owner_id,
    Reservation.variant_id,
    Reservation.location_id,
    Reservation.quantity,
)


class InventoryRepository:
    def __init__(self, session: AsyncSession, tenant_id: uuid.UUID) -> None:
        self.session = session
        self.tenant_id = tenant_id

    @property
    def _postgres(self) -> bool:
        return self.session.get_bind().dialect.name == "postgresql"

    # --- locations ------------------------------------------------------------------------------

    async def location(self, location_id: uuid.UUID) -> StockLocation | None:
        return await self.session.scalar(
            select(StockLocation).where(
                StockLocation.tenant_id == self.tenant_id, StockLocation.id == location_id
            )
        )

    async def default_location(self) -> StockLocation | None:
        return await self.session.scalar(
            select(StockLocation).where(
                StockLocation.tenant_id == self.tenant_id, StockLocation.is_default.is_(True)
            )
        )

    async def location_named(self, name: str) -> StockLocation | None:
        return await self.session.scalar(
            select(StockLocation).where(
                StockLocation.tenant_id == self.tenant_id, StockLocation.name == name
            )
        )

    async def locations(self) -> Sequence[StockLocation]:
        return (
            await self.session.scalars(
                select(StockLocation)
                .where(StockLocation.tenant_id == self.tenant_id)
                .order_by(StockLocation.is_default.desc(), StockLocation.name, StockLocation.id)
            )
        ).all()

    async def add_default_location(self) -> None:
        """Create the tenant's default location unless one exists (concurrent callers: one
        wins, the others' insert does nothing)."""
        insert = postgresql_insert if self._postgres else sqlite_insert
        now = utcnow()
        await self.session.execute(
            insert(StockLocation)
            .values(
                id=new_id(),
                tenant_id=self.tenant_id,
                name=DEFAULT_LOCATION_NAME,
                is_default=True,
                created_at=now,
                updated_at=now,
            )
            .on_conflict_do_nothing()
        )

    async def clear_default(self) -> None:
        await self.session.execute(
            update(StockLocation)
            .where(StockLocation.tenant_id == self.tenant_id, StockLocation.is_default.is_(True))
            .values(is_default=False, updated_at=utcnow())
            .execution_options(synchronize_session=False)
        )

    async def holds_stock(self, location_id: uuid.UUID) -> bool:
        return bool(
            await self.session.scalar(
                select(
                    exists().where(
                        InventoryLevel.tenant_id == self.tenant_id,
                        InventoryLevel.location_id == location_id,
                        or_(InventoryLevel.stocked != 0, InventoryLevel.reserved != 0),
                    )
                )
            )
        )

    async def delete_location(self, location_id: uuid.UUID) -> None:
        for model in (StockMovement, Reservation, InventoryLevel):
            await self.session.execute(
                delete(model).where(
                    model.tenant_id == self.tenant_id, model.location_id == location_id
                )
            )
        await self.session.execute(
            delete(StockLocation).where(
                StockLocation.tenant_id == self.tenant_id, StockLocation.id == location_id
            )
        )

    # --- levels -------------------------------------------------------------------------------

    async def levels_of(self, variant_ids: Sequence[uuid.UUID]) -> Sequence[InventoryLevel]:
        """The levels of these variants, the default location's first (one statement)."""
        if not variant_ids:
            return []
        return (
            await self.session.scalars(
                select(InventoryLevel)
                .join(
                    StockLocation,
                    (StockLocation.id == InventoryLevel.location_id)
                    & (StockLocation.tenant_id == InventoryLevel.tenant_id),
                )
                .where(
                    InventoryLevel.tenant_id == self.tenant_id,
                    InventoryLevel.variant_id.in_(list(variant_ids)),
                )
                .order_by(
                    InventoryLevel.variant_id,
                    StockLocation.is_default.desc(),
                    StockLocation.name,
                    StockLocation.id,
                )
                .execution_options(populate_existing=True)
            )
        ).all()

    async def add_level(self, variant_id: uuid.UUID, location_id: uuid.UUID) -> None:
        """An empty level of the variant at the location, unless it has one."""
        insert = postgresql_insert if self._postgres else sqlite_insert
        now = utcnow()
        await self.session.execute(
            insert(InventoryLevel)
            .values(
                id=new_id(),
                tenant_id=self.tenant_id,
                variant_id=variant_id,
                location_id=location_id,
                stocked=0,
                reserved=0,
                incoming=0,
                created_at=now,
                updated_at=now,
            )
            .on_conflict_do_nothing()
        )

    async def change_level(
        self,
        variant_id: uuid.UUID,
        location_id: uuid.UUID,
        *,
        stocked: int = 0,
        reserved: int = 0,
        guarded: bool = True,
    ) -> LevelAfter | None:
        """Add to a level's `stocked` and `reserved` in one statement; `guarded`: only if
        `available` stays at or above zero. None: no such level, or the guard refused."""
        query = update(InventoryLevel).where(
            InventoryLevel.tenant_id == self.tenant_id,
            InventoryLevel.variant_id == variant_id,
            InventoryLevel.location_id == location_id,
        )
        if guarded:
            query = query.where(
                InventoryLevel.stocked - InventoryLevel.reserved >= reserved - stocked
            )
        result = await self.session.execute(
            query.values(
                stocked=InventoryLevel.stocked + stocked,
                reserved=InventoryLevel.reserved + reserved,
                updated_at=utcnow(),
            )
            .returning(*_LEVEL_COLUMNS)
            .execution_options(synchronize_session=False)
        )
        row = result.one_or_none()
        return None if row is None else LevelAfter(*row)

    async def locked_level(
        self, variant_id: uuid.UUID, location_id: uuid.UUID
    ) -> InventoryLevel | None:
        """The level, locked until commit on PostgreSQL (SQLite's writers take turns)."""
        query = select(InventoryLevel).where(
            InventoryLevel.tenant_id == self.tenant_id,
            InventoryLevel.variant_id == variant_id,
            InventoryLevel.location_id == location_id,
        )
        return await self.session.scalar(
            query.with_for_update().execution_options(populate_existing=True)
        )

    async def expired_units(
        self, variant_ids: Sequence[uuid.UUID], now: datetime
    ) -> dict[uuid.UUID, int]:
        """Units of live reservations past their expiry, per variant: availability ignores
        them before the job releases them."""
        if not variant_ids:
            return {}
        rows = await self.session.execute(
            select(Reservation.variant_id, func.sum(Reservation.quantity))
            .where(
                Reservation.tenant_id == self.tenant_id,
                Reservation.variant_id.in_(list(variant_ids)),
                Reservation.status == ReservationStatus.LIVE.value,
                Reservation.expires_at <= now,
            )
            .group_by(Reservation.variant_id)
        )
        return {variant_id: int(units) for variant_id, units in rows}

    # --- reservations -------------------------------------------------------------------------

    async def claim_reservations(
        self,
        *,
        to: ReservationStatus,
        owner_kind: str | None = None,
        owner_id: uuid.UUID | None = None,
        variant_ids: Sequence[uuid.UUID] | None = None,
        expired_at: datetime | None = None,
    ) -> list[Claimed]:
        """Move live reservations (of an owner, or of these variants past their expiry) to
        `to` in one statement; each is claimed by exactly one transaction."""
        query = update(Reservation).where(
            Reservation.tenant_id == self.tenant_id,
            Reservation.status == ReservationStatus.LIVE.value,
        )
        if owner_kind is not None and owner_id is not None:
            query = query.where(
                Reservation.owner_kind == owner_kind, Reservation.owner_id == owner_id
            )
        if variant_ids is not None:
            query = query.where(Reservation.variant_id.in_(list(variant_ids)))
        if expired_at is not None:
            query = query.where(Reservation.expires_at <= expired_at)
        result = await self.session.execute(
            query.values(status=to.value, updated_at=utcnow())
            .returning(*_CLAIM_COLUMNS)
            .execution_options(synchronize_session=False)
        )
        return [Claimed(*row) for row in result]

    # --- movements ----------------------------------------------------------------------------

    async def movements(
        self,
        *,
        variant_id: uuid.UUID | None,
        location_id: uuid.UUID | None,
        after: Sequence[CursorValue] | None,
        limit: int,
    ) -> Sequence[StockMovement]:
        clauses = [StockMovement.tenant_id == self.tenant_id]
        if variant_id is not None:
            clauses.append(StockMovement.variant_id == variant_id)
        if location_id is not None:
            clauses.append(StockMovement.location_id == location_id)
        if after is not None:
            clauses.append(keyset_after(MOVEMENT_ORDER, after))
        return (
            await self.session.scalars(
                select(StockMovement)
                .where(and_(*clauses))
                .order_by(StockMovement.created_at.desc(), StockMovement.id.desc())
                .limit(limit + 1)
            )
        ).all()


async def claim_expired(session: AsyncSession, now: datetime, limit: int) -> list[Claimed]:
    """Release up to `limit` live reservations past their expiry, across tenants (the job's
    platform unit of work); on PostgreSQL over rows locked with SKIP LOCKED, so concurrent
    runs never claim one twice."""
    due = (
        select(Reservation.id)
        .where(
            Reservation.status == ReservationStatus.LIVE.value,
            Reservation.expires_at <= now,
        )
        .order_by(Reservation.expires_at, Reservation.id)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True)
    result = await session.execute(
        update(Reservation)
        .where(
            Reservation.id.in_(due.scalar_subquery()),
            Reservation.status == ReservationStatus.LIVE.value,
        )
        .values(status=ReservationStatus.RELEASED.value, updated_at=now)
        .returning(*_CLAIM_COLUMNS)
        .execution_options(synchronize_session=False)
    )
    return [Claimed(*row) for row in result]
