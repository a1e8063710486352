"""Stored text is valid Unicode without control characters; JSON holds no NULs at any depth."""

from __future__ import annotations

import pytest

from rustok.core.text import check_json, check_plain, check_prose


@pytest.mark.parametrize("value", ["Acme", "Ünïcødé ✓", "名前", ""])
def test_plain_text_passes(value: str) -> None:
    assert check_plain(value) == value


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("a\x00b", "control"),
        ("line\nbreak", "control"),
        ("\x1b[31m", "control"),
        ("\ud800", "Unicode"),
    ],
)
def test_text_that_cannot_be_stored_is_refused(value: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        check_plain(value)


def test_prose_keeps_line_breaks_but_not_nuls() -> None:
    assert check_prose("one\ntwo\tthree") == "one\ntwo\tthree"
    with pytest.raises(ValueError, match="control"):
        check_prose("nul\x00")


def test_json_is_checked_at_every_depth_keys_included() -> None:
    assert check_json({"a": [1, {"b": "ok"}]}) == {"a": [1, {"b": "ok"}]}
    with pytest.raises(ValueError, match="NUL"):
        check_json({"a": [{"b": "x\x00"}]})
    with pytest.raises(ValueError, match="NUL"):
        check_json({"k\x00": 1})
    with pytest.raises(ValueError, match="Unicode"):
        check_json({"a": "\udfff"})
