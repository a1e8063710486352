"""Handles: the URL names of products, collections and categories, in any script.

A handle keeps letters and digits of every script (`größe`, `футболка`, `東京`), lower-cased
after NFKC normalisation, with one `-` between words; a title of no letters or digits gets
the fallback. A handle given by a client is put in this form (`"Green Shirt"` ->
`"green-shirt"`); one without any letter or digit is refused.
"""

from __future__ import annotations

import unicodedata

MAX_HANDLE_LENGTH = 200
# For the OpenAPI document: at least one letter or digit, in any script.
HANDLE_PATTERN = r"[^\W_]"


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


def normalise_handle(value: str) -> str:
    """For validators: the handle `value` gives; ValueError if it has no letter or digit."""
    handle = handle_from(value, fallback="")
    if not handle:
        raise ValueError("must hold a letter or digit, e.g. 'green-shirt'")
    return handle


def numbered(handle: str, number: int) -> str:
    """The `number`th alternative of a taken handle: `shirt` -> `shirt-2`."""
    suffix = f"-{number}"
    return handle[: MAX_HANDLE_LENGTH - len(suffix)] + suffix
