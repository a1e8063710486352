"""Parsing what a request says its tenant is: a UUID, a slug, or a host name."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import Literal

from rustok.core.errors import FieldError
from rustok.tenancy.errors import TenantIdentifierMalformed

SLUG_PATTERN = r"^[a-z0-9](?:[a-z0-9-]{0,62})$"
_SLUG = re.compile(SLUG_PATTERN)
_HOST_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
LOCALE_PATTERN = r"^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$"

RESERVED_SLUGS = frozenset(
    {"admin", "api", "www", "static", "assets", "graphql", "health", "metrics", "system", "root"}
)


@dataclass(frozen=True, slots=True)
class TenantKey:
    """A normalised lookup key; `cache_key` is what the resolver caches under."""

    kind: Literal["id", "slug", "host"]
    value: str

    @property
    def cache_key(self) -> str:
        return f"{self.kind}:{self.value}"


def parse_header(raw: str) -> TenantKey:
    """`X-Tenant-ID` holds a UUID or a slug; anything else is malformed (400)."""
    text = raw.strip()
    try:
        return TenantKey("id", str(uuid.UUID(text)))
    except ValueError:
        pass
    lowered = text.lower()
    if _SLUG.fullmatch(lowered):
        return TenantKey("slug", lowered)
    raise TenantIdentifierMalformed(
        "X-Tenant-ID must be a tenant UUID or slug (lowercase letters, digits and '-')",
        fields=[FieldError("header.X-Tenant-ID", "not a UUID or slug")],
    )


def normalise_host(raw: str) -> str | None:
    """Lower-case the host, drop the port; None when it is not a valid host name."""
    host = raw.strip().lower()
    if host.startswith("["):  # IPv6 literal: never a tenant domain
        return None
    host = host.rsplit(":", 1)[0] if host.count(":") == 1 else host
    host = host.rstrip(".")
    if not host or len(host) > 253:
        return None
    if not all(_HOST_LABEL.fullmatch(label) for label in host.split(".")):
        return None
    return host


def is_valid_slug(slug: str) -> bool:
    return bool(_SLUG.fullmatch(slug))
