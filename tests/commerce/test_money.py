"""Money: integer minor units of an ISO 4217 currency, one rounding rule, no mixed currencies."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rustok.core.money import (
    CurrencyMismatch,
    Money,
    UnknownCurrency,
    currency_of,
    round_half_even,
)


@pytest.mark.parametrize(
    ("code", "exponent"), [("JPY", 0), ("KRW", 0), ("EUR", 2), ("USD", 2), ("KWD", 3), ("BHD", 3)]
)
def test_a_currency_knows_its_exponent(code: str, exponent: int) -> None:
    assert currency_of(code).exponent == exponent


@pytest.mark.parametrize("code", ["XXX", "eur", "EU", "EURO", ""])
def test_an_unknown_currency_is_invalid_naming_the_field(code: str) -> None:
    with pytest.raises(UnknownCurrency) as refused:
        currency_of(code, field="body.currency_code")

    assert refused.value.code == "UNKNOWN_CURRENCY"
    assert refused.value.fields[0].field == "body.currency_code"


def test_money_refuses_floats_and_bools() -> None:
    euro = currency_of("EUR")
    with pytest.raises(TypeError):
        Money(12.5, euro)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        Money(True, euro)


def test_arithmetic_refuses_mixing_currencies() -> None:
    with pytest.raises(CurrencyMismatch):
        Money.of(100, "EUR") + Money.of(100, "USD")
    with pytest.raises(CurrencyMismatch):
        Money.of(100, "EUR").minus_clamped(Money.of(1, "JPY"))


@pytest.mark.parametrize(
    ("numerator", "denominator", "rounded"),
    [(5, 2, 2), (7, 2, 4), (-5, 2, -2), (-7, 2, -4), (1, 3, 0), (2, 3, 1), (10, 4, 2), (14, 4, 4)],
)
def test_ties_round_to_even(numerator: int, denominator: int, rounded: int) -> None:
    assert round_half_even(numerator, denominator) == rounded


@given(st.integers(-(10**15), 10**15), st.integers(1, 10**6))
def test_half_even_is_within_half_a_unit_of_the_exact_quotient(numerator: int, d: int) -> None:
    rounded = round_half_even(numerator, d)
    assert abs(rounded * d - numerator) * 2 <= d


def test_shares_and_included_tax_follow_the_rule() -> None:
    assert Money.of(1999, "EUR").share(1900).amount == 380  # 379.81
    assert Money.of(250, "EUR").share(1000).amount == 25
    assert Money.of(125, "EUR").share(2000).amount == 25
    assert Money.of(5, "EUR").share(5000).amount == 2  # 2.5 -> 2 (even)
    assert Money.of(7, "EUR").share(5000).amount == 4  # 3.5 -> 4 (even)
    assert Money.of(11900, "EUR").tax_included(1900).amount == 1900
    assert Money.of(1000, "JPY").tax_included(1000).amount == 91  # 90.9


def test_format_shows_the_currency_exponent() -> None:
    assert Money.of(1999, "EUR").format() == "19.99 EUR"
    assert Money.of(1999, "JPY").format() == "1999 JPY"
    assert Money.of(1999, "KWD").format() == "1.999 KWD"
    assert Money.of(-5, "EUR").format() == "-0.05 EUR"
