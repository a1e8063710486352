"""Whole numbers in JSON bodies.

JSON Schema calls `3.0` an integer, and clients written in languages with one number type send
it; Pydantic's strict integers refuse it, its lax ones take `"3"` and `true`. A `WholeNumber`
takes exactly what the schema promises: a JSON integer, or a number with no fractional part.
A string, a boolean or `19.99` is refused, naming the field.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BeforeValidator


def _whole(value: object) -> object:
    if isinstance(value, bool):
        raise ValueError("must be a whole number, not a boolean")
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueError("must be a whole number (minor units, never a fraction)")
        return int(value)
    if not isinstance(value, int):
        raise ValueError("must be a whole number")
    return value


WHOLE_NUMBER = BeforeValidator(_whole)
"""The check alone, for bounded numbers: `Annotated[int, Field(ge=1), WHOLE_NUMBER]` keeps the
bounds in the JSON Schema (`minimum`), which `Annotated[WholeNumber, Field(ge=1)]` loses."""
WholeNumber = Annotated[int, WHOLE_NUMBER]
