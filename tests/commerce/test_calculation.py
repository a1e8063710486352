"""The price calculation's rules, as properties over generated prices, lists and taxes."""

from __future__ import annotations

import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rustok.commerce.pricing.calculation import (
    ListPrice,
    PriceKind,
    PriceListType,
    Tax,
    calculate,
    tier_of,
)
from rustok.core.money import BASIS_POINTS, Money, currency_of, round_half_even

CODES = st.sampled_from(["JPY", "EUR", "USD", "KWD", "BHD", "KRW"])
AMOUNTS = st.integers(0, 10**9)
QUANTITIES = st.integers(1, 10_000)
TAXES = st.builds(Tax, st.integers(0, BASIS_POINTS), st.booleans())


@st.composite
def list_prices(draw: st.DrawFn) -> list[ListPrice]:
    prices = []
    for _ in range(draw(st.integers(0, 6))):
        kind = draw(st.sampled_from(list(PriceKind)))
        value = draw(st.integers(0, BASIS_POINTS if kind is PriceKind.PERCENT_OFF else 10**9))
        low = draw(st.integers(1, 50))
        high = draw(st.none() | st.integers(low, 100))
        prices.append(
            ListPrice(
                price_list_id=uuid.UUID(int=draw(st.integers(1, 4))),
                list_type=draw(st.sampled_from(list(PriceListType))),
                kind=kind,
                value=value,
                min_quantity=low,
                max_quantity=high,
            )
        )
    return prices


@given(CODES, AMOUNTS, QUANTITIES, list_prices(), TAXES)
def test_totals_are_consistent_and_never_negative(
    code: str, amount: int, quantity: int, prices: list[ListPrice], tax: Tax
) -> None:
    base = Money(amount, currency_of(code))

    result = calculate(base, quantity, prices, tax)

    assert result.unit_price.amount >= 0
    assert result.tax.amount >= 0
    assert result.subtotal == result.unit_price.times(quantity)
    if tax.inclusive:
        assert result.total == result.subtotal
        assert result.tax.amount <= result.subtotal.amount
        exact = result.subtotal.amount * tax.rate_basis_points
        assert result.tax.amount == round_half_even(exact, BASIS_POINTS + tax.rate_basis_points)
    else:
        assert result.total == result.subtotal + result.tax
        exact = result.subtotal.amount * tax.rate_basis_points
        assert result.tax.amount == round_half_even(exact, BASIS_POINTS)
    for money in (result.unit_price, result.tax, result.total, result.discount):
        assert money.currency.code == code
        assert type(money.amount) is int


@given(CODES, AMOUNTS, QUANTITIES, list_prices())
def test_a_sale_never_raises_the_price_and_an_override_always_wins(
    code: str, amount: int, quantity: int, prices: list[ListPrice]
) -> None:
    base = Money(amount, currency_of(code))

    result = calculate(base, quantity, prices, Tax())

    in_force = tier_of(prices, quantity).values()
    overrides = [
        p.unit_price(base).amount for p in in_force if p.list_type is PriceListType.OVERRIDE
    ]
    sales = [p.unit_price(base).amount for p in in_force if p.list_type is PriceListType.SALE]
    if overrides:
        assert result.unit_price.amount == min(overrides)
        assert result.price_list is not None
        assert result.price_list.list_type is PriceListType.OVERRIDE
    else:
        assert result.unit_price.amount == min([amount, *sales])
        assert result.unit_price.amount <= amount
        assert (result.price_list is None) == (not sales or min(sales) >= amount)


@given(AMOUNTS, st.integers(0, 10**10), st.integers(0, BASIS_POINTS))
def test_discounts_never_give_a_negative_price(amount: int, off: int, percent: int) -> None:
    base = Money.of(amount, "EUR")
    list_id = uuid.uuid4()
    fixed_off = ListPrice(list_id, PriceListType.SALE, PriceKind.AMOUNT_OFF, off)
    percent_off = ListPrice(list_id, PriceListType.SALE, PriceKind.PERCENT_OFF, percent)

    assert fixed_off.unit_price(base).amount == max(0, amount - off)
    assert 0 <= percent_off.unit_price(base).amount <= amount
    assert ListPrice(list_id, PriceListType.SALE, PriceKind.PERCENT_OFF, 10_000).unit_price(
        base
    ) == Money.of(0, "EUR")


@given(st.lists(st.integers(1, 100), min_size=1, max_size=8, unique=True), QUANTITIES)
def test_the_tier_with_the_highest_minimum_that_holds_the_quantity_applies(
    minimums: list[int], quantity: int
) -> None:
    list_id = uuid.UUID(int=1)
    tiers = [
        ListPrice(list_id, PriceListType.OVERRIDE, PriceKind.FIXED, 1000 - low, low)
        for low in minimums
    ]

    result = calculate(Money.of(5000, "EUR"), quantity, tiers, Tax())

    holding = [low for low in minimums if low <= quantity]
    expected = 1000 - max(holding) if holding else 5000
    assert result.unit_price.amount == expected


def test_a_tier_ends_at_its_maximum() -> None:
    list_id = uuid.UUID(int=1)
    tiers = [
        ListPrice(list_id, PriceListType.SALE, PriceKind.FIXED, 900, 1, 9),
        ListPrice(list_id, PriceListType.SALE, PriceKind.FIXED, 800, 10, 19),
    ]
    base = Money.of(1000, "EUR")

    assert calculate(base, 9, tiers, Tax()).unit_price.amount == 900
    assert calculate(base, 10, tiers, Tax()).unit_price.amount == 800
    assert calculate(base, 20, tiers, Tax()).unit_price.amount == 1000


@pytest.mark.parametrize(
    ("code", "amount", "quantity", "rate", "inclusive", "tax", "total"),
    [
        ("EUR", 1999, 3, 1900, True, 958, 5997),  # 5997 * 19 / 119 = 957.5 -> 958 (even)
        ("EUR", 1999, 3, 1900, False, 1139, 7136),  # 5997 * 0.19 = 1139.43
        ("USD", 2199, 1, 0, False, 0, 2199),
        ("JPY", 1000, 3, 1000, True, 273, 3000),  # 3000 / 11 = 272.7
        ("JPY", 1005, 1, 1000, False, 100, 1105),  # 100.5 -> 100 (even)
        ("KWD", 1234, 2, 500, False, 123, 2591),  # 2468 * 0.05 = 123.4 (fils)
        ("BHD", 10, 1, 1000, True, 1, 10),  # 0.909 fils
    ],
)
def test_known_answers_in_zero_two_and_three_decimal_currencies(
    code: str, amount: int, quantity: int, rate: int, inclusive: bool, tax: int, total: int
) -> None:
    result = calculate(Money.of(amount, code), quantity, [], Tax(rate, inclusive))

    assert (result.tax.amount, result.total.amount) == (tax, total)


def test_an_override_above_the_base_price_still_applies() -> None:
    override = ListPrice(uuid.uuid4(), PriceListType.OVERRIDE, PriceKind.FIXED, 1500)

    result = calculate(Money.of(1000, "EUR"), 2, [override], Tax())

    assert result.unit_price.amount == 1500
    assert result.discount.amount == 0
    assert result.price_list == override


def test_quantity_below_one_is_refused() -> None:
    with pytest.raises(ValueError, match="quantity"):
        calculate(Money.of(1000, "EUR"), 0, [], Tax())
