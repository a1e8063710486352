"""Whole numbers in JSON bodies.

JSON Schema calls `3.0` an integer, and clients written in languages with one number type send
it; Pydantic's strict integers refuse it, its lax ones take `"3"` and `true`. A `WholeNumber`
takes exactly what the schema promises: a JSON integer, or a number with no fractional part.
A string, a boolean or `19.99` is refused, naming the field.

Bounds go before the check, `Annotated[int, Field(ge=1), WHOLE_NUMBER]`, so the
JSON Schema says `minimum` / `maximum`; bounds added to `WholeNumber` after it appear as `ge` /
`le`, which JSON Schema does not know (clients and Schemathesis then miss them).
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BeforeValidator


def check_whole(value: object) -> object:
    if isinstance(value, bool):
        raise ValueError("must be a whole number, not a boolean")
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueError("must be a whole number (minor units, never a fraction)")
        return int(value)
    if not isinstance(value, int):
        raise ValueError("must be a whole number")
    return value


WHOLE_NUMBER = BeforeValidator(check_whole)
"""The check alone, for bounded numbers (see above)."""
WholeNumber = Annotated[int, WHOLE_NUMBER]
