"""Idempotency keys (ADR 0011): a claim, its answer written in the use case's unit of work, a
replay, a refusal of another request, take-over of a dead or expired claim, and pruning."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from pydantic import BaseModel

from rustok.core.idempotency import (
    Claim,
    IdempotencyKeyInFlight,
    IdempotencyKeyReused,
    KeyRequest,
    Receipt,
    StoredAnswer,
    claim_key,
    prune_keys,
    release_key,
)

if TYPE_CHECKING:
    from rustok.bootstrap import Container
    from rustok.tenancy.schemas import TenantDetail

FIRST = KeyRequest("anonymous", "POST /api/things", "key-00000001", "a" * 64)
OTHER_BODY = KeyRequest("anonymous", "POST /api/things", "key-00000001", "b" * 64)


class Answer(BaseModel):
    value: int


async def _claim(
    container: Container,
    tenant: TenantDetail,
    request: KeyRequest = FIRST,
    *,
    ttl: float = 3600,
    in_flight: float = 60,
) -> Claim | StoredAnswer:
    async with container.uow(tenant.id) as uow:
        outcome = await claim_key(uow, request, ttl_seconds=ttl, in_flight_seconds=in_flight)
        await uow.commit()
    return outcome


async def _record(container: Container, tenant: TenantDetail, claim: Claim, value: int) -> None:
    async with container.uow(tenant.id) as uow:
        await Receipt(claim, 201).record_in(uow, Answer(value=value))
        await uow.commit()


async def test_a_recorded_answer_is_replayed_and_another_request_refused(
    container: Container, tenant: TenantDetail
) -> None:
    claim = await _claim(container, tenant)
    assert isinstance(claim, Claim)
    with pytest.raises(IdempotencyKeyInFlight):
        await _claim(container, tenant)

    await _record(container, tenant, claim, 7)

    assert await _claim(container, tenant) == StoredAnswer(201, '{"value":7}')
    with pytest.raises(IdempotencyKeyReused):
        await _claim(container, tenant, OTHER_BODY)
    other_caller = KeyRequest("user-1", FIRST.route, FIRST.key, FIRST.fingerprint)
    assert isinstance(await _claim(container, tenant, other_caller), Claim)


async def test_a_released_key_runs_again(container: Container, tenant: TenantDetail) -> None:
    claim = await _claim(container, tenant)
    assert isinstance(claim, Claim)

    async with container.uow(tenant.id) as uow:
        await release_key(uow, claim)
        await uow.commit()

    assert isinstance(await _claim(container, tenant, OTHER_BODY), Claim)


async def test_a_dead_claim_is_taken_over_and_its_late_answer_refused(
    container: Container, tenant: TenantDetail
) -> None:
    dead = await _claim(container, tenant, in_flight=0)
    assert isinstance(dead, Claim)

    successor = await _claim(container, tenant)
    assert isinstance(successor, Claim)
    with pytest.raises(IdempotencyKeyInFlight):
        await _record(container, tenant, dead, 1)
    await _record(container, tenant, successor, 2)

    assert await _claim(container, tenant) == StoredAnswer(201, '{"value":2}')


async def test_an_expired_key_is_a_new_key_and_is_pruned(
    container: Container, tenant: TenantDetail
) -> None:
    claim = await _claim(container, tenant, ttl=0)
    assert isinstance(claim, Claim)
    await _record(container, tenant, claim, 1)

    again = await _claim(container, tenant, OTHER_BODY, ttl=0)
    assert isinstance(again, Claim)
    async with container.uow.platform() as uow:
        pruned = await prune_keys(uow)
        await uow.commit()

    assert pruned == 1
    assert isinstance(await _claim(container, tenant), Claim)
