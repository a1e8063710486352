"""Pricing use cases: regions, price lists, variants' base prices and the price calculation.

Base prices live with the variants in the catalog (a product is created with them); pricing
changes them through the catalog's service and announces it (`commerce.price.updated`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy.exc import IntegrityError

from rustok.commerce.pricing.calculation import (
    ListPrice,
    PriceKind,
    PriceListType,
    Tax,
    calculate,
)
from rustok.commerce.pricing.errors import (
    PriceListNotFound,
    PriceListStale,
    PriceNotFound,
    RegionCurrencyMismatch,
    RegionNameTaken,
    RegionNotFound,
    UnknownVariant,
)
from rustok.commerce.pricing.events import PriceChange, PriceUpdated
from rustok.commerce.pricing.models import PriceList, PriceListPrice, Region
from rustok.commerce.pricing.repository import PricingRepository
from rustok.commerce.pricing.schemas import (
    MoneyRead,
    PriceCalculationRead,
    PriceListPriceRead,
    PriceListRead,
    PriceListStatus,
    RegionRead,
    VariantPrices,
)
from rustok.core.clock import utcnow
from rustok.core.errors import FieldError, Invalid
from rustok.core.ids import new_id
from rustok.core.money import Currency, Money, currency_of

if TYPE_CHECKING:
    import uuid
    from collections.abc import Sequence
    from datetime import datetime

    from rustok.commerce.catalog.schemas import PriceInput, PriceRead
    from rustok.commerce.catalog.service import CatalogService
    from rustok.commerce.pricing.schemas import (
        PriceListCreate,
        PriceListPriceInput,
        PriceListUpdate,
        RegionCreate,
        RegionUpdate,
    )
    from rustok.core.tenant import TenantSnapshot
    from rustok.core.uow import UnitOfWork, UnitOfWorkFactory


def _money(value: Money) -> MoneyRead:
    return MoneyRead(amount=value.amount, currency_code=value.currency.code)


class PricingService:
    """Regions, price lists and base prices of a tenant, and what a variant costs."""

    def __init__(self, uow: UnitOfWorkFactory, catalog: CatalogService) -> None:
        self._uow = uow
        self._catalog = catalog

    # --- the calculation ----------------------------------------------------------------------

    async def calculate(
        self,
        tenant: TenantSnapshot,
        variant_id: uuid.UUID,
        quantity: int,
        currency_code: str,
        *,
        region_id: uuid.UUID | None = None,
        at: datetime | None = None,
        customer_group: str | None = None,
        staff: bool = False,
    ) -> PriceCalculationRead:
        """The price of `quantity` units of a variant in a currency, at a time (now by
        default), for a customer group, with the tax of `region_id` (none without a region).
        Rules: `rustok.commerce.pricing.calculation`; rounding: `rustok.core.money`."""
        async with self._uow(tenant.id, read_only=True) as uow:
            return await self.calculate_in(
                uow,
                variant_id,
                quantity,
                currency_code,
                region_id=region_id,
                at=at,
                customer_group=customer_group,
                staff=staff,
            )

    async def calculate_in(
        self,
        uow: UnitOfWork,
        variant_id: uuid.UUID,
        quantity: int,
        currency_code: str,
        *,
        region_id: uuid.UUID | None = None,
        at: datetime | None = None,
        customer_group: str | None = None,
        staff: bool = False,
    ) -> PriceCalculationRead:
        """`calculate` inside a caller's unit of work (the cart prices a new line with it)."""
        currency = currency_of(currency_code, field="currency")
        moment = at or utcnow()
        repo = _repo(uow)
        tax = await _tax(repo, region_id, currency.code)
        detail = await self._catalog.variant_in(uow, variant_id, staff=staff)
        base = next((p for p in detail.variant.prices if p.currency_code == currency.code), None)
        if base is None:
            raise PriceNotFound(
                f"The variant has no price in {currency.code}.",
                fields=[FieldError("currency", "the variant has no price in it")],
            )
        list_prices = [
            _list_price(price_list, price)
            for price_list, price in await repo.prices_in_force(variant_id, currency.code, moment)
            if _applies(price_list, region_id, customer_group)
        ]
        return _calculation(variant_id, quantity, currency, base, list_prices, tax, region_id)

    async def calculate_many_in(
        self,
        uow: UnitOfWork,
        items: Sequence[tuple[uuid.UUID, int]],
        currency_code: str,
        *,
        region_id: uuid.UUID | None = None,
        at: datetime | None = None,
        customer_group: str | None = None,
        staff: bool = False,
    ) -> dict[uuid.UUID, PriceCalculationRead]:
        """`calculate_in` for several `(variant_id, quantity)` at once, in the same few
        statements whatever their number (a cart's lines, a checkout). A variant the caller
        may not buy, or without a price in the currency, is missing from the answer."""
        currency = currency_of(currency_code, field="currency")
        moment = at or utcnow()
        repo = _repo(uow)
        tax = await _tax(repo, region_id, currency.code)
        wanted = [variant_id for variant_id, _ in items]
        sellable = list(await self._catalog.variant_stock_in(uow, wanted, staff=staff))
        bases = await self._catalog.base_prices_in(uow, sellable)
        lists: dict[uuid.UUID, list[ListPrice]] = {}
        if sellable:
            for price_list, price in await repo.prices_in_force_for(
                sellable, currency.code, moment
            ):
                if _applies(price_list, region_id, customer_group):
                    lists.setdefault(price.variant_id, []).append(_list_price(price_list, price))
        answer: dict[uuid.UUID, PriceCalculationRead] = {}
        for variant_id, quantity in items:
            base = next(
                (p for p in bases.get(variant_id, []) if p.currency_code == currency.code), None
            )
            if base is not None:
                answer[variant_id] = _calculation(
                    variant_id,
                    quantity,
                    currency,
                    base,
                    lists.get(variant_id, []),
                    tax,
                    region_id,
                )
        return answer

    # --- base prices ----------------------------------------------------------------------------

    async def get_variant_prices(
        self, tenant: TenantSnapshot, variant_id: uuid.UUID
    ) -> VariantPrices:
        async with self._uow(tenant.id, read_only=True) as uow:
            detail = await self._catalog.variant_in(uow, variant_id, staff=True)
            return VariantPrices(variant_id=variant_id, prices=detail.variant.prices)

    async def set_variant_prices(
        self, tenant: TenantSnapshot, variant_id: uuid.UUID, prices: Sequence[PriceInput]
    ) -> VariantPrices:
        """Replace a variant's base prices (one per currency)."""
        async with self._uow(tenant.id) as uow:
            variant = await self._catalog.set_prices_in(uow, variant_id, prices)
            uow.emit(
                PriceUpdated(
                    source="variant",
                    source_id=variant_id,
                    change="updated",
                    variant_ids=[variant_id],
                    prices=[
                        PriceChange(
                            variant_id=variant_id,
                            currency_code=p.currency_code,
                            kind="base",
                            value=p.amount,
                            compare_at_amount=p.compare_at_amount,
                        )
                        for p in variant.prices
                    ],
                ),
                tenant_id=tenant.id,
            )
            await uow.commit()
            return VariantPrices(variant_id=variant_id, prices=variant.prices)

    # --- regions ----------------------------------------------------------------------------------

    async def list_regions(self, tenant: TenantSnapshot) -> list[RegionRead]:
        async with self._uow(tenant.id, read_only=True) as uow:
            rows = await PricingRepository(uow.session, tenant.id).regions()
            return [RegionRead.model_validate(row) for row in rows]

    async def region_in(self, uow: UnitOfWork, region_id: uuid.UUID) -> RegionRead | None:
        """A region inside a caller's unit of work (the cart checks the one it is given)."""
        if uow.tenant_id is None:
            return None
        region = await PricingRepository(uow.session, uow.tenant_id).region(region_id)
        return None if region is None else RegionRead.model_validate(region)

    async def get_region(self, tenant: TenantSnapshot, region_id: uuid.UUID) -> RegionRead:
        async with self._uow(tenant.id, read_only=True) as uow:
            region = await PricingRepository(uow.session, tenant.id).region(region_id)
            if region is None:
                raise RegionNotFound("No such region.")
            return RegionRead.model_validate(region)

    async def create_region(self, tenant: TenantSnapshot, data: RegionCreate) -> RegionRead:
        async with self._uow(tenant.id) as uow:
            repo = PricingRepository(uow.session, tenant.id)
            await self._refuse_taken_name(repo, data.name, None)
            region = Region(
                id=new_id(),
                tenant_id=tenant.id,
                name=data.name,
                currency_code=data.currency_code,
                tax_rate_bp=data.tax_rate_bp,
                tax_inclusive=data.tax_inclusive,
                countries=list(data.countries),
            )
            uow.session.add(region)
            await self._flush(uow)
            read = RegionRead.model_validate(region)
            await uow.commit()
            return read

    async def update_region(
        self, tenant: TenantSnapshot, region_id: uuid.UUID, data: RegionUpdate
    ) -> RegionRead:
        async with self._uow(tenant.id) as uow:
            repo = PricingRepository(uow.session, tenant.id)
            region = await repo.region(region_id)
            if region is None:
                raise RegionNotFound("No such region.")
            if data.name is not None:
                await self._refuse_taken_name(repo, data.name, region_id)
                region.name = data.name
            if data.currency_code is not None:
                region.currency_code = data.currency_code
            if data.tax_rate_bp is not None:
                region.tax_rate_bp = data.tax_rate_bp
            if data.tax_inclusive is not None:
                region.tax_inclusive = data.tax_inclusive
            if data.countries is not None:
                region.countries = list(data.countries)
            await self._flush(uow)
            read = RegionRead.model_validate(region)
            await uow.commit()
            return read

    async def delete_region(self, tenant: TenantSnapshot, region_id: uuid.UUID) -> None:
        async with self._uow(tenant.id) as uow:
            repo = PricingRepository(uow.session, tenant.id)
            if await repo.region(region_id) is None:
                raise RegionNotFound("No such region.")
            await repo.delete_region(region_id)
            await uow.commit()

    async def _refuse_taken_name(
        self, repo: PricingRepository, name: str, region_id: uuid.UUID | None
    ) -> None:
        existing = await repo.region_named(name)
        if existing is not None and existing.id != region_id:
            raise RegionNameTaken(
                f"A region is named {name!r} already.", fields=[FieldError("body.name", "taken")]
            )

    async def _flush(self, uow: UnitOfWork) -> None:
        try:
            await uow.session.flush()
        except IntegrityError as error:
            if "name" in str(error.orig).lower():
                raise RegionNameTaken(
                    "A region has this name already.", fields=[FieldError("body.name", "taken")]
                ) from None
            raise

    # --- price lists ------------------------------------------------------------------------------

    async def list_price_lists(self, tenant: TenantSnapshot) -> list[PriceListRead]:
        async with self._uow(tenant.id, read_only=True) as uow:
            repo = PricingRepository(uow.session, tenant.id)
            rows = await repo.price_lists()
            prices = await repo.prices_of_lists([row.id for row in rows])
            return [_list_read(row, prices.get(row.id, [])) for row in rows]

    async def get_price_list(
        self, tenant: TenantSnapshot, price_list_id: uuid.UUID
    ) -> PriceListRead:
        async with self._uow(tenant.id, read_only=True) as uow:
            repo = PricingRepository(uow.session, tenant.id)
            row = await repo.price_list(price_list_id)
            if row is None:
                raise PriceListNotFound("No such price list.")
            prices = await repo.prices_of_lists([row.id])
            return _list_read(row, prices.get(row.id, []))

    async def create_price_list(
        self, tenant: TenantSnapshot, data: PriceListCreate
    ) -> PriceListRead:
        async with self._uow(tenant.id) as uow:
            repo = PricingRepository(uow.session, tenant.id)
            await self._check_references(uow, repo, data.region_ids, data.prices)
            row = PriceList(
                id=new_id(),
                tenant_id=tenant.id,
                name=data.name,
                description=data.description,
                type=data.type.value,
                status=data.status.value,
                starts_at=data.starts_at,
                ends_at=data.ends_at,
                customer_groups=list(data.customer_groups),
                region_ids=[str(r) for r in data.region_ids],
                version=1,
            )
            uow.session.add(row)
            await uow.session.flush()
            prices = _list_rows(tenant.id, row.id, data.prices)
            uow.session.add_all(prices)
            await uow.session.flush()
            read = _list_read(row, prices)
            self._emit_list(uow, tenant.id, read, "created")
            await uow.commit()
            return read

    async def update_price_list(
        self, tenant: TenantSnapshot, price_list_id: uuid.UUID, data: PriceListUpdate
    ) -> PriceListRead:
        async with self._uow(tenant.id) as uow:
            repo = PricingRepository(uow.session, tenant.id)
            row = await repo.price_list(price_list_id)
            if row is None:
                raise PriceListNotFound("No such price list.")
            await self._check_references(uow, repo, data.region_ids or [], data.prices or [])
            starts = data.starts_at if "starts_at" in data.model_fields_set else row.starts_at
            ends = data.ends_at if "ends_at" in data.model_fields_set else row.ends_at
            if starts is not None and ends is not None and ends <= starts:
                raise Invalid(
                    "The list would end before it starts.",
                    fields=[FieldError("body.ends_at", "must be after starts_at")],
                )
            version = await repo.bump_list_version(price_list_id, data.version)
            if version is None:
                raise PriceListStale(
                    f"The price list changed since version {data.version}; read it again.",
                    fields=[FieldError("body.version", f"current version is {row.version}")],
                )
            await uow.session.refresh(row)
            for name in ("name", "description"):
                value = getattr(data, name)
                if value is not None:
                    setattr(row, name, value)
            if data.status is not None:
                row.status = data.status.value
            row.starts_at, row.ends_at = starts, ends
            if data.customer_groups is not None:
                row.customer_groups = list(data.customer_groups)
            if data.region_ids is not None:
                row.region_ids = [str(r) for r in data.region_ids]
            if data.prices is not None:
                await repo.replace_list_prices(
                    price_list_id, _list_rows(tenant.id, price_list_id, data.prices)
                )
            await uow.session.flush()
            prices = await repo.prices_of_lists([price_list_id])
            read = _list_read(row, prices.get(price_list_id, []))
            self._emit_list(uow, tenant.id, read, "updated")
            await uow.commit()
            return read

    async def delete_price_list(self, tenant: TenantSnapshot, price_list_id: uuid.UUID) -> None:
        async with self._uow(tenant.id) as uow:
            repo = PricingRepository(uow.session, tenant.id)
            row = await repo.price_list(price_list_id)
            if row is None:
                raise PriceListNotFound("No such price list.")
            prices = await repo.prices_of_lists([price_list_id])
            before = _list_read(row, prices.get(price_list_id, []))
            await repo.delete_price_list(price_list_id)
            self._emit_list(uow, tenant.id, before.model_copy(update={"prices": []}), "deleted")
            await uow.commit()

    async def _check_references(
        self,
        uow: UnitOfWork,
        repo: PricingRepository,
        region_ids: Sequence[uuid.UUID],
        prices: Sequence[PriceListPriceInput],
    ) -> None:
        regions = await repo.existing_regions(region_ids)
        for index, region_id in enumerate(region_ids):
            if region_id not in regions:
                raise RegionNotFound(
                    f"Region {region_id} does not exist.",
                    fields=[FieldError(f"body.region_ids.{index}", "no such region")],
                )
        variants = await self._catalog.existing_variants_in(uow, [p.variant_id for p in prices])
        for index, price in enumerate(prices):
            if price.variant_id not in variants:
                raise UnknownVariant(
                    f"Variant {price.variant_id} does not exist.",
                    fields=[FieldError(f"body.prices.{index}.variant_id", "no such variant")],
                )

    @staticmethod
    def _emit_list(uow: UnitOfWork, tenant_id: uuid.UUID, read: PriceListRead, change: str) -> None:
        uow.emit(
            PriceUpdated(
                source="price_list",
                source_id=read.id,
                change=change,
                variant_ids=sorted({p.variant_id for p in read.prices}),
                prices=[
                    PriceChange(
                        variant_id=p.variant_id,
                        currency_code=p.currency_code,
                        kind=p.kind.value,
                        value=p.value,
                        min_quantity=p.min_quantity,
                        max_quantity=p.max_quantity,
                    )
                    for p in read.prices
                ],
            ),
            tenant_id=tenant_id,
        )


