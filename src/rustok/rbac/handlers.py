"""Event handlers of the RBAC module."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rustok.events.handler import EventHandler
from rustok.rbac.events import RoleChanged

if TYPE_CHECKING:
    from rustok.bootstrap import Container
    from rustok.events.handler import HandlerContext
    from rustok.events.registry import DomainEvent


def permission_cache_invalidation(container: Container) -> EventHandler:
    """Every process drops its cached grants of a tenant whose roles changed anywhere.

    Idempotent: dropping a cache entry twice is the same as once.
    """
    checker = container.permissions

    async def handle(context: HandlerContext, event: DomainEvent) -> None:
        if context.envelope.tenant_id is not None:
            checker.drop_local(context.envelope.tenant_id)

    return EventHandler(
        consumer="rbac.cache_invalidation",
        event_types=frozenset({RoleChanged.event_type}),
        handle=handle,
        broadcast=True,
    )
