"""Handles: the URL names of products, collections and categories, in any script.

A handle keeps letters and digits of every script (`größe`, `футболка`, `東京`), lower-cased
after NFKC normalisation, with one `-` between words; a title of no letters or digits gets
the fallback. A handle given by a client must already be in this form.
"""

from __future__ import annotations

import unicodedata

MAX_HANDLE_LENGTH = 200
# For the OpenAPI document only; `check_handle` is the rule: no spaces, slashes, `?`, `#`,
# `%`, upper-case ASCII or control characters, and no leading, trailing or doubled `-`.
HANDLE_PATTERN = r"^[^\sA-Z/?#%\x00-\x1f\x7f-]+(?:-[^\sA-Z/?#%\x00-\x1f\x7f-]+)*$"


def handle_from(title: str, *, fallback: str = "item") -> str:
    """The handle a title gives: `"Grüne T-Shirts (2er)"` -> `"grüne-t-shirts-2er"`."""
    words: list[str] = []
    current: list[str] = []
    for char in unicodedata.normalize("NFKC", title).lower():
        if char.isalnum():
            current.append(char)
        elif current:
            words.append("".join(current))
            current = []
    if current:
        words.append("".join(current))
    handle = "-".join(words)[:MAX_HANDLE_LENGTH].strip("-")
    return handle or fallback


def check_handle(value: str) -> str:
    """For validators: `value` if it is a handle already (`handle_from(value) == value`)."""
    if not value or handle_from(value, fallback="") != value:
        raise ValueError(
            "must be lower-case letters and digits (any script) joined by single '-', "
            "e.g. 'green-shirt'"
        )
    return value


def numbered(handle: str, number: int) -> str:
    """The `number`th alternative of a taken handle: `shirt` -> `shirt-2`."""
    suffix = f"-{number}"
    return handle[: MAX_HANDLE_LENGTH - len(suffix)] + suffix
