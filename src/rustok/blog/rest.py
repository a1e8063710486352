"""REST of the blog module: posts, their comments, comment moderation and the tenant's
comment rules.

Reads are public: anyone sees published posts and approved comments. A caller who sends a
token sees more when it may update posts (its `posts:update` reach) or moderate comments
(`comments:update`). Commenting is public too: a signed-in caller needs `comments:create`,
a guest gives a name and an e-mail, where the tenant takes guests' comments.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request, Response

from rustok.blog.permissions import BLOG_SETTINGS, COMMENTS, POSTS
from rustok.blog.schemas import (
    BlogSettingsRead,
    BlogSettingsUpdate,
    CommentCreate,
    CommentQuery,
    CommentRead,
    PostCreate,
    PostQuery,
    PostRead,
    PostUpdate,
)
from rustok.blog.service import Commenter, CommentService, PostService
from rustok.core.cursor import CursorPage, CursorParams
from rustok.core.errors import Forbidden
from rustok.core.permissions import Action, Permission, Reach, Scope
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

router = APIRouter(prefix="/blog")

LocaleQuery = Annotated[
    Locale | None,
    Query(description="Serve this locale (falling back along the tenant's chain)."),
]
SlugPath = Annotated[str, Path(min_length=1, max_length=255, examples=["hello-blog"])]
Public = Annotated[None, public()]
_EDIT_POSTS = Permission(POSTS, Action.UPDATE)
_MODERATE = Permission(COMMENTS, Action.UPDATE)
_COMMENT = Permission(COMMENTS, Action.CREATE)
# A public read still checks a token that is sent: a bad one is refused, not ignored.
_BAD_TOKEN: dict[int | str, dict[str, Any]] = {
    401: {"description": "A token was sent and is not valid (`UNAUTHENTICATED`)."}
}


async def _reach(request: Request, permission: Permission) -> Reach | None:
    """How far the caller's `permission` reaches, when it sent a token; None otherwise."""
    if "authorization" not in request.headers:
        return None
    principal = await get_principal(request)
    scope = await container_of(request).permissions.scope_for(
        principal.tenant_id, principal.roles, permission
    )
    if scope is Scope.NONE:
        return None
    return Reach(permission, scope, principal.user_id)


async def post_reader(request: Request) -> Reach | None:
    """An editor's `posts:update` reach (drafts too); None for the public (GraphQL too)."""
    return await _reach(request, _EDIT_POSTS)


async def is_moderator(request: Request) -> bool:
    """Whether the caller moderates every comment (`comments:update` over all)."""
    reach = await _reach(request, _MODERATE)
    return reach is not None and reach.scope is Scope.ALL


async def commenter(request: Request) -> Commenter:
    """A guest without a token; with one, a user who needs `comments:create`."""
    if "authorization" not in request.headers:
        return Commenter(user_id=None)
    principal = await get_principal(request)
    if await _reach(request, _COMMENT) is None:
        raise Forbidden(f"You lack the permission {_COMMENT}.", code="FORBIDDEN")
    return Commenter(user_id=principal.user_id, moderator=await is_moderator(request))


Reader = Annotated[Reach | None, Depends(post_reader)]
Moderator = Annotated[bool, Depends(is_moderator)]


@router.get(
    "/posts", response_model=CursorPage[PostRead], summary="List posts", responses=_BAD_TOKEN
)
async def list_posts(
    container: ContainerDep,
    tenant: TenantDep,
    query: Annotated[PostQuery, Depends()],
    page: Annotated[CursorParams, Depends()],
    reader: Reader,
    _: Public,
) -> CursorPage[PostRead]:
    return await container.service(PostService).list_posts(
        tenant.id, query, after=page.after, limit=page.limit, reader=reader
    )


@router.post("/posts", response_model=PostRead, status_code=201, summary="Create a post")
async def create_post(
    data: PostCreate,
    container: ContainerDep,
    tenant: TenantDep,
    access: Annotated[Access, require(POSTS, Action.CREATE)],
) -> PostRead:
    return await container.service(PostService).create(tenant.id, data, reach=access.reach)


@router.get(
    "/posts/by-slug/{post_slug}",
    response_model=PostRead,
    summary="The post with this slug",
    responses=_BAD_TOKEN,
)
async def get_post_by_slug(
    post_slug: SlugPath,
    container: ContainerDep,
    tenant: TenantDep,
    reader: Reader,
    _: Public,
    locale: LocaleQuery = None,
) -> PostRead:
    return await container.service(PostService).get_by_slug(
        tenant.id, post_slug.lower(), reader=reader, locale=locale
    )


@router.get("/posts/{post_id}", response_model=PostRead, summary="One post", responses=_BAD_TOKEN)
async def get_post(
    post_id: uuid.UUID,
    container: ContainerDep,
    tenant: TenantDep,
    reader: Reader,
    _: Public,
    locale: LocaleQuery = None,
) -> PostRead:
    return await container.service(PostService).get(
        tenant.id, post_id, reader=reader, locale=locale
    )


@router.patch("/posts/{post_id}", response_model=PostRead, summary="Update a post")
async def update_post(
    post_id: uuid.UUID,
    data: PostUpdate,
    container: ContainerDep,
    tenant: TenantDep,
    access: Annotated[Access, require(POSTS, Action.UPDATE)],
) -> PostRead:
    return await container.service(PostService).update(tenant.id, post_id, data, reach=access.reach)


