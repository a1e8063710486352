"""Authenticated sessions' state, kept per (tenant, session) so that a read runs no SQL.

An entry counts only while the tenant's and the user's generations (`rustok.stores.sessions`)
still carry the tags it was read under; the tags are read on every request, before the
database would be, so a logout, revoke-all, password change, role assignment or operator
change on any replica sharing the store refuses the old state on the very next request. An
entry also ends after `ttl_seconds` (what reaches this process only through the database,
such as a CLI change in the embedded mode without Redis, shows within that time) and when the
session's own expiry passes (the database then says whether a refresh moved it).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

import structlog

from rustok.core.errors import Unavailable

if TYPE_CHECKING:
    import uuid
    from collections.abc import Callable

    from rustok.auth.repository import SessionState
    from rustok.stores.sessions import SessionGenerations

log = structlog.get_logger(__name__)

SESSIONS_KEPT = 10_000
"""Entries at most (a few MB); the oldest goes first."""


@dataclass(frozen=True, slots=True)
class _Entry:
    user_id: uuid.UUID
    tags: tuple[str, ...]
    fresh_until: float
    state: SessionState


class SessionCache:
    def __init__(
        self,
        generations: SessionGenerations,
        *,
        ttl_seconds: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._generations = generations
        self._ttl = ttl_seconds
        self._clock = clock
        self._entries: dict[tuple[uuid.UUID, uuid.UUID], _Entry] = {}

    async def tags(self, tenant_id: uuid.UUID, user_id: uuid.UUID) -> tuple[str, ...] | None:
        """The tags to look up and store under; None when the store cannot say (then the
        database answers, and nothing is cached)."""
        try:
            return await self._generations.read(tenant_id, user_id)
        except Unavailable as error:
            log.warning("auth.session_cache_unavailable", error=error.message)
            return None

    def get(
        self,
        tenant_id: uuid.UUID,
        session_id: uuid.UUID,
        user_id: uuid.UUID,
        tags: tuple[str, ...],
    ) -> SessionState | None:
        entry = self._entries.get((tenant_id, session_id))
        if entry is None:
            return None
        if entry.tags != tags or entry.user_id != user_id or entry.fresh_until <= self._clock():
            del self._entries[tenant_id, session_id]
            return None
        return entry.state

    def put(
        self,
        tenant_id: uuid.UUID,
        session_id: uuid.UUID,
        user_id: uuid.UUID,
        tags: tuple[str, ...],
        state: SessionState,
    ) -> None:
        key = (tenant_id, session_id)
        if key not in self._entries and len(self._entries) >= SESSIONS_KEPT:
            del self._entries[next(iter(self._entries))]
        self._entries[key] = _Entry(user_id, tags, self._clock() + self._ttl, state)

    def forget(self, tenant_id: uuid.UUID, session_id: uuid.UUID) -> None:
        self._entries.pop((tenant_id, session_id), None)
