"""The tenant a request talks to, as every layer sees it: the cached, immutable picture the
tenancy module resolves and the web layer hands to routes."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

import orjson

from rustok.core.errors import BadRequest


class TenantRequired(BadRequest):
    """A route that needs a tenant was called without naming one."""

    code = "TENANT_REQUIRED"


@dataclass(frozen=True, slots=True)
class LocaleSnapshot:
    locale: str
    name: str
    is_default: bool
    is_enabled: bool
    fallback_locale: str | None


@dataclass(frozen=True, slots=True)
class TenantSnapshot:
    id: uuid.UUID
    slug: str
    name: str
    domain: str | None
    is_active: bool
    default_locale: str
    locales: tuple[LocaleSnapshot, ...] = ()
    module_states: dict[str, bool] = field(default_factory=dict)
    """Explicit per-tenant module switches; a module not listed uses its default."""

    def to_json(self) -> bytes:
        data: dict[str, Any] = {
            "id": str(self.id),
            "slug": self.slug,
            "name": self.name,
            "domain": self.domain,
            "is_active": self.is_active,
            "default_locale": self.default_locale,
            "locales": [
                [loc.locale, loc.name, loc.is_default, loc.is_enabled, loc.fallback_locale]
                for loc in self.locales
            ],
            "module_states": self.module_states,
        }
        return orjson.dumps(data)

    @classmethod
    def from_json(cls, raw: bytes) -> TenantSnapshot:
        data = orjson.loads(raw)
        return cls(
            id=uuid.UUID(data["id"]),
            slug=data["slug"],
            name=data["name"],
            domain=data["domain"],
            is_active=data["is_active"],
            default_locale=data["default_locale"],
            locales=tuple(LocaleSnapshot(*row) for row in data["locales"]),
            module_states=dict(data["module_states"]),
        )
