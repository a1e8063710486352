"""Which URLs a page or a menu may link to: http(s), mailto and tel URLs, site-relative paths
and fragments. Anything else (`javascript:`, `data:`, `vbscript:`, protocol-relative `//host`,
or a scheme hidden behind whitespace or control characters) is refused, so a link that reaches a
browser cannot run code."""

from __future__ import annotations

import re
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import AfterValidator, Field

_SAFE = re.compile(
    r"^(?:https?://[^\s/?#]+[^\s]*|mailto:[^\s]+|tel:\+?[0-9 ()./-]{3,32}|/(?!/)[^\s]*|#[^\s]*)$",
    re.IGNORECASE,
)
VIDEO_HOSTS = frozenset(
    {
        "www.youtube.com",
        "youtube.com",
        "youtu.be",
        "www.youtube-nocookie.com",
        "vimeo.com",
        "player.vimeo.com",
    }
)


def check_url(value: str) -> str:
    """`value` if it is a link a page may carry; ValueError naming the rule otherwise."""
    if not _SAFE.fullmatch(value) or any(ord(char) < 32 or ord(char) == 127 for char in value):
        raise ValueError(
            "must be an http(s), mailto or tel URL, a path starting with / or a #fragment"
        )
    return value


def check_video_url(value: str) -> str:
    """An https URL of a known video host (the front end embeds it in an iframe)."""
    check_url(value)
    parts = urlsplit(value)
    if parts.scheme.lower() != "https" or (parts.hostname or "") not in VIDEO_HOSTS:
        raise ValueError(f"must be an https URL of {', '.join(sorted(VIDEO_HOSTS))}")
    return value


SafeUrl = Annotated[
    str,
    AfterValidator(check_url),
    Field(min_length=1, max_length=2048, examples=["https://acme.example/about"]),
]
VideoUrl = Annotated[
    str,
    AfterValidator(check_video_url),
    Field(min_length=1, max_length=2048, examples=["https://www.youtube.com/watch?v=dQw4w9WgXcQ"]),
]
