"""Tables of the pages module. A page is a content node (kind `page`); its blocks and the
menus are rows here, each pointing at its page, menu or parent item through a composite
foreign key that carries the tenant, so nothing here can point into another tenant."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from rustok.core.db import Base, IdMixin, TenantOwned, TimestampMixin

LOCATIONS = ("header", "footer", "sidebar", "mobile")


def _tenant_fk(column: str, table: str, *, name: str) -> ForeignKeyConstraint:
    return ForeignKeyConstraint(
        ["tenant_id", column], [f"{table}.tenant_id", f"{table}.id"], name=name, ondelete="CASCADE"
    )


class Block(TenantOwned, IdMixin, TimestampMixin, Base):
    """One block of a page: its type, place and data (`translations`: data per locale that
    replaces `data` when that locale is read)."""

    __tablename__ = "pages_blocks"
    __table_args__ = (
        _tenant_fk("page_id", "content_nodes", name="fk_pages_blocks_page"),
        Index("ix_pages_blocks_page", "tenant_id", "page_id", "position"),
    )

    page_id: Mapped[uuid.UUID]
    type: Mapped[str] = mapped_column(String(64))
    position: Mapped[int] = mapped_column(Integer, default=0)
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    translations: Mapped[dict[str, Any]] = mapped_column(default=dict)


class Menu(TenantOwned, IdMixin, TimestampMixin, Base):
    __tablename__ = "pages_menus"
    __table_args__ = (
        UniqueConstraint("tenant_id", "id", name="uq_pages_menus_tenant_id_id"),
        CheckConstraint(
            "location IN (" + ", ".join(repr(value) for value in LOCATIONS) + ")", name="location"
        ),
        Index("ix_pages_menus_location", "tenant_id", "location"),
    )

    name: Mapped[str] = mapped_column(String(255))
    location: Mapped[str] = mapped_column(String(16))
    version: Mapped[int] = mapped_column(Integer, default=1)


class MenuItem(TenantOwned, IdMixin, TimestampMixin, Base):
    """An item links to a URL or to a page (exactly one); `labels` maps locale to label."""

    __tablename__ = "pages_menu_items"
    __table_args__ = (
        UniqueConstraint("tenant_id", "id", name="uq_pages_menu_items_tenant_id_id"),
        _tenant_fk("menu_id", "pages_menus", name="fk_pages_menu_items_menu"),
        _tenant_fk("parent_id", "pages_menu_items", name="fk_pages_menu_items_parent"),
        _tenant_fk("page_id", "content_nodes", name="fk_pages_menu_items_page"),
        CheckConstraint("(url IS NULL) <> (page_id IS NULL)", name="link"),
        Index("ix_pages_menu_items_menu", "tenant_id", "menu_id", "position"),
    )

    menu_id: Mapped[uuid.UUID]
    parent_id: Mapped[uuid.UUID | None]
    position: Mapped[int] = mapped_column(Integer, default=0)
    labels: Mapped[dict[str, Any]] = mapped_column(default=dict)
    url: Mapped[str | None] = mapped_column(String(2048))
    page_id: Mapped[uuid.UUID | None]