@router.delete("/posts/{post_id}", status_code=204, summary="Delete a post (restorable)")
async def delete_post(
    post_id: uuid.UUID,
    container: ContainerDep,
    tenant: TenantDep,
    access: Annotated[Access, require(POSTS, Action.DELETE)],
) -> Response:
    await container.service(PostService).delete(tenant.id, post_id, reach=access.reach)
    return Response(status_code=204)


@router.post("/posts/{post_id}/publish", response_model=PostRead, summary="Publish a post")
async def publish_post(
    post_id: uuid.UUID,
    container: ContainerDep,
    tenant: TenantDep,
    access: Annotated[Access, require(POSTS, Action.UPDATE)],
) -> PostRead:
    return await container.service(PostService).publish(tenant.id, post_id, reach=access.reach)


@router.post(
    "/posts/{post_id}/unpublish", response_model=PostRead, summary="Take a post back to draft"
)
async def unpublish_post(
    post_id: uuid.UUID,
    container: ContainerDep,
    tenant: TenantDep,
    access: Annotated[Access, require(POSTS, Action.UPDATE)],
) -> PostRead:
    return await container.service(PostService).unpublish(tenant.id, post_id, reach=access.reach)


@router.get(
    "/posts/{post_id}/comments",
    response_model=CursorPage[CommentRead],
    summary="A post's comments, oldest first",
    responses=_BAD_TOKEN,
)
async def list_post_comments(
    post_id: uuid.UUID,
    container: ContainerDep,
    tenant: TenantDep,
    query: Annotated[CommentQuery, Depends()],
    page: Annotated[CursorParams, Depends()],
    moderator: Moderator,
    _: Public,
) -> CursorPage[CommentRead]:
    return await container.service(CommentService).list_comments(
        tenant.id, post_id, query, after=page.after, limit=page.limit, moderator=moderator
    )


@router.post(
    "/posts/{post_id}/comments",
    response_model=CommentRead,
    status_code=201,
    summary="Comment on a post (signed in, or as a guest where the tenant allows it)",
    responses={
        401: {"description": "A bad token, or a guest where guests may not comment."},
        403: {"description": "Signed in without `comments:create`."},
    },
)
async def create_comment(
    post_id: uuid.UUID,
    data: CommentCreate,
    container: ContainerDep,
    tenant: TenantDep,
    author: Annotated[Commenter, Depends(commenter)],
    _: Public,
) -> CommentRead:
    return await container.service(CommentService).create(
        tenant.id, post_id, data, commenter=author
    )


@router.get(
    "/comments",
    response_model=CursorPage[CommentRead],
    summary="Comments of every post, oldest first (the moderation queue: ?status=pending)",
)
async def list_comments(
    container: ContainerDep,
    tenant: TenantDep,
    query: Annotated[CommentQuery, Depends()],
    page: Annotated[CursorParams, Depends()],
    access: Annotated[Access, require(COMMENTS, Action.LIST)],
) -> CursorPage[CommentRead]:
    return await container.service(CommentService).list_comments(
        tenant.id,
        None,
        query,
        after=page.after,
        limit=page.limit,
        moderator=access.scope is Scope.ALL,
    )


@router.post(
    "/comments/{comment_id}/approve", response_model=CommentRead, summary="Approve a comment"
)
async def approve_comment(
    comment_id: uuid.UUID,
    container: ContainerDep,
    tenant: TenantDep,
    access: Annotated[Access, require(COMMENTS, Action.UPDATE)],
) -> CommentRead:
    return await container.service(CommentService).approve(
        tenant.id, comment_id, reach=access.reach
    )


@router.post(
    "/comments/{comment_id}/reject", response_model=CommentRead, summary="Reject a comment"
)
async def reject_comment(
    comment_id: uuid.UUID,
    container: ContainerDep,
    tenant: TenantDep,
    access: Annotated[Access, require(COMMENTS, Action.UPDATE)],
) -> CommentRead:
    return await container.service(CommentService).reject(tenant.id, comment_id, reach=access.reach)


@router.post(
    "/comments/{comment_id}/spam", response_model=CommentRead, summary="Mark a comment as spam"
)
async def mark_comment_spam(
    comment_id: uuid.UUID,
    container: ContainerDep,
    tenant: TenantDep,
    access: Annotated[Access, require(COMMENTS, Action.UPDATE)],
) -> CommentRead:
    return await container.service(CommentService).reject(
        tenant.id, comment_id, reach=access.reach, spam=True
    )


@router.delete("/comments/{comment_id}", status_code=204, summary="Delete a comment")
async def delete_comment(
    comment_id: uuid.UUID,
    container: ContainerDep,
    tenant: TenantDep,
    access: Annotated[Access, require(COMMENTS, Action.DELETE)],
) -> Response:
    await container.service(CommentService).delete(tenant.id, comment_id, reach=access.reach)
    return Response(status_code=204)


@router.get("/settings", response_model=BlogSettingsRead, summary="This tenant's comment rules")
async def get_settings(
    container: ContainerDep,
    tenant: TenantDep,
    _: Annotated[Access, require(BLOG_SETTINGS, Action.READ)],
) -> BlogSettingsRead:
    return await container.service(CommentService).settings(tenant.id)


@router.patch("/settings", response_model=BlogSettingsRead, summary="Change the comment rules")
async def update_settings(
    data: BlogSettingsUpdate,
    container: ContainerDep,
    tenant: TenantDep,
    _: Annotated[Access, require(BLOG_SETTINGS, Action.UPDATE)],
) -> BlogSettingsRead:
    return await container.service(CommentService).update_settings(tenant.id, data)
