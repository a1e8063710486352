"""The demo shop's stock."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import uuid

    from rustok.bootstrap import Container


async def seed(container: Container, tenant_id: uuid.UUID) -> None:
    """Stock the demo shop, once."""
