"""Keyset pagination: walking every page returns every row once, in order, whatever the data."""

from __future__ import annotations

import uuid

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import (
    Boolean,
    Column,
    Engine,
    Integer,
    MetaData,
    String,
    Table,
    create_engine,
    insert,
    select,
)

from rustok.core.cursor import (
    SortKey,
    decode_cursor,
    encode_cursor,
    keyset_after,
    page_of,
)
from rustok.core.errors import Invalid

metadata = MetaData()
items = Table(
    "items",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("score", Integer, nullable=False),
    Column("name", String(20), nullable=False),
)

ORDER = "score-desc,name"


def walk(engine: Engine, limit: int) -> list[tuple[str, int, str]]:
    keys = (
        SortKey(items.c.score, descending=True),
        SortKey(items.c.name),
        SortKey(items.c.id),
    )
    seen: list[tuple[str, int, str]] = []
    cursor: str | None = None
    with engine.connect() as connection:
        for _ in range(1000):
            query = select(items.c.id, items.c.score, items.c.name).order_by(
                items.c.score.desc(), items.c.name, items.c.id
            )
            if cursor is not None:
                values = decode_cursor(cursor, order=ORDER, width=3)
                query = query.where(keyset_after(keys, values))
            rows = [(r.id, r.score, r.name) for r in connection.execute(query.limit(limit + 1))]
            page, cursor = page_of(rows, limit, lambda r: (r[1], r[2], r[0]), order=ORDER)
            seen.extend(page)
            if cursor is None:
                return seen
    raise AssertionError("pagination did not end")


@settings(max_examples=60, deadline=None)
@given(
    rows=st.lists(
        st.tuples(st.integers(-3, 3), st.sampled_from(["a", "b", "ä", "Z", ""])), max_size=40
    ),
    limit=st.integers(1, 7),
)
def test_walking_pages_returns_every_row_once_in_order(
    rows: list[tuple[int, str]], limit: int
) -> None:
    engine = create_engine("sqlite://")
    metadata.create_all(engine)
    data = [{"id": str(uuid.uuid4()), "score": s, "name": n} for s, n in rows]
    with engine.begin() as connection:
        if data:
            connection.execute(insert(items), data)
    expected = sorted(data, key=lambda r: (-r["score"], r["name"], r["id"]))
    assert walk(engine, limit) == [(r["id"], r["score"], r["name"]) for r in expected]


def test_cursor_round_trips_every_value_kind() -> None:
    import datetime as dt

    values = (
        None,
        True,
        7,
        dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC),
        uuid.UUID(int=5),
        "tëxt",
    )
    assert decode_cursor(encode_cursor(values, order="x"), order="x", width=6) == values


@pytest.mark.parametrize(
    "cursor",
    ["", "not-base64!!", "W10", encode_cursor((1,), order="other"), "A" * 600],
)
def test_a_cursor_not_handed_out_by_this_list_is_refused_on_the_cursor_field(
    cursor: str,
) -> None:
    with pytest.raises(Invalid) as caught:
        decode_cursor(cursor, order="x", width=1)
    assert caught.value.code == "INVALID_CURSOR"
    assert [f.field for f in caught.value.fields] == ["cursor"]


def test_a_cursor_of_another_width_is_refused() -> None:
    with pytest.raises(Invalid):
        decode_cursor(encode_cursor((1, 2), order="x"), order="x", width=1)


def test_a_boolean_sort_key_pages_like_any_other() -> None:
    flags = Table(
        "flags",
        MetaData(),
        Column("id", Integer, primary_key=True),
        Column("pinned", Boolean, nullable=False),
    )
    engine = create_engine("sqlite://")
    flags.metadata.create_all(engine)
    with engine.begin() as connection:
        connection.execute(insert(flags), [{"id": i, "pinned": i % 3 == 0} for i in range(7)])
    keys = (SortKey(flags.c.pinned, descending=True), SortKey(flags.c.id))
    seen: list[int] = []
    cursor: str | None = None
    with engine.connect() as connection:
        while True:
            query = select(flags.c.id, flags.c.pinned).order_by(flags.c.pinned.desc(), flags.c.id)
            if cursor is not None:
                query = query.where(keyset_after(keys, decode_cursor(cursor, order="f", width=2)))
            rows = list(connection.execute(query.limit(3)))
            page, cursor = page_of(rows, 2, lambda r: (r.pinned, r.id), order="f")
            seen.extend(row.id for row in page)
            if cursor is None:
                break

    assert seen == [0, 3, 6, 1, 2, 4, 5]
