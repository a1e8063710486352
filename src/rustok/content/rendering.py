"""Bodies to HTML, and the one sanitizer every HTML leaving the platform goes through.

Markdown is rendered with markdown-it-py (CommonMark, tables, strikethrough; raw HTML inside
markdown allowed because editors use it, then sanitized like everything else). HTML, whether
written by an editor or rendered here, is cleaned by nh3 (the Rust `ammonia` allow-list
sanitizer): only listed tags and attributes survive, no event handler attribute, no `style`,
and links and images only with http(s), mailto or tel URLs or relative ones.
"""

from __future__ import annotations

import html as html_escape
from functools import lru_cache

import nh3
from markdown_it import MarkdownIt

URL_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
# ammonia's default allow-list of tags and attributes, minus nothing; `rel` on links is set by
# the sanitizer, never taken from the input.
_LINK_REL = "noopener noreferrer nofollow"


@lru_cache(maxsize=1)
def _markdown() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": True, "linkify": False}).enable(
        ["table", "strikethrough"]
    )


def sanitize(html: str) -> str:
    """`html` with everything outside the allow-list removed (scripts, handlers, bad URLs)."""
    return nh3.clean(html, url_schemes=set(URL_SCHEMES), link_rel=_LINK_REL)


CACHED_BODY_CHARS = 8192
"""Bodies up to this length keep their HTML in a per-process LRU cache (1,024 entries, at most
some 30 MB): a list page renders the same bodies on every request, rendering is a pure function
of body and format, and it was some 70% of the CPU of a page of 20 posts (bench/README.md)."""


def render(body: str, format: str) -> str | None:
    """The sanitized HTML of a body; None for `json` bodies, which are data, not markup."""
    if len(body) <= CACHED_BODY_CHARS:
        return _render_cached(body, format)
    return _render(body, format)


@lru_cache(maxsize=1024)
def _render_cached(body: str, format: str) -> str | None:
    return _render(body, format)


def _render(body: str, format: str) -> str | None:
    if format == "markdown":
        return sanitize(_markdown().render(body))
    if format == "html":
        return sanitize(body)
    if format == "plain":
        paragraphs = [part for part in body.replace("\r\n", "\n").split("\n\n") if part.strip()]
        return "".join(
            "<p>" + html_escape.escape(part).replace("\n", "<br>") + "</p>" for part in paragraphs
        )
    return None