def _applies(
    price_list: PriceList, region_id: uuid.UUID | None, customer_group: str | None
) -> bool:
    """A list's rules: empty means any; otherwise the region / group must be one it names."""
    if price_list.region_ids and (region_id is None or str(region_id) not in price_list.region_ids):
        return False
    return not price_list.customer_groups or customer_group in price_list.customer_groups


def _list_price(price_list: PriceList, price: PriceListPrice) -> ListPrice:
    return ListPrice(
        price_list_id=price_list.id,
        list_type=PriceListType(price_list.type),
        kind=PriceKind(price.kind),
        value=price.value,
        min_quantity=price.min_quantity,
        max_quantity=price.max_quantity,
    )


def _list_rows(
    tenant_id: uuid.UUID, price_list_id: uuid.UUID, prices: Sequence[PriceListPriceInput]
) -> list[PriceListPrice]:
    return [
        PriceListPrice(
            id=new_id(),
            tenant_id=tenant_id,
            price_list_id=price_list_id,
            variant_id=p.variant_id,
            currency_code=p.currency_code,
            kind=p.kind.value,
            value=p.value,
            min_quantity=p.min_quantity,
            max_quantity=p.max_quantity,
        )
        for p in prices
    ]


def _list_read(row: PriceList, prices: Sequence[PriceListPrice]) -> PriceListRead:
    return PriceListRead(
        id=row.id,
        name=row.name,
        description=row.description,
        type=PriceListType(row.type),
        status=PriceListStatus(row.status),
        starts_at=row.starts_at,
        ends_at=row.ends_at,
        customer_groups=list(row.customer_groups),
        region_ids=list(row.region_ids),
        version=row.version,
        prices=[PriceListPriceRead.model_validate(p) for p in prices],
        created_at=row.created_at,
    )


