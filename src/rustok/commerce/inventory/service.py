"""Inventory use cases: stock locations; levels per variant and location; adjust, set and
transfer (each audited as stock movements); reservations for carts and orders, their release,
commit (shipment) and expiry; availability across locations.

The `*_in(uow, ...)` steps run inside another use case's unit of work (the cart's, checkout's)
and never commit. Every stock change is one conditional UPDATE (`repository.change_level`), so
nothing oversells however many transactions race for the last unit. Variants that do not
manage inventory are never counted; variants that allow backorders may go below zero.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy.exc import IntegrityError

from rustok.commerce.inventory.errors import (
    InsufficientStock,
    InventoryNotManaged,
    SameLocation,
    StockLocationInUse,
    StockLocationNameTaken,
    StockLocationNotFound,
    UnknownVariant,
)
from rustok.commerce.inventory.events import (
    InventoryAdjusted,
    InventoryLow,
    LevelPayload,
    StockCommitted,
    StockReleased,
    StockReserved,
)
from rustok.commerce.inventory.models import Reservation, StockLocation, StockMovement
from rustok.commerce.inventory.repository import (
    MOVEMENT_ORDER,
    Claimed,
    InventoryRepository,
    LevelAfter,
    claim_expired,
)
from rustok.commerce.inventory.schemas import (
    Availability,
    CheckLineRead,
    CheckRead,
    LevelRead,
    MovementKind,
    MovementRead,
    OwnerKind,
    ReservationRead,
    ReservationStatus,
    StockLocationRead,
    TransferRead,
    VariantInventory,
)
from rustok.core.clock import utcnow
from rustok.core.cursor import CursorPage, decode_cursor, page_of
from rustok.core.errors import FieldError
from rustok.core.ids import new_id

if TYPE_CHECKING:
    import uuid
    from collections.abc import Sequence
    from datetime import datetime

    from rustok.commerce.catalog.schemas import VariantStock
    from rustok.commerce.catalog.service import CatalogService
    from rustok.commerce.inventory.models import InventoryLevel
    from rustok.commerce.inventory.schemas import (
        InventoryAdjust,
        InventoryCheck,
        InventorySet,
        InventoryTransfer,
        MovementFilter,
        StockLine,
        StockLocationCreate,
        StockLocationUpdate,
    )
    from rustok.core.tenant import TenantSnapshot
    from rustok.core.uow import UnitOfWork, UnitOfWorkFactory

_MOVEMENTS = "inventory-movements"


def _payload(stock: VariantStock, level: LevelAfter, quantity: int) -> LevelPayload:
    return LevelPayload(
        variant_id=level.variant_id,
        sku=stock.sku,
        location_id=level.location_id,
        quantity=quantity,
        stocked=level.stocked,
        reserved=level.reserved,
        available=level.available,
    )


def _level_read(level: InventoryLevel) -> LevelRead:
    return LevelRead.model_validate(level)


class InventoryService:
    """Stock of a tenant's variants at its locations, and who holds which units."""

    def __init__(self, uow: UnitOfWorkFactory, catalog: CatalogService) -> None:
        self._uow = uow
        self._catalog = catalog

    # --- steps inside another use case's unit of work ------------------------------------------

    async def availability_in(
        self, uow: UnitOfWork, variant_ids: Sequence[uuid.UUID]
    ) -> dict[uuid.UUID, Availability]:
        """What can be sold of each variant, summed over locations; reservations past their
        expiry do not count. Unknown variants are missing from the answer."""
        tenant_id = _tenant_of(uow)
        stock = await self._catalog.variant_stock_in(uow, variant_ids)
        repo = InventoryRepository(uow.session, tenant_id)
        managed = [vid for vid, s in stock.items() if s.manage_inventory]
        totals: dict[uuid.UUID, int] = dict.fromkeys(managed, 0)
        for level in await repo.levels_of(managed):
            totals[level.variant_id] += level.stocked - level.reserved
        for variant_id, units in (await repo.expired_units(managed, utcnow())).items():
            totals[variant_id] += units
        return {
            vid: Availability(
                variant_id=vid,
                available=totals.get(vid, 0),
                managed=s.manage_inventory,
                backorder=s.allow_backorder,
            )
            for vid, s in stock.items()
        }

    async def reserve_in(
        self,
        uow: UnitOfWork,
        lines: Sequence[StockLine],
        *,
        owner_kind: str,
        owner_id: uuid.UUID,
        expires_at: datetime | None = None,
    ) -> list[ReservationRead]:
        """Reserve every line for the owner, all or nothing: the default location first, then
        the others (a line may be split over several). Raises `InsufficientStock` with one
        field error per short line (`lines.<index>`) naming what is available; the caller's
        unit of work then rolls back whatever was taken."""
        tenant_id = _tenant_of(uow)
        kind = OwnerKind(owner_kind)
        repo = InventoryRepository(uow.session, tenant_id)
        ids = list(dict.fromkeys(line.variant_id for line in lines))
        stock = await self._catalog.variant_stock_in(uow, ids)
        for index, line in enumerate(lines):
            if line.variant_id not in stock:
                raise UnknownVariant(
                    f"Variant {line.variant_id} does not exist.",
                    fields=[FieldError(f"lines.{index}.variant_id", "no such variant")],
                )
        managed = [vid for vid in ids if stock[vid].manage_inventory]
        await self._release_expired_of(uow, repo, stock, managed)
        # What each location had available when read; a stale figure only makes the
        # conditional update below change nothing.
        seen: dict[uuid.UUID, list[_Spot]] = {}
        for level in await repo.levels_of(managed):
            seen.setdefault(level.variant_id, []).append(
                _Spot(level.location_id, level.stocked - level.reserved)
            )
        reservations: list[Reservation] = []
        payloads: list[LevelPayload] = []
        short: list[FieldError] = []
        for index, line in enumerate(lines):
            variant = stock[line.variant_id]
            if not variant.manage_inventory:
                continue
            remaining = line.quantity
            for spot in seen.get(line.variant_id, []):
                take = min(remaining, spot.available)
                if take <= 0:
                    continue
                after = await repo.change_level(
                    line.variant_id, spot.location_id, reserved=take, guarded=True
                )
                if after is None:  # taken meanwhile by another transaction
                    continue
                spot.available = after.available  # what later lines of this variant see
                reservations.append(
                    _reservation(tenant_id, kind, owner_id, after, take, expires_at)
                )
                payloads.append(_payload(variant, after, take))
                self._low_check(uow, variant, after, after.available + take)
                remaining -= take
                if remaining == 0:
                    break
            if remaining and variant.allow_backorder:
                location = await self._default_location(repo)
                await repo.add_level(line.variant_id, location.id)
                after = await repo.change_level(
                    line.variant_id, location.id, reserved=remaining, guarded=False
                )
                if after is not None:
                    reservations.append(
                        _reservation(tenant_id, kind, owner_id, after, remaining, expires_at)
                    )
                    payloads.append(_payload(variant, after, remaining))
                    self._low_check(uow, variant, after, after.available + remaining)
                    remaining = 0
            if remaining:
                served = line.quantity - remaining
                short.append(
                    FieldError(
                        f"lines.{index}",
                        f"{variant.sku}: {line.quantity} asked, {served} available",
                    )
                )
        if short:
            raise InsufficientStock("Not enough stock for every line.", fields=short)
        uow.session.add_all(reservations)
        await uow.session.flush()
        if payloads:
            uow.emit(
                StockReserved(owner_kind=kind.value, owner_id=owner_id, lines=payloads),
                tenant_id=tenant_id,
            )
        return [ReservationRead.model_validate(r) for r in reservations]

    async def release_in(self, uow: UnitOfWork, *, owner_kind: str, owner_id: uuid.UUID) -> int:
        """Release the owner's live reservations; how many were released."""
        tenant_id = _tenant_of(uow)
        repo = InventoryRepository(uow.session, tenant_id)
        claimed = await repo.claim_reservations(
            to=ReservationStatus.RELEASED, owner_kind=OwnerKind(owner_kind).value, owner_id=owner_id
        )
        await self._give_back(uow, repo, claimed, reason="released")
        return len(claimed)

    async def commit_in(self, uow: UnitOfWork, *, owner_kind: str, owner_id: uuid.UUID) -> int:
        """Ship the owner's live reservations: their units leave `stocked` and `reserved`
        (audited as `commit` movements); how many reservations were committed."""
        tenant_id = _tenant_of(uow)
        kind = OwnerKind(owner_kind)
        repo = InventoryRepository(uow.session, tenant_id)
        claimed = await repo.claim_reservations(
            to=ReservationStatus.COMMITTED, owner_kind=kind.value, owner_id=owner_id
        )
        if not claimed:
            return 0
        stock = await self._catalog.variant_stock_in(uow, [c.variant_id for c in claimed])
        payloads: list[LevelPayload] = []
        for item in claimed:
            after = await repo.change_level(
                item.variant_id,
                item.location_id,
                stocked=-item.quantity,
                reserved=-item.quantity,
                guarded=False,
            )
            if after is None:
                continue
            variant = stock[item.variant_id]
            payloads.append(_payload(variant, after, item.quantity))
            self._record(
                uow,
                variant,
                after,
                kind=MovementKind.COMMIT,
                delta=-item.quantity,
                reason="shipped",
                reference=f"{kind.value}:{owner_id}",
                actor_id=None,
            )
        uow.emit(
            StockCommitted(owner_kind=kind.value, owner_id=owner_id, lines=payloads),
            tenant_id=tenant_id,
        )
        return len(claimed)

    async def restock_in(
        self, uow: UnitOfWork, lines: Sequence[StockLine], *, reason: str, reference: str | None
    ) -> None:
        """Put units back on hand at the default location (a refund with restocking);
        variants that do not manage inventory are skipped."""
        tenant_id = _tenant_of(uow)
        repo = InventoryRepository(uow.session, tenant_id)
        stock = await self._catalog.variant_stock_in(uow, [line.variant_id for line in lines])
        location = await self._default_location(repo)
        for index, line in enumerate(lines):
            variant = stock.get(line.variant_id)
            if variant is None:
                raise UnknownVariant(
                    f"Variant {line.variant_id} does not exist.",
                    fields=[FieldError(f"lines.{index}.variant_id", "no such variant")],
                )
            if not variant.manage_inventory or line.quantity <= 0:
                continue
            await repo.add_level(line.variant_id, location.id)
            after = await repo.change_level(
                line.variant_id, location.id, stocked=line.quantity, guarded=False
            )
            if after is not None:
                self._record(
                    uow,
                    variant,
                    after,
                    kind=MovementKind.RESTOCK,
                    delta=line.quantity,
                    reason=reason,
                    reference=reference,
                    actor_id=None,
                )

    # --- the expiry job -----------------------------------------------------------------------

    async def release_expired(self, now: datetime | None = None, *, batch_size: int = 100) -> int:
        """Release every live reservation past its expiry, across tenants; returns how many.
        Each batch is claimed by one atomic UPDATE ... RETURNING (SKIP LOCKED on PostgreSQL)
        in the same transaction as the stock it gives back and its events, so concurrent runs
        release each reservation once."""
        moment = now or utcnow()
        total = 0
        while True:
            async with self._uow.platform() as uow:
                claimed = await claim_expired(uow.session, moment, batch_size)
                by_tenant: dict[uuid.UUID, list[Claimed]] = {}
                for item in claimed:
                    by_tenant.setdefault(item.tenant_id, []).append(item)
                for tenant_id, items in by_tenant.items():
                    repo = InventoryRepository(uow.session, tenant_id)
                    await self._give_back(uow, repo, items, reason="expired")
                await uow.commit()
            total += len(claimed)
            if len(claimed) < batch_size:
                return total

    # --- stock locations ------------------------------------------------------------------------

    async def list_locations(self, tenant: TenantSnapshot) -> list[StockLocationRead]:
        async with self._uow(tenant.id, read_only=True) as uow:
            rows = await InventoryRepository(uow.session, tenant.id).locations()
            return [StockLocationRead.model_validate(row) for row in rows]

    async def get_location(
        self, tenant: TenantSnapshot, location_id: uuid.UUID
    ) -> StockLocationRead:
        async with self._uow(tenant.id, read_only=True) as uow:
            row = await InventoryRepository(uow.session, tenant.id).location(location_id)
            if row is None:
                raise StockLocationNotFound("No such stock location.")
            return StockLocationRead.model_validate(row)

    async def create_location(
        self, tenant: TenantSnapshot, data: StockLocationCreate
    ) -> StockLocationRead:
        """A new location; the tenant's first one, or one created with `is_default`, becomes
        the default."""
        async with self._uow(tenant.id) as uow:
            repo = InventoryRepository(uow.session, tenant.id)
            await self._refuse_taken_name(repo, data.name, None)
            first = await repo.default_location() is None
            if data.is_default and not first:
                await repo.clear_default()
            row = StockLocation(
                id=new_id(),
                tenant_id=tenant.id,
                name=data.name,
                address_line1=data.address_line1,
                address_line2=data.address_line2,
                city=data.city,
                postal_code=data.postal_code,
                country_code=data.country_code,
                is_default=data.is_default or first,
            )
            uow.session.add(row)
            await self._flush(uow)
            read = StockLocationRead.model_validate(row)
            await uow.commit()
            return read

    async def update_location(
        self, tenant: TenantSnapshot, location_id: uuid.UUID, data: StockLocationUpdate
    ) -> StockLocationRead:
        async with self._uow(tenant.id) as uow:
            repo = InventoryRepository(uow.session, tenant.id)
            row = await repo.location(location_id)
            if row is None:
                raise StockLocationNotFound("No such stock location.")
            if data.is_default is False and row.is_default:
                raise StockLocationInUse(
                    "A tenant always has a default location; make another one the default.",
                    fields=[FieldError("body.is_default", "make another location the default")],
                )
            if data.name is not None:
                await self._refuse_taken_name(repo, data.name, location_id)
                row.name = data.name
            for name in ("address_line1", "address_line2", "city", "postal_code", "country_code"):
                if name in data.model_fields_set:
                    setattr(row, name, getattr(data, name))
            if data.is_default and not row.is_default:
                await repo.clear_default()
                await uow.session.refresh(row)
                row.is_default = True
            await self._flush(uow)
            read = StockLocationRead.model_validate(row)
            await uow.commit()
            return read

    async def delete_location(self, tenant: TenantSnapshot, location_id: uuid.UUID) -> None:
        """Delete a location that is not the default and holds and reserves nothing."""
        async with self._uow(tenant.id) as uow:
            repo = InventoryRepository(uow.session, tenant.id)
            row = await repo.location(location_id)
            if row is None:
                raise StockLocationNotFound("No such stock location.")
            if row.is_default:
                raise StockLocationInUse(
                    "The default location cannot be deleted; make another one the default first."
                )
            if await repo.holds_stock(location_id):
                raise StockLocationInUse(
                    "The location holds or reserves stock; transfer it away first."
                )
            await repo.delete_location(location_id)
            await uow.commit()

    # --- levels -------------------------------------------------------------------------------

    async def get_inventory(
        self, tenant: TenantSnapshot, variant_id: uuid.UUID
    ) -> VariantInventory:
        async with self._uow(tenant.id, read_only=True) as uow:
            variant = await self._variant(uow, variant_id)
            levels = await InventoryRepository(uow.session, tenant.id).levels_of([variant_id])
            return _inventory(variant, levels)

    async def adjust(
        self,
        tenant: TenantSnapshot,
        variant_id: uuid.UUID,
        data: InventoryAdjust,
        *,
        actor_id: uuid.UUID | None = None,
    ) -> VariantInventory:
        """Add or remove units at a location (the default one unless named); removing more
        than is available is refused (409 INSUFFICIENT_STOCK), backorders or not."""
        async with self._uow(tenant.id) as uow:
            repo = InventoryRepository(uow.session, tenant.id)
            variant = await self._managed(uow, variant_id)
            location = await self._location(repo, data.location_id)
            await repo.add_level(variant_id, location.id)
            after = await repo.change_level(
                variant_id, location.id, stocked=data.adjustment, guarded=data.adjustment < 0
            )
            if after is None:
                level = await repo.locked_level(variant_id, location.id)
                available = 0 if level is None else level.stocked - level.reserved
                raise InsufficientStock(
                    f"Only {available} available at this location.",
                    fields=[FieldError("body.adjustment", f"at least -{max(available, 0)}")],
                )
            self._record(
                uow,
                variant,
                after,
                kind=MovementKind.ADJUST,
                delta=data.adjustment,
                reason=data.reason,
                reference=data.reference,
                actor_id=actor_id,
            )
            read = _inventory(variant, await repo.levels_of([variant_id]))
            await uow.commit()
            return read

    async def set_level(
        self,
        tenant: TenantSnapshot,
        variant_id: uuid.UUID,
        data: InventorySet,
        *,
        actor_id: uuid.UUID | None = None,
    ) -> VariantInventory:
        """Set the units on hand at a location (a stock count), and its threshold and incoming
        units when given. Setting below what is reserved is refused."""
        async with self._uow(tenant.id) as uow:
            repo = InventoryRepository(uow.session, tenant.id)
            variant = await self._managed(uow, variant_id)
            location = await self._location(repo, data.location_id)
            await repo.add_level(variant_id, location.id)
            level = await repo.locked_level(variant_id, location.id)
            if level is None:  # pragma: no cover - added just above in this transaction
                raise StockLocationNotFound("No such stock location.")
            if data.quantity < level.reserved and not variant.allow_backorder:
                raise InsufficientStock(
                    f"{level.reserved} units are reserved at this location.",
                    fields=[FieldError("body.quantity", f"at least {level.reserved}")],
                )
            before = level.stocked - level.reserved
            delta = data.quantity - level.stocked
            level.stocked = data.quantity
            if data.low_stock_threshold is not None:
                level.low_stock_threshold = data.low_stock_threshold
            if data.incoming is not None:
                level.incoming = data.incoming
            await uow.session.flush()
            after = LevelAfter(
                variant_id, location.id, level.stocked, level.reserved, level.low_stock_threshold
            )
            self._record(
                uow,
                variant,
                after,
                kind=MovementKind.SET,
                delta=delta,
                reason=data.reason,
                reference=None,
                actor_id=actor_id,
                before=before,
            )
            read = _inventory(variant, await repo.levels_of([variant_id]))
            await uow.commit()
            return read

    async def transfer(
        self,
        tenant: TenantSnapshot,
        data: InventoryTransfer,
        *,
        actor_id: uuid.UUID | None = None,
    ) -> TransferRead:
        """Move units between two locations; never more than is available at the source."""
        if data.from_location_id == data.to_location_id:
            raise SameLocation(
                "A transfer needs two different locations.",
                fields=[FieldError("body.to_location_id", "same as from_location_id")],
            )
        async with self._uow(tenant.id) as uow:
            repo = InventoryRepository(uow.session, tenant.id)
            variant = await self._managed(uow, data.variant_id, field="body.variant_id")
            source = await self._location(repo, data.from_location_id, "body.from_location_id")
            target = await self._location(repo, data.to_location_id, "body.to_location_id")
            taken = await repo.change_level(
                data.variant_id, source.id, stocked=-data.quantity, guarded=True
            )
            if taken is None:
                levels = {
                    level.location_id: level for level in await repo.levels_of([data.variant_id])
                }
                found = levels.get(source.id)
                available = 0 if found is None else max(found.stocked - found.reserved, 0)
                raise InsufficientStock(
                    f"Only {available} available at the source location.",
                    fields=[FieldError("body.quantity", f"at most {available}")],
                )
            await repo.add_level(data.variant_id, target.id)
            given = await repo.change_level(
                data.variant_id, target.id, stocked=data.quantity, guarded=False
            )
            if given is None:  # pragma: no cover - added just above in this transaction
                raise StockLocationNotFound("No such stock location.")
            reference = f"transfer:{source.id}->{target.id}"
            for after, delta in ((taken, -data.quantity), (given, data.quantity)):
                self._record(
                    uow,
                    variant,
                    after,
                    kind=MovementKind.TRANSFER,
                    delta=delta,
                    reason=data.reason,
                    reference=reference,
                    actor_id=actor_id,
                )
            reads = {
                level.location_id: _level_read(level)
                for level in await repo.levels_of([data.variant_id])
            }
            await uow.commit()
            return TransferRead(
                variant_id=data.variant_id,
                quantity=data.quantity,
                source=reads[source.id],
                destination=reads[target.id],
            )

    async def check(
        self, tenant: TenantSnapshot, data: InventoryCheck, *, staff: bool = False
    ) -> CheckRead:
        """Whether each line can be served now, and what is available of it; shoppers
        (`staff` False) may ask about variants of active products only."""
        ids = list(dict.fromkeys(line.variant_id for line in data.lines))
        async with self._uow(tenant.id, read_only=True) as uow:
            visible = await self._catalog.variant_stock_in(uow, ids, staff=staff)
            for index, line in enumerate(data.lines):
                if line.variant_id not in visible:
                    raise UnknownVariant(
                        f"Variant {line.variant_id} does not exist.",
                        fields=[FieldError(f"body.lines.{index}.variant_id", "no such variant")],
                    )
            found = await self.availability_in(uow, ids)
        lines = []
        for line in data.lines:
            availability = found[line.variant_id]
            lines.append(
                CheckLineRead(
                    variant_id=line.variant_id,
                    quantity=line.quantity,
                    available=availability.available,
                    managed=availability.managed,
                    backorder=availability.backorder,
                    ok=availability.serves(line.quantity),
                )
            )
        return CheckRead(ok=all(line.ok for line in lines), lines=lines)

    async def availability_by_variant(
        self, tenant: TenantSnapshot, variant_ids: Sequence[uuid.UUID]
    ) -> dict[uuid.UUID, Availability]:
        """`availability_in` in a read of its own (GraphQL's DataLoader)."""
        async with self._uow(tenant.id, read_only=True) as uow:
            return await self.availability_in(uow, variant_ids)

    async def list_movements(
        self, tenant: TenantSnapshot, filters: MovementFilter, *, after: str | None, limit: int
    ) -> CursorPage[MovementRead]:
        """Stock movements, newest first, by cursor."""
        position = (
            decode_cursor(after, order=_MOVEMENTS, width=len(MOVEMENT_ORDER)) if after else None
        )
        async with self._uow(tenant.id, read_only=True) as uow:
            rows = await InventoryRepository(uow.session, tenant.id).movements(
                variant_id=filters.variant_id,
                location_id=filters.location_id,
                after=position,
                limit=limit,
            )
            page, cursor = page_of(rows, limit, lambda m: (m.created_at, m.id), order=_MOVEMENTS)
            return CursorPage(
                items=[MovementRead.model_validate(row) for row in page], next_cursor=cursor
            )

    # --- steps --------------------------------------------------------------------------------

    async def _variant(
        self, uow: UnitOfWork, variant_id: uuid.UUID, field: str = "path.variant_id"
    ) -> VariantStock:
        found = await self._catalog.variant_stock_in(uow, [variant_id])
        if variant_id not in found:
            raise UnknownVariant("No such variant.", fields=[FieldError(field, "no such variant")])
        return found[variant_id]

    async def _managed(
        self, uow: UnitOfWork, variant_id: uuid.UUID, field: str = "path.variant_id"
    ) -> VariantStock:
        variant = await self._variant(uow, variant_id, field)
        if not variant.manage_inventory:
            raise InventoryNotManaged(
                f"The stock of {variant.sku} is not counted (manage_inventory is off).",
                fields=[FieldError(field, "does not manage inventory")],
            )
        return variant

    async def _default_location(self, repo: InventoryRepository) -> StockLocation:
        """The tenant's default location, created on first need."""
        found = await repo.default_location()
        if found is None:
            await repo.add_default_location()
            found = await repo.default_location()
        if found is None:  # pragma: no cover - the insert above or a concurrent one made it
            raise StockLocationNotFound("The tenant has no default stock location.")
        return found

    async def _location(
        self,
        repo: InventoryRepository,
        location_id: uuid.UUID | None,
        field: str = "body.location_id",
    ) -> StockLocation:
        if location_id is None:
            return await self._default_location(repo)
        found = await repo.location(location_id)
        if found is None:
            raise StockLocationNotFound(
                "No such stock location.", fields=[FieldError(field, "no such location")]
            )
        return found

    async def _release_expired_of(
        self,
        uow: UnitOfWork,
        repo: InventoryRepository,
        stock: dict[uuid.UUID, VariantStock],
        variant_ids: Sequence[uuid.UUID],
    ) -> None:
        """Give back the expired reservations of these variants before reserving them."""
        if not variant_ids:
            return
        claimed = await repo.claim_reservations(
            to=ReservationStatus.RELEASED, variant_ids=variant_ids, expired_at=utcnow()
        )
        await self._give_back(uow, repo, claimed, reason="expired", stock=stock)

    async def _give_back(
        self,
        uow: UnitOfWork,
        repo: InventoryRepository,
        claimed: Sequence[Claimed],
        *,
        reason: str,
        stock: dict[uuid.UUID, VariantStock] | None = None,
    ) -> None:
        """Take released reservations off `reserved`, one event per owner."""
        if not claimed:
            return
        if stock is None or any(item.variant_id not in stock for item in claimed):
            stock = await self._catalog.variant_stock_in(
                uow, [c.variant_id for c in claimed], tenant_id=repo.tenant_id
            )
        by_owner: dict[tuple[str, uuid.UUID], list[LevelPayload]] = {}
        for item in claimed:
            after = await repo.change_level(
                item.variant_id, item.location_id, reserved=-item.quantity, guarded=False
            )
            if after is None:
                continue
            by_owner.setdefault((item.owner_kind, item.owner_id), []).append(
                _payload(stock[item.variant_id], after, item.quantity)
            )
        for (owner_kind, owner_id), lines in by_owner.items():
            uow.emit(
                StockReleased(owner_kind=owner_kind, owner_id=owner_id, reason=reason, lines=lines),
                tenant_id=repo.tenant_id,
            )

    def _record(
        self,
        uow: UnitOfWork,
        variant: VariantStock,
        after: LevelAfter,
        *,
        kind: MovementKind,
        delta: int,
        reason: str,
        reference: str | None,
        actor_id: uuid.UUID | None,
        before: int | None = None,
    ) -> None:
        """Audit a change of `stocked` as a movement and announce it (and a crossing of the
        low-stock threshold)."""
        tenant_id = _tenant_of(uow)
        uow.session.add(
            StockMovement(
                id=new_id(),
                tenant_id=tenant_id,
                variant_id=after.variant_id,
                location_id=after.location_id,
                kind=kind.value,
                delta=delta,
                stocked=after.stocked,
                reason=reason,
                reference=reference,
                actor_id=actor_id,
                created_at=utcnow(),
            )
        )
        uow.emit(
            InventoryAdjusted(
                variant_id=after.variant_id,
                sku=variant.sku,
                location_id=after.location_id,
                kind=kind.value,
                reason=reason,
                reference=reference,
                delta=delta,
                stocked=after.stocked,
                reserved=after.reserved,
                available=after.available,
            ),
            tenant_id=tenant_id,
        )
        self._low_check(uow, variant, after, after.available - delta if before is None else before)

    @staticmethod
    def _low_check(uow: UnitOfWork, variant: VariantStock, after: LevelAfter, before: int) -> None:
        """`commerce.inventory.low` when available went from above the threshold to at or
        below it: once per crossing (the row's updates are serialised, so each transaction
        sees its own before and after)."""
        threshold = after.threshold
        if threshold is None or not (before > threshold >= after.available):
            return
        uow.emit(
            InventoryLow(
                variant_id=after.variant_id,
                sku=variant.sku,
                location_id=after.location_id,
                stocked=after.stocked,
                reserved=after.reserved,
                available=after.available,
                threshold=threshold,
            ),
            tenant_id=_tenant_of(uow),
        )

    async def _refuse_taken_name(
        self, repo: InventoryRepository, name: str, location_id: uuid.UUID | None
    ) -> None:
        existing = await repo.location_named(name)
        if existing is not None and existing.id != location_id:
            raise StockLocationNameTaken(
                f"A stock location is named {name!r} already.",
                fields=[FieldError("body.name", "taken")],
            )

    async def _flush(self, uow: UnitOfWork) -> None:
        try:
            await uow.session.flush()
        except IntegrityError:
            raise StockLocationNameTaken(
                "A stock location has this name already.",
                fields=[FieldError("body.name", "taken")],
            ) from None


