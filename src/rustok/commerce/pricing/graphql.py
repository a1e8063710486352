"""GraphQL of pricing: regions, price lists, a variant's price; mutations for the writes.
Mutation inputs are JSON objects shaped like the REST bodies, validated by the same models."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from rustok.commerce.pricing.permissions import PRICES
from rustok.commerce.pricing.schemas import (
    PriceListCreate,
    PriceListUpdate,
    RegionCreate,
    VariantPricesUpdate,
)
from rustok.commerce.pricing.service import PricingService
from rustok.core.errors import FieldError, Invalid
from rustok.core.modules import GraphQLPart
from rustok.core.permissions import Action
from rustok.web.graphql import GraphQLContext, parse_input, public, requires

if TYPE_CHECKING:
    from rustok.commerce.pricing.schemas import (
        MoneyRead,
        PriceCalculationRead,
        PriceListRead,
        RegionRead,
    )


@strawberry.type
class Region:
    id: uuid.UUID
    name: str
    currency_code: str
    tax_rate_bp: int
    tax_inclusive: bool
    countries: list[str]

    @classmethod
    def of(cls, region: RegionRead) -> Region:
        return cls(
            id=region.id,
            name=region.name,
            currency_code=region.currency_code,
            tax_rate_bp=region.tax_rate_bp,
            tax_inclusive=region.tax_inclusive,
            countries=region.countries,
        )


@strawberry.type
class ListPrice:
    variant_id: uuid.UUID
    currency_code: str
    kind: str
    value: int
    min_quantity: int
    max_quantity: int | None


@strawberry.type
class PriceList:
    id: uuid.UUID
    name: str
    type: str
    status: str
    version: int
    customer_groups: list[str]
    region_ids: list[uuid.UUID]
    prices: list[ListPrice]

    @classmethod
    def of(cls, row: PriceListRead) -> PriceList:
        return cls(
            id=row.id,
            name=row.name,
            type=row.type.value,
            status=row.status.value,
            version=row.version,
            customer_groups=row.customer_groups,
            region_ids=row.region_ids,
            prices=[
                ListPrice(
                    variant_id=p.variant_id,
                    currency_code=p.currency_code,
                    kind=p.kind.value,
                    value=p.value,
                    min_quantity=p.min_quantity,
                    max_quantity=p.max_quantity,
                )
                for p in row.prices
            ],
        )


@strawberry.type
class Amount:
    amount: int = strawberry.field(description="Minor units of the currency.")
    currency_code: str

    @classmethod
    def of(cls, money: MoneyRead) -> Amount:
        return cls(amount=money.amount, currency_code=money.currency_code)


@strawberry.type
class PriceCalculation:
    variant_id: uuid.UUID
    quantity: int
    unit_price: Amount
    original_unit_price: Amount
    subtotal: Amount
    discount: Amount
    tax: Amount
    total: Amount
    tax_rate_bp: int
    tax_inclusive: bool
    price_list_id: uuid.UUID | None
    rounding: str

    @classmethod
    def of(cls, result: PriceCalculationRead) -> PriceCalculation:
        return cls(
            variant_id=result.variant_id,
            quantity=result.quantity,
            unit_price=Amount.of(result.unit_price),
            original_unit_price=Amount.of(result.original_unit_price),
            subtotal=Amount.of(result.subtotal),
            discount=Amount.of(result.discount),
            tax=Amount.of(result.tax),
            total=Amount.of(result.total),
            tax_rate_bp=result.tax_rate_bp,
            tax_inclusive=result.tax_inclusive,
            price_list_id=result.price_list_id,
            rounding=result.rounding,
        )


@strawberry.type
class VariantBasePrice:
    currency_code: str
    amount: int
    compare_at_amount: int | None


@strawberry.type
class PricingQuery:
    @strawberry.field(extensions=[public()], description="The tenant's regions.")
    async def regions(self, info: Info[GraphQLContext, Any]) -> list[Region]:
        rows = await info.context.container.service(PricingService).list_regions(
            info.context.tenant
        )
        return [Region.of(row) for row in rows]

    @strawberry.field(extensions=[requires(PRICES, Action.LIST)], description="Price lists.")
    async def price_lists(self, info: Info[GraphQLContext, Any]) -> list[PriceList]:
        rows = await info.context.container.service(PricingService).list_price_lists(
            info.context.tenant
        )
        return [PriceList.of(row) for row in rows]

    @strawberry.field(
        extensions=[public()],
        description="What `quantity` units of a variant (of an active product) cost.",
    )
    async def variant_price(
        self,
        info: Info[GraphQLContext, Any],
        variant_id: uuid.UUID,
        currency: str,
        quantity: int = 1,
        region_id: uuid.UUID | None = None,
    ) -> PriceCalculation:
        if not 1 <= quantity <= 1_000_000:
            raise Invalid(
                "Quantity out of range.", fields=[FieldError("quantity", "from 1 to 1000000")]
            )
        result = await info.context.container.service(PricingService).calculate(
            info.context.tenant, variant_id, quantity, currency, region_id=region_id
        )
        return PriceCalculation.of(result)


@strawberry.type
class PricingMutation:
    @strawberry.mutation(
        extensions=[requires(PRICES, Action.CREATE)],
        description="Create a region (`input` as POST /api/commerce/regions).",
    )
    async def create_region(self, info: Info[GraphQLContext, Any], input: JSON) -> Region:
        pricing = info.context.container.service(PricingService)
        return Region.of(
            await pricing.create_region(info.context.tenant, parse_input(RegionCreate, input))
        )

    @strawberry.mutation(
        extensions=[requires(PRICES, Action.CREATE)],
        description="Create a price list (`input` as POST /api/commerce/price-lists).",
    )
    async def create_price_list(self, info: Info[GraphQLContext, Any], input: JSON) -> PriceList:
        pricing = info.context.container.service(PricingService)
        return PriceList.of(
            await pricing.create_price_list(
                info.context.tenant, parse_input(PriceListCreate, input)
            )
        )

    @strawberry.mutation(
        extensions=[requires(PRICES, Action.UPDATE)],
        description="Change a price list at the version read.",
    )
    async def update_price_list(
        self, info: Info[GraphQLContext, Any], id: uuid.UUID, input: JSON
    ) -> PriceList:
        pricing = info.context.container.service(PricingService)
        return PriceList.of(
            await pricing.update_price_list(
                info.context.tenant, id, parse_input(PriceListUpdate, input)
            )
        )

    @strawberry.mutation(
        extensions=[requires(PRICES, Action.UPDATE)],
        description="Replace a variant's base prices (`input`: {prices: [...]}).",
    )
    async def set_variant_prices(
        self, info: Info[GraphQLContext, Any], variant_id: uuid.UUID, input: JSON
    ) -> list[VariantBasePrice]:
        pricing = info.context.container.service(PricingService)
        data = parse_input(VariantPricesUpdate, input)
        result = await pricing.set_variant_prices(info.context.tenant, variant_id, data.prices)
        return [
            VariantBasePrice(
                currency_code=p.currency_code,
                amount=p.amount,
                compare_at_amount=p.compare_at_amount,
            )
            for p in result.prices
        ]


GRAPHQL = GraphQLPart(query=PricingQuery, mutation=PricingMutation)
