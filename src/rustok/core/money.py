"""Money: an integer amount of a currency's minor units (cents, yen, fils), never a float.

A currency is an ISO 4217 code with its exponent, the number of decimal places of its minor
unit: 0 for JPY, 2 for EUR, 3 for KWD. An unknown code is refused (`Invalid` naming the field).

THE ROUNDING RULE, stated here once for the whole platform: every division of money (a
percentage, a tax rate, a share of a tax-inclusive price) is exact integer arithmetic rounded
to the nearest minor unit, ties to even ("banker's rounding", `round_half_even`). It never goes
through floats or decimals, so the same inputs give the same amounts on every machine.

Arithmetic refuses to mix currencies (`CurrencyMismatch`), and nothing here produces a
negative amount unless a caller subtracts more than there is (`Money.minus_clamped` does not).
"""

from __future__ import annotations

from dataclasses import dataclass

from rustok.core.errors import FieldError, Invalid


def _codes(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Active ISO 4217 codes whose minor unit is not two decimals; every other listed code has two.
_EXPONENT_0 = _codes("BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF")
_EXPONENT_3 = _codes("BHD IQD JOD KWD LYD OMR TND")
_EXPONENT_4 = _codes("CLF UYW")
_EXPONENT_2 = _codes(
    """AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BOV BRL BSD BTN BWP
    BYN BZD CAD CDF CHE CHF CHW CNY COP COU CRC CUP CVE CZK DKK DOP DZD EGP ERN ETB EUR FJD
    FKP GBP GEL GHS GIP GMD GTQ GYD HKD HNL HTG HUF IDR ILS INR IRR JMD KES KGS KHR KPW KYD
    KZT LAK LBP LKR LRD LSL MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD
    NGN NIO NOK NPR NZD PAB PEN PGK PHP PKR PLN QAR RON RSD RUB SAR SBD SCR SDG SEK SGD SHP
    SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TOP TRY TTD TWD TZS UAH USD USN UYU UZS VES
    VED WST XCD XCG YER ZAR ZMW ZWG"""
)

EXPONENTS: dict[str, int] = {
    **dict.fromkeys(_EXPONENT_2, 2),
    **dict.fromkeys(_EXPONENT_0, 0),
    **dict.fromkeys(_EXPONENT_3, 3),
    **dict.fromkeys(_EXPONENT_4, 4),
}
"""Every currency the platform accepts, with its exponent."""

CURRENCY_PATTERN = r"^[A-Z]{3}$"
BASIS_POINTS = 10_000
"""100 % in basis points: tax rates and percentage discounts are integers of 1/100 %."""


class UnknownCurrency(Invalid):
    code = "UNKNOWN_CURRENCY"


class CurrencyMismatch(Invalid):
    code = "CURRENCY_MISMATCH"


@dataclass(frozen=True, slots=True)
class Currency:
    code: str
    exponent: int

    def __str__(self) -> str:
        return self.code


def currency_of(code: str, *, field: str = "currency_code") -> Currency:
    """The currency of an ISO 4217 code; `Invalid` (`UNKNOWN_CURRENCY`) naming `field`."""
    exponent = EXPONENTS.get(code)
    if exponent is None:
        raise UnknownCurrency(
            f"{code!r} is not an ISO 4217 currency code this platform knows.",
            fields=[FieldError(field, "unknown ISO 4217 currency code")],
        )
    return Currency(code, exponent)


def check_currency_code(code: str) -> str:
    """For Pydantic validators: the code, or ValueError (Pydantic names the field)."""
    if code not in EXPONENTS:
        raise ValueError("unknown ISO 4217 currency code")
    return code


def round_half_even(numerator: int, denominator: int) -> int:
    """`numerator / denominator` rounded to the nearest integer, ties to even (THE rule)."""
    if denominator <= 0:
        raise ValueError("denominator must be positive")
    quotient, remainder = divmod(numerator, denominator)
    twice = 2 * remainder
    if twice > denominator or (twice == denominator and quotient % 2 == 1):
        quotient += 1
    return quotient


@dataclass(frozen=True, slots=True)
class Money:
    """An amount in minor units of one currency."""

    amount: int
    currency: Currency

    def __post_init__(self) -> None:
        # bool is an int subclass; a float or a Decimal would lose the "never floats" promise.
        if type(self.amount) is not int:
            raise TypeError("Money.amount must be an int of minor units")

    @classmethod
    def of(cls, amount: int, code: str, *, field: str = "currency_code") -> Money:
        return cls(amount, currency_of(code, field=field))

    @classmethod
    def zero(cls, currency: Currency) -> Money:
        return cls(0, currency)

    def _same(self, other: Money) -> None:
        if other.currency != self.currency:
            raise CurrencyMismatch(
                f"Cannot combine {self.currency.code} with {other.currency.code}.",
                fields=[FieldError("currency_code", "currencies differ")],
            )

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount - other.amount, self.currency)

    def minus_clamped(self, other: Money) -> Money:
        """`self - other`, but never below zero (a discount cannot make a price negative)."""
        self._same(other)
        return Money(max(0, self.amount - other.amount), self.currency)

    def times(self, quantity: int) -> Money:
        return Money(self.amount * quantity, self.currency)

    def share(self, basis_points: int) -> Money:
        """`basis_points` / 10 000 of this amount, rounded by the rule."""
        return Money(round_half_even(self.amount * basis_points, BASIS_POINTS), self.currency)

    def tax_included(self, rate_basis_points: int) -> Money:
        """The tax inside this gross amount at `rate`: gross * rate / (1 + rate), by the rule."""
        return Money(
            round_half_even(self.amount * rate_basis_points, BASIS_POINTS + rate_basis_points),
            self.currency,
        )

    def __lt__(self, other: Money) -> bool:
        self._same(other)
        return self.amount < other.amount

    def __le__(self, other: Money) -> bool:
        self._same(other)
        return self.amount <= other.amount

    def format(self) -> str:
        """`12.34 EUR`: the decimal text of the amount, for people (never parsed back)."""
        exponent = self.currency.exponent
        sign = "-" if self.amount < 0 else ""
        whole, fraction = divmod(abs(self.amount), 10**exponent)
        digits = f"{whole}.{fraction:0{exponent}d}" if exponent else str(whole)
        return f"{sign}{digits} {self.currency.code}"
