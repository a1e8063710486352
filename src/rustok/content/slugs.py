"""Slugs made from titles, in any script: `Привет, мир!` becomes `привет-мир`."""

from __future__ import annotations

import re
import unicodedata

MAX_BASE_LENGTH = 200
"""Room is left for a `-N` suffix under the 255 characters a slug may have."""

_NOT_WORD = re.compile(r"[^\w]+")


def slugify(text: str, *, fallback: str = "item") -> str:
    """Lower-case letters and digits of the text (NFKC), runs of anything else as one dash."""
    normal = unicodedata.normalize("NFKC", text).lower()
    slug = _NOT_WORD.sub("-", normal).strip("-_")
    slug = re.sub(r"-{2,}", "-", slug)[:MAX_BASE_LENGTH].strip("-")
    return slug or fallback


def first_free(base: str, taken: set[str]) -> str:
    """`base`, or `base-2`, `base-3`... whichever is not taken."""
    if base not in taken:
        return base
    number = 2
    while f"{base}-{number}" in taken:
        number += 1
    return f"{base}-{number}"
