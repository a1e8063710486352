"""The price calculation, as pure functions over integers (no I/O, property-tested).

1. The candidates are the base price and the prices of every price list in force, of the
   tier whose `[min_quantity, max_quantity]` holds the quantity (per list, the tier with the
   highest `min_quantity` that does).
2. A list price is `fixed` (that unit price), `percent_off` (basis points off the base price,
   rounded by THE rule of `rustok.core.money`) or `amount_off`; none goes below zero.
3. An `override` list wins whatever its price (the lowest override if several); otherwise the
   lowest `sale` price wins if it is below the base price; otherwise the base price.
4. The line is unit price x quantity; tax is computed once on the line, by the rule: added on
   top for tax-exclusive regions (total = line + tax), taken out of it for tax-inclusive ones
   (tax = line x rate / (1 + rate), total = line).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from rustok.core.money import BASIS_POINTS, Money

if TYPE_CHECKING:
    import uuid
    from collections.abc import Sequence


class PriceListType(StrEnum):
    SALE = "sale"
    OVERRIDE = "override"


class PriceKind(StrEnum):
    FIXED = "fixed"
    PERCENT_OFF = "percent_off"
    AMOUNT_OFF = "amount_off"


@dataclass(frozen=True, slots=True)
class ListPrice:
    """One price of a list in force, in the currency being calculated."""

    price_list_id: uuid.UUID
    list_type: PriceListType
    kind: PriceKind
    value: int
    min_quantity: int = 1
    max_quantity: int | None = None

    def holds(self, quantity: int) -> bool:
        return self.min_quantity <= quantity and (
            self.max_quantity is None or quantity <= self.max_quantity
        )

    def unit_price(self, base: Money) -> Money:
        """This list's unit price for a variant whose base price is `base`; never negative."""
        if self.kind is PriceKind.FIXED:
            return Money(max(0, self.value), base.currency)
        if self.kind is PriceKind.PERCENT_OFF:
            percent = min(max(self.value, 0), BASIS_POINTS)
            return base.minus_clamped(base.share(percent))
        return base.minus_clamped(Money(max(0, self.value), base.currency))


@dataclass(frozen=True, slots=True)
class Tax:
    rate_basis_points: int = 0
    inclusive: bool = False


@dataclass(frozen=True, slots=True)
class Calculation:
    unit_price: Money
    original_unit_price: Money
    quantity: int
    subtotal: Money
    discount: Money
    tax: Money
    total: Money
    price_list: ListPrice | None


def tier_of(prices: Sequence[ListPrice], quantity: int) -> dict[uuid.UUID, ListPrice]:
    """Per price list, the tier that holds `quantity` with the highest minimum."""
    chosen: dict[uuid.UUID, ListPrice] = {}
    for price in prices:
        if not price.holds(quantity):
            continue
        current = chosen.get(price.price_list_id)
        if current is None or price.min_quantity > current.min_quantity:
            chosen[price.price_list_id] = price
    return chosen


def calculate(
    base: Money, quantity: int, list_prices: Sequence[ListPrice], tax: Tax
) -> Calculation:
    """The price of `quantity` units of a variant whose base price is `base` (module rules)."""
    if quantity < 1:
        raise ValueError("quantity must be at least 1")
    if base.amount < 0:
        raise ValueError("a base price is never negative")
    tiers = sorted(tier_of(list_prices, quantity).values(), key=lambda p: p.price_list_id)
    priced = [(price.unit_price(base), price) for price in tiers]
    overrides = [entry for entry in priced if entry[1].list_type is PriceListType.OVERRIDE]
    sales = [entry for entry in priced if entry[1].list_type is PriceListType.SALE]
    unit, applied = base, None
    if overrides:
        unit, applied = min(overrides, key=lambda entry: entry[0].amount)
    elif sales:
        best, best_list = min(sales, key=lambda entry: entry[0].amount)
        if best.amount < base.amount:
            unit, applied = best, best_list
    subtotal = unit.times(quantity)
    if tax.inclusive:
        tax_amount = subtotal.tax_included(tax.rate_basis_points)
        total = subtotal
    else:
        tax_amount = subtotal.share(tax.rate_basis_points)
        total = subtotal + tax_amount
    return Calculation(
        unit_price=unit,
        original_unit_price=base,
        quantity=quantity,
        subtotal=subtotal,
        discount=Money(max(0, base.amount - unit.amount) * quantity, base.currency),
        tax=tax_amount,
        total=total,
        price_list=applied,
    )
