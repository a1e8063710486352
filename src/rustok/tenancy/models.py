"""Tables of the tenancy module."""

from __future__ import annotations

from typing import Any

from sqlalchemy import String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from rustok.core.db import Base, IdMixin, TenantOwned, TimestampMixin


class Tenant(IdMixin, TimestampMixin, Base):
    __tablename__ = "tenants"

    name: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    domain: Mapped[str | None] = mapped_column(String(253), unique=True)
    default_locale: Mapped[str] = mapped_column(String(16), default="en")
    is_active: Mapped[bool] = mapped_column(default=True)
    settings: Mapped[dict[str, Any]] = mapped_column(default=dict)


class TenantLocale(TenantOwned, IdMixin, TimestampMixin, Base):
    __tablename__ = "tenant_locales"
    __table_args__ = (UniqueConstraint("tenant_id", "locale"),)

    locale: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(100), default="")
    is_default: Mapped[bool] = mapped_column(default=False)
    is_enabled: Mapped[bool] = mapped_column(default=True)
    fallback_locale: Mapped[str | None] = mapped_column(String(16))


class TenantModule(TenantOwned, IdMixin, TimestampMixin, Base):
    __tablename__ = "tenant_modules"
    __table_args__ = (UniqueConstraint("tenant_id", "module_slug"),)

    module_slug: Mapped[str] = mapped_column(String(64))
    enabled: Mapped[bool] = mapped_column(default=True)
    settings: Mapped[dict[str, Any]] = mapped_column(default=dict)