@dataclass(slots=True)
class _Spot:
    """A location's available units of a variant as a reservation sees them."""

    location_id: uuid.UUID
    available: int


def _tenant_of(uow: UnitOfWork) -> uuid.UUID:
    if uow.tenant_id is None:
        raise StockLocationNotFound("Inventory works inside one tenant's unit of work.")
    return uow.tenant_id


def _reservation(
    tenant_id: uuid.UUID,
    kind: OwnerKind,
    owner_id: uuid.UUID,
    level: LevelAfter,
    quantity: int,
    expires_at: datetime | None,
) -> Reservation:
    return Reservation(
        id=new_id(),
        tenant_id=tenant_id,
        owner_kind=kind.value,
        owner_id=owner_id,
        variant_id=level.variant_id,
        location_id=level.location_id,
        quantity=quantity,
        expires_at=expires_at,
        status=ReservationStatus.LIVE.value,
    )


def _inventory(variant: VariantStock, levels: Sequence[InventoryLevel]) -> VariantInventory:
    reads = [_level_read(level) for level in levels]
    stocked = sum(level.stocked for level in reads)
    reserved = sum(level.reserved for level in reads)
    return VariantInventory(
        variant_id=variant.id,
        sku=variant.sku,
        manage_inventory=variant.manage_inventory,
        allow_backorder=variant.allow_backorder,
        stocked=stocked,
        reserved=reserved,
        available=stocked - reserved,
        levels=reads,
    )
