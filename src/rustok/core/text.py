"""Validation of text that will be stored: valid Unicode, no control characters, no NULs.

PostgreSQL refuses NUL bytes in text and in JSONB, and lone surrogates (from JSON `\\ud800`
escapes) cannot be encoded at all; both must be a 422 naming the field, never a 500.
"""

from __future__ import annotations

import unicodedata
from typing import Annotated, Any

from pydantic import AfterValidator, Field


def check_unicode(value: str) -> str:
    """Refuse text that cannot be encoded as UTF-8 (lone surrogates)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("must be valid Unicode text") from None
    return value


def check_plain(value: str) -> str:
    """Refuse invalid Unicode and control characters (NUL, escape codes, line breaks)."""
    check_unicode(value)
    if any(unicodedata.category(char) == "Cc" for char in value):
        raise ValueError("must not contain control characters")
    return value


def check_prose(value: str) -> str:
    """Like `check_plain`, but tabs and line breaks are allowed (descriptions)."""
    check_unicode(value)
    if any(unicodedata.category(char) == "Cc" and char not in "\t\n\r" for char in value):
        raise ValueError("must not contain control characters")
    return value


def check_json(value: Any) -> Any:
    """Refuse JSON whose keys or strings hold NULs or invalid Unicode, at any depth."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            check_unicode(item)
            if "\x00" in item:
                raise ValueError("must not contain NUL characters")
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return value


# The rules of `check_plain` and `check_prose` as JSON Schema patterns, for the OpenAPI
# document only: the checks enforce them, with their own messages.
PLAIN_TEXT_PATTERN = r"^[^\x00-\x1f\x7f-\x9f]*$"
PROSE_TEXT_PATTERN = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$"

PlainText = Annotated[
    str, AfterValidator(check_plain), Field(json_schema_extra={"pattern": PLAIN_TEXT_PATTERN})
]
ProseText = Annotated[
    str, AfterValidator(check_prose), Field(json_schema_extra={"pattern": PROSE_TEXT_PATTERN})
]
JsonObject = Annotated[dict[str, Any], AfterValidator(check_json)]
