"""Event handlers of the tenancy module."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rustok.events.handler import EventHandler
from rustok.tenancy.events import CACHE_EVENTS

if TYPE_CHECKING:
    from rustok.bootstrap import Container
    from rustok.events.handler import HandlerContext
    from rustok.events.registry import DomainEvent


def tenant_cache_invalidation(container: Container) -> EventHandler:
    """Every process drops its cached copy of a tenant that changed anywhere.

    Idempotent: dropping a cache entry twice is the same as once.
    """
    resolver = container.tenant_resolver

    async def handle(context: HandlerContext, event: DomainEvent) -> None:
        if context.envelope.tenant_id is not None:
            resolver.drop_local(context.envelope.tenant_id)

    return EventHandler(
        consumer="tenancy.cache_invalidation",
        event_types=CACHE_EVENTS,
        handle=handle,
        broadcast=True,
    )
