"""Idempotency keys: a request sent again with the same `Idempotency-Key` gets the first answer.

A key is claimed (a row `in_flight`) in a short transaction of its own before the use case runs;
the use case writes its answer into that row in ITS unit of work (`Receipt.record_in`), so an
answer is stored exactly when the effect commits, and an effect without a stored answer cannot
exist. A request that fails leaves no key behind (`release_key`). ADR 0011;
`rustok.web.idempotency` puts this on a route.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import String, Text, UniqueConstraint, delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from rustok.core.clock import utcnow
from rustok.core.db import Base, IdMixin, TenantOwned
from rustok.core.errors import Conflict, FieldError, Invalid

if TYPE_CHECKING:
    from pydantic import BaseModel

    from rustok.core.uow import UnitOfWork

IN_FLIGHT = "in_flight"
COMPLETED = "completed"
HEADER = "Idempotency-Key"
KEY_PATTERN = r"^[A-Za-z0-9_.:\-]{8,255}$"
"""8 to 255 letters, digits, `_ . : -`: a UUID fits, a guessable word does not."""
_FIELD = f"header.{HEADER}"


class IdempotencyKeyReused(Invalid):
    """The key was first sent with another request (another body, method or path)."""

    code = "IDEMPOTENCY_KEY_REUSED"


class IdempotencyKeyInFlight(Conflict):
    """The first request with this key has not finished; repeat it once it has."""

    code = "IDEMPOTENCY_KEY_IN_FLIGHT"


class IdempotencyKey(TenantOwned, IdMixin, Base):
    """One key of one caller on one route: its request's fingerprint, and the answer once the
    request's use case committed. `claim` changes whenever a request takes the key over."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("tenant_id", "caller", "route", "key"),)

    caller: Mapped[str] = mapped_column(String(64))
    route: Mapped[str] = mapped_column(String(300))
    key: Mapped[str] = mapped_column(String(255))
    fingerprint: Mapped[str] = mapped_column(String(64))
    claim: Mapped[uuid.UUID]
    status: Mapped[str] = mapped_column(String(16))
    response_status: Mapped[int | None]
    response_body: Mapped[str | None] = mapped_column(Text)
    locked_until: Mapped[datetime]
    expires_at: Mapped[datetime] = mapped_column(index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


@dataclass(frozen=True, slots=True)
class KeyRequest:
    """What identifies a key (`caller`, `route`, `key`) and the request sent with it."""

    caller: str
    route: str
    key: str
    fingerprint: str


@dataclass(frozen=True, slots=True)
class Claim:
    """The right to run the request once: the key's row and this request's token."""

    id: uuid.UUID
    token: uuid.UUID


@dataclass(frozen=True, slots=True)
class StoredAnswer:
    status: int
    body: str


async def claim_key(
    uow: UnitOfWork,
    request: KeyRequest,
    *,
    ttl_seconds: float,
    in_flight_seconds: float,
) -> Claim | StoredAnswer:
    """Claim the key for this request, or the first request's answer to replay.

    Raises `IdempotencyKeyReused` for a live key sent with another request and
    `IdempotencyKeyInFlight` while the first request runs. An expired key, or one whose request
    died without an answer (`in_flight_seconds` passed), is taken over atomically."""
    if uow.tenant_id is None:
        raise RuntimeError("idempotency keys belong to a tenant: use a tenant's unit of work")
    now = utcnow()
    token = uuid.uuid4()
    session = uow.session
    row = await _row(uow, request)
    if row is None:
        fresh = IdempotencyKey(
            tenant_id=uow.tenant_id,
            caller=request.caller,
            route=request.route,
            key=request.key,
            fingerprint=request.fingerprint,
            claim=token,
            status=IN_FLIGHT,
            locked_until=now + timedelta(seconds=in_flight_seconds),
            expires_at=now + timedelta(seconds=ttl_seconds),
        )
        try:
            async with session.begin_nested():
                session.add(fresh)
        except IntegrityError:
            # Another request inserted it meanwhile (PostgreSQL waited for it to commit).
            row = await _row(uow, request)
            if row is None:  # and its request failed and released it since: ask again
                raise IdempotencyKeyInFlight(
                    "A request with this Idempotency-Key is running; repeat it later.",
                    fields=[FieldError(_FIELD, "in flight")],
                ) from None
        else:
            return Claim(fresh.id, token)
    if row.expires_at > now:
        if row.fingerprint != request.fingerprint:
            raise IdempotencyKeyReused(
                "This Idempotency-Key was sent with another request; use a new key.",
                fields=[FieldError(_FIELD, "already used for another request")],
            )
        if row.status == COMPLETED and row.response_status is not None:
            return StoredAnswer(row.response_status, row.response_body or "")
        if row.locked_until > now:
            raise IdempotencyKeyInFlight(
                "A request with this Idempotency-Key is running; repeat it later.",
                fields=[FieldError(_FIELD, "in flight")],
            )
    taken = await session.execute(
        update(IdempotencyKey)
        .where(
            IdempotencyKey.tenant_id == uow.tenant_id,
            IdempotencyKey.id == row.id,
            IdempotencyKey.claim == row.claim,
        )
        .values(
            fingerprint=request.fingerprint,
            claim=token,
            status=IN_FLIGHT,
            response_status=None,
            response_body=None,
            locked_until=now + timedelta(seconds=in_flight_seconds),
            expires_at=now + timedelta(seconds=ttl_seconds),
            created_at=now,
        )
        .returning(IdempotencyKey.id)
        .execution_options(synchronize_session=False)
    )
    if taken.scalar_one_or_none() is None:
        raise IdempotencyKeyInFlight(
            "A request with this Idempotency-Key is running; repeat it later.",
            fields=[FieldError(_FIELD, "in flight")],
        )
    return Claim(row.id, token)


async def _row(uow: UnitOfWork, request: KeyRequest) -> IdempotencyKey | None:
    return await uow.session.scalar(
        select(IdempotencyKey)
        .where(
            IdempotencyKey.tenant_id == uow.tenant_id,
            IdempotencyKey.caller == request.caller,
            IdempotencyKey.route == request.route,
            IdempotencyKey.key == request.key,
        )
        .execution_options(populate_existing=True)
    )


async def release_key(uow: UnitOfWork, claim: Claim) -> None:
    """Forget a claimed key whose request failed (its use case rolled back)."""
    await uow.session.execute(
        delete(IdempotencyKey).where(
            IdempotencyKey.tenant_id == uow.tenant_id,
            IdempotencyKey.id == claim.id,
            IdempotencyKey.claim == claim.token,
            IdempotencyKey.status == IN_FLIGHT,
        )
    )


async def prune_keys(uow: UnitOfWork, now: datetime | None = None) -> int:
    """Delete expired keys (a platform unit of work: every tenant's); returns how many."""
    result = await uow.session.execute(
        delete(IdempotencyKey)
        .where(IdempotencyKey.expires_at <= (now or utcnow()))
        .returning(IdempotencyKey.id)
    )
    return len(result.scalars().all())


class Receipt:
    """Stores a use case's answer under a claimed key, inside the use case's unit of work:
    a service calls `record_in(uow, answer)` just before it commits."""

    def __init__(self, claim: Claim, status: int) -> None:
        self.claim = claim
        self.status = status
        self.body: str | None = None

    async def record_in(self, uow: UnitOfWork, answer: BaseModel) -> None:
        body = answer.model_dump_json()
        stored = await uow.session.execute(
            update(IdempotencyKey)
            .where(
                IdempotencyKey.tenant_id == uow.tenant_id,
                IdempotencyKey.id == self.claim.id,
                IdempotencyKey.claim == self.claim.token,
                IdempotencyKey.status == IN_FLIGHT,
            )
            .values(status=COMPLETED, response_status=self.status, response_body=body)
            .returning(IdempotencyKey.id)
            .execution_options(synchronize_session=False)
        )
        if stored.scalar_one_or_none() is None:
            # Taken over after `in_flight_seconds`: the other request answers; this one
            # must not commit its effect a second time.
            raise IdempotencyKeyInFlight(
                "This request took too long; its Idempotency-Key was taken over.",
                fields=[FieldError(_FIELD, "taken over")],
            )
        self.body = body
