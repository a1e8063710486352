"""Admin REST for the dead-letter queue of the caller's tenant (`/api/admin/events/dlq`)."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query

from rustok.core.pagination import Page, PageParams
from rustok.core.permissions import Action
from rustok.events.dlq import DeadLetterFilter, DeadLetterView
from rustok.events.permissions import EVENTS
from rustok.web.access import Access, ContainerDep, TenantDep, require

router = APIRouter(prefix="/admin/events", tags=["events"])

Status = Literal["open", "replayed", "discarded"]


@router.get("/dlq", response_model=Page[DeadLetterView], summary="Dead letters of this tenant")
async def list_dead_letters(
    container: ContainerDep,
    tenant: TenantDep,
    page: Annotated[PageParams, Depends()],
    _: Annotated[Access, require(EVENTS, Action.LIST)],
    status: Annotated[Status | None, Query()] = "open",
    consumer: Annotated[str | None, Query(max_length=128)] = None,
    event_type: Annotated[str | None, Query(max_length=128)] = None,
) -> Page[DeadLetterView]:
    where = DeadLetterFilter(
        tenant_id=tenant.id, status=status, consumer=consumer, event_type=event_type
    )
    items, total = await container.events.dead_letters.list(
        where, offset=page.offset, limit=page.limit
    )
    return Page(items=items, total=total, offset=page.offset, limit=page.limit)


@router.get("/dlq/{dead_letter_id}", response_model=DeadLetterView, summary="One dead letter")
async def get_dead_letter(
    dead_letter_id: uuid.UUID,
    container: ContainerDep,
    tenant: TenantDep,
    _: Annotated[Access, require(EVENTS, Action.READ)],
) -> DeadLetterView:
    return await container.events.dead_letters.get(dead_letter_id, tenant_id=tenant.id)


@router.post(
    "/dlq/{dead_letter_id}/replay",
    response_model=DeadLetterView,
    summary="Deliver a dead letter again to its consumer only",
)
async def replay_dead_letter(
    dead_letter_id: uuid.UUID,
    container: ContainerDep,
    tenant: TenantDep,
    _: Annotated[Access, require(EVENTS, Action.UPDATE)],
) -> DeadLetterView:
    return await container.events.replay(dead_letter_id, tenant_id=tenant.id)


@router.post(
    "/dlq/{dead_letter_id}/discard", response_model=DeadLetterView, summary="Give up on it"
)
async def discard_dead_letter(
    dead_letter_id: uuid.UUID,
    container: ContainerDep,
    tenant: TenantDep,
    _: Annotated[Access, require(EVENTS, Action.UPDATE)],
) -> DeadLetterView:
    return await container.events.dead_letters.discard(dead_letter_id, tenant_id=tenant.id)
