"""Who is calling: the authenticated user of the current request."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import uuid


@dataclass(frozen=True, slots=True)
class Principal:
    user_id: uuid.UUID
    tenant_id: uuid.UUID
    session_id: uuid.UUID
    email: str
    roles: tuple[str, ...]
    is_operator: bool = False
    """A platform operator may manage tenants (from any tenant it logs in to)."""
