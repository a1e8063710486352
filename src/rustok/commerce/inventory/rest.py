"""REST of inventory under `/api/commerce/`."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/commerce")
