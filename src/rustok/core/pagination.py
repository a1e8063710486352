"""Offset pagination shared by list endpoints."""

from __future__ import annotations

from typing import Generic, TypeVar

from pydantic import BaseModel, Field

T = TypeVar("T")

MAX_PAGE_SIZE = 100


class PageParams(BaseModel):
    offset: int = Field(default=0, ge=0, le=1_000_000)
    limit: int = Field(default=20, ge=1, le=MAX_PAGE_SIZE)


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int
    offset: int
    limit: int
