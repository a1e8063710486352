"""Cursor (keyset) pagination shared by the domain list endpoints.

A list is sorted by one or more columns and ends with the row id, so the order is total. The
cursor is the last row's sort values, encoded as opaque URL-safe text; the next page is the rows
strictly after it in that order (`keyset_after`). Unlike offsets, a page costs the same however
deep it is, and rows inserted meanwhile never shift a page.

A cursor carries no authority: the query it feeds keeps its tenant wall and filters, so a forged
cursor can only move within what the caller may read anyway. A malformed or foreign cursor is a
422 naming the `cursor` field.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Generic, TypeVar

import orjson
from pydantic import BaseModel, Field, computed_field
from sqlalchemy import and_, false, literal, or_

from rustok.core.errors import FieldError, Invalid

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from sqlalchemy import ColumnElement

T = TypeVar("T")

MAX_CURSOR_LENGTH = 512
DEFAULT_LIMIT = 20
MAX_LIMIT = 100

CursorValue = str | int | bool | dt.datetime | uuid.UUID | None


class CursorParams(BaseModel):
    """`?after=<cursor>&limit=<n>` on a list endpoint."""

    after: str | None = Field(default=None, max_length=MAX_CURSOR_LENGTH)
    limit: int = Field(default=DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)


class CursorPage(BaseModel, Generic[T]):
    """One page: its rows, and the cursor of the next page (None on the last one)."""

    items: list[T]
    next_cursor: str | None = None

    @computed_field  # type: ignore[prop-decorator]  # mypy cannot type pydantic's documented form
    @property
    def has_more(self) -> bool:
        """Whether a next page exists: exactly when there is a cursor to it."""
        return self.next_cursor is not None


@dataclass(frozen=True, slots=True)
class SortKey:
    """One column of a list's order; the last key of every order is the row id."""

    column: ColumnElement[object]
    descending: bool = False


def _tag(value: CursorValue) -> list[object]:
    if value is None:
        return ["n", None]
    if isinstance(value, bool):
        return ["b", value]
    if isinstance(value, int):
        return ["i", value]
    if isinstance(value, dt.datetime):
        return ["d", value.isoformat()]
    if isinstance(value, uuid.UUID):
        return ["u", str(value)]
    return ["s", value]


def _untag(item: object) -> CursorValue:
    if not (isinstance(item, list) and len(item) == 2 and isinstance(item[0], str)):
        raise ValueError("not a tagged value")
    tag, raw = item
    if tag == "n":
        return None
    if tag == "b" and isinstance(raw, bool):
        return raw
    if tag == "i" and isinstance(raw, int) and not isinstance(raw, bool):
        return raw
    if tag == "d" and isinstance(raw, str):
        return dt.datetime.fromisoformat(raw)
    if tag == "u" and isinstance(raw, str):
        return uuid.UUID(raw)
    if tag == "s" and isinstance(raw, str):
        return raw
    raise ValueError(f"bad value for tag {tag!r}")


def encode_cursor(values: Sequence[CursorValue], *, order: str) -> str:
    """The cursor after a row with these sort values, for the list order named `order`
    (a cursor of one order is refused by another)."""
    payload = orjson.dumps([order, [_tag(v) for v in values]])
    return base64.urlsafe_b64encode(payload).rstrip(b"=").decode("ascii")


def decode_cursor(cursor: str, *, order: str, width: int) -> tuple[CursorValue, ...]:
    """The sort values inside `cursor`; raises Invalid on the `cursor` field when it is not
    one this list (same order, `width` values) handed out."""
    try:
        if len(cursor) > MAX_CURSOR_LENGTH:
            raise ValueError("too long")
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        name, tagged = orjson.loads(raw)
        if name != order or not isinstance(tagged, list) or len(tagged) != width:
            raise ValueError("cursor of another list")
        return tuple(_untag(item) for item in tagged)
    except (ValueError, TypeError, binascii.Error, orjson.JSONDecodeError):
        raise Invalid(
            "The cursor is not one this list handed out; start again without `after`.",
            code="INVALID_CURSOR",
            fields=[FieldError("cursor", "not a cursor of this list")],
        ) from None


def keyset_after(keys: Sequence[SortKey], values: Sequence[CursorValue]) -> ColumnElement[bool]:
    """Rows strictly after the row with `values` in the order of `keys`:
    (k1 > v1) OR (k1 = v1 AND k2 > v2) OR ... ('<' for descending keys). Sort keys must not be
    NULL (a NULL compares as unknown); sort nullable columns through `coalesce`."""
    clauses: list[ColumnElement[bool]] = []
    for index, key in enumerate(keys):
        # A bool is bound as a parameter: SQLAlchemy refuses `<`/`>` against a Python bool.
        value = literal(values[index]) if isinstance(values[index], bool) else values[index]
        beyond = key.column < value if key.descending else key.column > value
        equal_before = [keys[i].column == values[i] for i in range(index)]
        clauses.append(and_(*equal_before, beyond))
    return or_(*clauses) if clauses else false()


def page_of(
    rows: Sequence[T],
    limit: int,
    key_of: Callable[[T], Sequence[CursorValue]],
    *,
    order: str,
) -> tuple[list[T], str | None]:
    """Split the `limit + 1` rows a keyset query fetched into the page and the next cursor;
    `key_of(row)` gives a row's sort values, ending with its id."""
    page = list(rows[:limit])
    if len(rows) <= limit or not page:
        return page, None
    return page, encode_cursor(key_of(page[-1]), order=order)
