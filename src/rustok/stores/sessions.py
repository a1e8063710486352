"""The generations that guard cached sessions: one per tenant, and one per user of a tenant.

A replica may answer an authenticated request from the session state it read earlier only
while both tags are the ones it read that state under (`rustok.auth.cache`). Whatever changes a
session, an account or a role assignment bumps them in the unit of work that writes the change:
once before its commit, so that a bump the store refuses aborts the change (503) instead of
leaving replicas trusting the old state, and once after it, because a request that read the
database between the two still saw the old rows and cached them under the first new tag.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import structlog

from rustok.core.errors import Unavailable

if TYPE_CHECKING:
    import uuid

    from rustok.core.uow import UnitOfWork
    from rustok.stores.base import Generations

log = structlog.get_logger(__name__)


def _tenant_key(tenant_id: uuid.UUID) -> str:
    return f"auth:gen:{tenant_id}"


def _user_key(tenant_id: uuid.UUID, user_id: uuid.UUID) -> str:
    return f"auth:gen:{tenant_id}:{user_id}"


def _keys(tenant_id: uuid.UUID, user_id: uuid.UUID | None) -> tuple[str]:
    return (_tenant_key(tenant_id),) if user_id is None else (_user_key(tenant_id, user_id),)


class SessionGenerations:
    def __init__(self, generations: Generations) -> None:
        self._generations = generations

    async def read(self, tenant_id: uuid.UUID, user_id: uuid.UUID) -> tuple[str, ...]:
        """The tags a cached session of this user counts under now; raises `Unavailable`."""
        return await self._generations.read((_tenant_key(tenant_id), _user_key(tenant_id, user_id)))

    async def changing(
        self, uow: UnitOfWork, tenant_id: uuid.UUID, user_id: uuid.UUID | None = None
    ) -> None:
        """Inside `uow`, before it commits a change to this user's sessions, account or roles
        (or, without a user, to anything every user of the tenant is read with): no replica
        answers from what it cached before, from the very next request on."""
        keys = _keys(tenant_id, user_id)
        await self._generations.bump(keys)

        async def again() -> None:
            try:
                await self._generations.bump(keys)
            except Unavailable as error:
                # The change is committed; the first bump already voided every entry cached
                # before it, so only a request that read the database mid-transaction may
                # keep its stale entry, until the cache's TTL.
                log.error("auth.generation_bump_failed", keys=list(keys), error=error.message)

        uow.on_commit(again)

    async def changed(self, tenant_id: uuid.UUID, user_id: uuid.UUID | None = None) -> None:
        """After a change committed elsewhere (an event about it arrived): as `changing`."""
        await self._generations.bump(_keys(tenant_id, user_id))
