"""Tenancy DTOs."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StrictBool, field_validator

from rustok.core.text import JsonObject, PlainText
from rustok.tenancy.identifiers import (
    LOCALE_PATTERN,
    RESERVED_SLUGS,
    SLUG_PATTERN,
    normalise_host,
)

if TYPE_CHECKING:
    from rustok.core.tenant import TenantSnapshot

Slug = Annotated[str, Field(pattern=SLUG_PATTERN, min_length=1, max_length=64, examples=["acme"])]
Locale = Annotated[str, Field(pattern=LOCALE_PATTERN, max_length=16, examples=["en"])]
Name = Annotated[PlainText, Field(min_length=1, max_length=200, examples=["Acme Shop"])]
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
# `_check_domain` enforces it; the pattern says it in the OpenAPI document.
Domain = Annotated[
    str,
    Field(
        max_length=253,
        examples=["shop.acme.example"],
        json_schema_extra={
            "pattern": rf"^{_LABEL}(?:\.{_LABEL})*\.?$",
            "description": "A host name such as shop.example.com, without port or scheme; "
            "stored in lower case.",
        },
    ),
]


def _check_domain(value: str | None) -> str | None:
    if value is None:
        return None
    host = normalise_host(value)
    if host is None or host != value.strip().lower().rstrip("."):
        raise ValueError("must be a host name such as shop.example.com, without port or scheme")
    return host


class TenantCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: Name
    slug: Slug
    domain: Domain | None = None
    default_locale: Locale = "en"
    settings: JsonObject = Field(default_factory=dict)

    @field_validator("slug")
    @classmethod
    def _not_reserved(cls, value: str) -> str:
        if value in RESERVED_SLUGS:
            raise ValueError(f"{value!r} is reserved")
        return value

    @field_validator("domain")
    @classmethod
    def _domain(cls, value: str | None) -> str | None:
        return _check_domain(value)


class TenantUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: Name | None = None
    domain: Domain | None = None
    default_locale: Locale | None = None
    settings: JsonObject | None = None
    is_active: StrictBool | None = None

    @field_validator("domain")
    @classmethod
    def _domain(cls, value: str | None) -> str | None:
        return _check_domain(value)


class TenantLocaleRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    locale: str
    name: str
    is_default: bool
    is_enabled: bool
    fallback_locale: str | None


class TenantLocaleUpsert(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: PlainText = Field(default="", max_length=100, examples=["Deutsch"])
    is_enabled: StrictBool = True
    is_default: StrictBool = False
    fallback_locale: Locale | None = None


class TenantRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str
    slug: str
    domain: str | None
    default_locale: str
    is_active: bool
    settings: dict[str, Any]
    created_at: datetime
    updated_at: datetime


class TenantDetail(TenantRead):
    locales: list[TenantLocaleRead]


class TenantPublic(BaseModel):
    """What anyone may learn about the tenant they are talking to: its enabled locales only."""

    id: uuid.UUID
    name: str
    slug: str
    default_locale: str
    locales: list[TenantLocaleRead]

    @classmethod
    def of(cls, tenant: TenantSnapshot) -> TenantPublic:
        return cls(
            id=tenant.id,
            name=tenant.name,
            slug=tenant.slug,
            default_locale=tenant.default_locale,
            locales=[
                TenantLocaleRead.model_validate(loc) for loc in tenant.locales if loc.is_enabled
            ],
        )


class ModuleRead(BaseModel):
    slug: str
    name: str
    version: str
    description: str
    dependencies: list[str]
    core: bool
    enabled: bool
