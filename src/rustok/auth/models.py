"""Tables of the auth module."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from rustok.core.db import Base, IdMixin, TenantOwned, TimestampMixin


class User(TenantOwned, IdMixin, TimestampMixin, Base):
    __tablename__ = "users"
    __table_args__ = (UniqueConstraint("tenant_id", "email"),)

    email: Mapped[str] = mapped_column(String(320))
    password_hash: Mapped[str] = mapped_column(String(255))
    name: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[str] = mapped_column(String(16), default="active")
    # Platform authority (managing tenants): set only by the CLI, never through a tenant's API.
    is_platform_operator: Mapped[bool] = mapped_column(default=False, server_default=false())
    last_login_at: Mapped[datetime | None]
    password_changed_at: Mapped[datetime | None]
    metadata_: Mapped[dict[str, Any]] = mapped_column("metadata", default=dict)


class AuthSession(TenantOwned, IdMixin, TimestampMixin, Base):
    """A login: refresh tokens rotate inside it; revoking it ends every token of it."""

    __tablename__ = "sessions"
    __table_args__ = (Index("ix_sessions_tenant_user", "tenant_id", "user_id"),)

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    ip_address: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(512))
    last_used_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    revoked_reason: Mapped[str | None] = mapped_column(String(64))


class RefreshToken(TenantOwned, IdMixin, Base):
    """Every refresh token ever issued, stored as its SHA-256; a reused rotated one is theft."""

    __tablename__ = "refresh_tokens"
    __table_args__ = (UniqueConstraint("tenant_id", "token_hash"),)

    session_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("sessions.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64))
    issued_at: Mapped[datetime]
    rotated_at: Mapped[datetime | None]