def _repo(uow: UnitOfWork) -> PricingRepository:
    if uow.tenant_id is None:
        raise RegionNotFound("No such region.")
    return PricingRepository(uow.session, uow.tenant_id)


async def _tax(repo: PricingRepository, region_id: uuid.UUID | None, currency_code: str) -> Tax:
    """The tax of the region (none without one); the region must sell in the currency."""
    if region_id is None:
        return Tax()
    region = await repo.region(region_id)
    if region is None:
        raise RegionNotFound("No such region.", fields=[FieldError("region_id", "no such region")])
    if region.currency_code != currency_code:
        raise RegionCurrencyMismatch(
            f"The region sells in {region.currency_code}, not {currency_code}.",
            fields=[FieldError("currency", f"the region's is {region.currency_code}")],
        )
    return Tax(region.tax_rate_bp, region.tax_inclusive)


def _calculation(
    variant_id: uuid.UUID,
    quantity: int,
    currency: Currency,
    base: PriceRead,
    list_prices: Sequence[ListPrice],
    tax: Tax,
    region_id: uuid.UUID | None,
) -> PriceCalculationRead:
    result = calculate(Money(base.amount, currency), quantity, list_prices, tax)
    applied = result.price_list
    return PriceCalculationRead(
        variant_id=variant_id,
        quantity=quantity,
        currency_code=currency.code,
        exponent=currency.exponent,
        unit_price=_money(result.unit_price),
        original_unit_price=_money(result.original_unit_price),
        compare_at_amount=base.compare_at_amount,
        subtotal=_money(result.subtotal),
        discount=_money(result.discount),
        tax=_money(result.tax),
        total=_money(result.total),
        tax_rate_bp=tax.rate_basis_points,
        tax_inclusive=tax.inclusive,
        region_id=region_id,
        price_list_id=applied.price_list_id if applied else None,
        price_list_type=applied.list_type if applied else None,
    )
