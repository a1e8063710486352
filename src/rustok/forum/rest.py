"""REST of the forum module: categories, topics, replies and their moderation.

Reads are public: anyone sees categories, topics and approved replies. A caller who sends a
token and may moderate replies (`forum_replies:manage`) sees every reply status as well.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response

from rustok.core.cursor import CursorPage, CursorParams
from rustok.core.permissions import Action, Permission, Reach, Scope
from rustok.forum.permissions import FORUM_CATEGORIES, FORUM_REPLIES, FORUM_TOPICS
from rustok.forum.schemas import (
    ForumCategoryCreate,
    ForumCategoryRead,
    ForumCategoryUpdate,
    ReplyCreate,
    ReplyModerate,
    ReplyQuery,
    ReplyRead,
    ReplyUpdate,
    TopicCreate,
    TopicQuery,
    TopicRead,
    TopicUpdate,
)
from rustok.forum.service import ForumCategoryService, ReplyService, TopicService
from rustok.tenancy.schemas import Locale
from rustok.web.access import (
    Access,
    ContainerDep,
    TenantDep,
    container_of,
    get_principal,
    public,
    require,
)

router = APIRouter(prefix="/forum")
# Path parameters are named apart from other modules' (content and commerce have categories).

LocaleQuery = Annotated[
    Locale | None,
    Query(description="Serve this locale (falling back along the tenant's chain)."),
]
Public = Annotated[None, public()]
_MODERATE = Permission(FORUM_REPLIES, Action.MANAGE)


async def moderator_reach(request: Request) -> Reach | None:
    """How far the caller's `forum_replies:manage` reaches, when it sent a token; None for the
    public and for callers who may not moderate (they see approved replies only). GraphQL's
    reads and reply creation use it too."""
    if "authorization" not in request.headers:
        return None
    principal = await get_principal(request)
    scope = await container_of(request).permissions.scope_for(
        principal.tenant_id, principal.roles, _MODERATE
    )
    if scope is Scope.NONE:
        return None
    return Reach(_MODERATE, scope, principal.user_id)


Moderator = Annotated[Reach | None, Depends(moderator_reach)]
# A public read still checks a token that is sent: a bad one is refused, not ignored.
_BAD_TOKEN: dict[int | str, dict[str, Any]] = {
    401: {"description": "A token was sent and is not valid (`UNAUTHENTICATED`)."}
}


@router.get(
    "/categories", response_model=CursorPage[ForumCategoryRead], summary="List forum categories"
)
async def list_categories(
    container: ContainerDep,
    tenant: TenantDep,
    page: Annotated[CursorParams, Depends()],
    _: Public,
    locale: LocaleQuery = None,
) -> CursorPage[ForumCategoryRead]:
    return await container.service(ForumCategoryService).list_categories(
        tenant.id, after=page.after, limit=page.limit, locale=locale
    )


@router.post(
    "/categories",
    response_model=ForumCategoryRead,
    status_code=201,
    summary="Create a forum category",
)
async def create_category(
    data: ForumCategoryCreate,
    container: ContainerDep,
    tenant: TenantDep,
    access: Annotated[Access, require(FORUM_CATEGORIES, Action.CREATE)],
) -> ForumCategoryRead:
    return await container.service(ForumCategoryService).create(tenant.id, data, reach=access.reach)


@router.get(
    "/categories/{forum_category_id}",
    response_model=ForumCategoryRead,
    summary="One forum category",
)
async def get_category(
    forum_category_id: uuid.UUID,
    container: ContainerDep,
    tenant: TenantDep,
    _: Public,
    locale: LocaleQuery = None,
) -> ForumCategoryRead:
    return await container.service(ForumCategoryService).get(
        tenant.id, forum_category_id, locale=locale
    )


@router.patch(
    "/categories/{forum_category_id}",
    response_model=ForumCategoryRead,
    summary="Update a forum category",
)
async def update_category(
    forum_category_id: uuid.UUID,
    data: ForumCategoryUpdate,
    container: ContainerDep,
    tenant: TenantDep,
    access: Annotated[Access, require(FORUM_CATEGORIES, Action.UPDATE)],
) -> ForumCategoryRead:
    return await container.service(ForumCategoryService).update(
        tenant.id, forum_category_id, data, reach=access.reach
    )


@router.delete(
    "/categories/{forum_category_id}",
    status_code=204,
    summary="Delete a forum category without topics",
)
async def delete_category(
    forum_category_id: uuid.UUID,
    container: ContainerDep,
    tenant: TenantDep,
    access: Annotated[Access, require(FORUM_CATEGORIES, Action.DELETE)],
) -> Response:
    await container.service(ForumCategoryService).delete(
        tenant.id, forum_category_id, reach=access.reach
    )
    return Response(status_code=204)


@router.get(
    "/topics",
    response_model=CursorPage[TopicRead],
    summary="List topics: pinned first, then the latest activity",
)
async def list_topics(
    container: ContainerDep,
    tenant: TenantDep,
    query: Annotated[TopicQuery, Depends()],
    page: Annotated[CursorParams, Depends()],
    _: Public,
) -> CursorPage[TopicRead]:
    return await container.service(TopicService).list_topics(
        tenant.id, query, after=page.after, limit=page.limit
    )


@router.post("/topics", response_model=TopicRead, status_code=201, summary="Open a topic")
async def create_topic(
    data: TopicCreate,
    container: ContainerDep,
    tenant: TenantDep,
    access: Annotated[Access, require(FORUM_TOPICS, Action.CREATE)],
) -> TopicRead:
    return await container.service(TopicService).create(tenant.id, data, reach=access.reach)


@router.get("/topics/{topic_id}", response_model=TopicRead, summary="One topic")
async def get_topic(
    topic_id: uuid.UUID,
    container: ContainerDep,
    tenant: TenantDep,
    _: Public,
    locale: LocaleQuery = None,
) -> TopicRead:
    return await container.service(TopicService).get(tenant.id, topic_id, locale=locale)


@router.patch("/topics/{topic_id}", response_model=TopicRead, summary="Update a topic")
async def update_topic(
    topic_id: uuid.UUID,
    data: TopicUpdate,
    container: ContainerDep,
    tenant: TenantDep,
    access: Annotated[Access, require(FORUM_TOPICS, Action.UPDATE)],
) -> TopicRead:
    return await container.service(TopicService).update(
        tenant.id, topic_id, data, reach=access.reach
    )


@router.delete("/topics/{topic_id}", status_code=204, summary="Delete a topic")
async def delete_topic(
    topic_id: uuid.UUID,
    container: ContainerDep,
    tenant: TenantDep,
    access: Annotated[Access, require(FORUM_TOPICS, Action.DELETE)],
) -> Response:
    await container.service(TopicService).delete(tenant.id, topic_id, reach=access.reach)
    return Response(status_code=204)


@router.post("/topics/{topic_id}/pin", response_model=TopicRead, summary="Pin a topic")
async def pin_topic(
    topic_id: uuid.UUID,
    container: ContainerDep,
    tenant: TenantDep,
    access: Annotated[Access, require(FORUM_TOPICS, Action.MANAGE)],
) -> TopicRead:
    return await container.service(TopicService).pin(tenant.id, topic_id, reach=access.reach)


@router.post("/topics/{topic_id}/unpin", response_model=TopicRead, summary="Unpin a topic")
async def unpin_topic(
    topic_id: uuid.UUID,
    container: ContainerDep,
    tenant: TenantDep,
    access: Annotated[Access, require(FORUM_TOPICS, Action.MANAGE)],
) -> TopicRead:
    return await container.service(TopicService).unpin(tenant.id, topic_id, reach=access.reach)


@router.post(
    "/topics/{topic_id}/lock", response_model=TopicRead, summary="Lock a topic (no replies)"
)
async def lock_topic(
    topic_id: uuid.UUID,
    container: ContainerDep,
    tenant: TenantDep,
    access: Annotated[Access, require(FORUM_TOPICS, Action.MANAGE)],
) -> TopicRead:
    return await container.service(TopicService).lock(tenant.id, topic_id, reach=access.reach)


@router.post("/topics/{topic_id}/unlock", response_model=TopicRead, summary="Unlock a topic")
async def unlock_topic(
    topic_id: uuid.UUID,
    container: ContainerDep,
    tenant: TenantDep,
    access: Annotated[Access, require(FORUM_TOPICS, Action.MANAGE)],
) -> TopicRead:
    return await container.service(TopicService).unlock(tenant.id, topic_id, reach=access.reach)


@router.get(
    "/topics/{topic_id}/replies",
    response_model=CursorPage[ReplyRead],
    summary="A topic's replies, flat or threaded",
    responses=_BAD_TOKEN,
)
async def list_replies(
    topic_id: uuid.UUID,
    container: ContainerDep,
    tenant: TenantDep,
    query: Annotated[ReplyQuery, Depends()],
    page: Annotated[CursorParams, Depends()],
    moderator: Moderator,
    _: Public,
) -> CursorPage[ReplyRead]:
    return await container.service(ReplyService).list_replies(
        tenant.id,
        topic_id,
        view=query.view,
        after=page.after,
        limit=page.limit,
        moderator=moderator,
    )


@router.post(
    "/topics/{topic_id}/replies",
    response_model=ReplyRead,
    status_code=201,
    summary="Reply to a topic or to one of its replies",
)
async def create_reply(
    topic_id: uuid.UUID,
    data: ReplyCreate,
    container: ContainerDep,
    tenant: TenantDep,
    access: Annotated[Access, require(FORUM_REPLIES, Action.CREATE)],
    moderator: Moderator,
) -> ReplyRead:
    return await container.service(ReplyService).create(
        tenant.id, topic_id, data, reach=access.reach, moderator=moderator
    )


@router.get(
    "/replies/{reply_id}", response_model=ReplyRead, summary="One reply", responses=_BAD_TOKEN
)
async def get_reply(
    reply_id: uuid.UUID,
    container: ContainerDep,
    tenant: TenantDep,
    moderator: Moderator,
    _: Public,
) -> ReplyRead:
    return await container.service(ReplyService).get(tenant.id, reply_id, moderator=moderator)


@router.patch("/replies/{reply_id}", response_model=ReplyRead, summary="Edit a reply")
async def update_reply(
    reply_id: uuid.UUID,
    data: ReplyUpdate,
    container: ContainerDep,
    tenant: TenantDep,
    access: Annotated[Access, require(FORUM_REPLIES, Action.UPDATE)],
) -> ReplyRead:
    return await container.service(ReplyService).update(
        tenant.id, reply_id, data, reach=access.reach
    )


@router.delete("/replies/{reply_id}", status_code=204, summary="Delete a reply")
async def delete_reply(
    reply_id: uuid.UUID,
    container: ContainerDep,
    tenant: TenantDep,
    access: Annotated[Access, require(FORUM_REPLIES, Action.DELETE)],
) -> Response:
    await container.service(ReplyService).delete(tenant.id, reply_id, reach=access.reach)
    return Response(status_code=204)


@router.post(
    "/replies/{reply_id}/moderate",
    response_model=ReplyRead,
    summary="Approve, reject or hide a reply",
)
async def moderate_reply(
    reply_id: uuid.UUID,
    data: ReplyModerate,
    container: ContainerDep,
    tenant: TenantDep,
    access: Annotated[Access, require(FORUM_REPLIES, Action.MANAGE)],
) -> ReplyRead:
    return await container.service(ReplyService).moderate(
        tenant.id, reply_id, data.status, reach=access.reach
    )
