"""Event handlers of the auth module."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rustok.auth.events import UserUpdated
from rustok.events.handler import EventHandler
from rustok.rbac.events import RoleChanged

if TYPE_CHECKING:
    from rustok.bootstrap import Container
    from rustok.events.handler import HandlerContext
    from rustok.events.registry import DomainEvent


def session_cache_invalidation(container: Container) -> EventHandler:
    """Every process stops answering from sessions cached before a user or role change.

    The change's own unit of work already bumped the generations in its store; this reaches
    what that store does not: in the embedded mode (no Redis) a change made by another
    process, such as `rustok operator revoke`, which reaches the server through the outbox.
    Idempotent: a second bump only costs a reload.
    """
    auth = container.auth

    async def handle(context: HandlerContext, event: DomainEvent) -> None:
        tenant_id = context.envelope.tenant_id
        if tenant_id is None:
            return
        user_id = event.user_id if isinstance(event, UserUpdated | RoleChanged) else None
        await auth.forget_cached_sessions(tenant_id, user_id)

    return EventHandler(
        consumer="auth.session_cache_invalidation",
        event_types=frozenset({UserUpdated.event_type, RoleChanged.event_type}),
        handle=handle,
        broadcast=True,
    )
