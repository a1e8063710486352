"""REST of the content module: nodes, their revisions and tags, categories, tags.

Reads are public: anyone sees published nodes. A caller who sends a token and may update
nodes sees more (its `nodes:update` reach: every node, or its own as well under `own`).
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request, Response

from rustok.content.permissions import CATEGORIES, NODES, TAGS
from rustok.content.schemas import (
    CategoryCreate,
    CategoryRead,
    CategoryUpdate,
    Kind,
    NodeCreate,
    NodeQuery,
    NodeRead,
    NodeUpdate,
    RevisionRead,
    ScheduleRequest,
    TagCreate,
    TagIds,
    TagRead,
    TagUpdate,
)
from rustok.content.service import CategoryService, NodeService, TagService
from rustok.core.cursor import CursorPage, CursorParams
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

router = APIRouter(prefix="/content")

LocaleQuery = Annotated[
    Locale | None,
    Query(description="Serve this locale (falling back along the tenant's chain)."),
]
SlugPath = Annotated[str, Path(min_length=1, max_length=255, examples=["hello-world"])]
Public = Annotated[None, public()]
_EDIT = Permission(NODES, Action.UPDATE)


async def editor_reach(request: Request) -> Reach | None:
    """How far the caller's `nodes:update` reaches, when it sent a token; None for the public
    and for callers who may not update nodes (they see published nodes only). GraphQL's
    reads use it too."""
    if "authorization" not in request.headers:
        return None
    principal = await get_principal(request)
    scope = await container_of(request).permissions.scope_for(
        principal.tenant_id, principal.roles, _EDIT
    )
    if scope is Scope.NONE:
        return None
    return Reach(_EDIT, scope, principal.user_id)


Reader = Annotated[Reach | None, Depends(editor_reach)]
# A public read still checks a token that is sent: a bad one is refused, not ignored.
_BAD_TOKEN: dict[int | str, dict[str, Any]] = {
    401: {"description": "A token was sent and is not valid (`UNAUTHENTICATED`)."}
}


@router.get(
    "/nodes", response_model=CursorPage[NodeRead], summary="List nodes", responses=_BAD_TOKEN
)
async def list_nodes(
    container: ContainerDep,
    tenant: TenantDep,
    query: Annotated[NodeQuery, Depends()],
    page: Annotated[CursorParams, Depends()],
    reader: Reader,
    _: Public,
) -> CursorPage[NodeRead]:
    return await container.service(NodeService).list_nodes(
        tenant.id, query, after=page.after, limit=page.limit, reader=reader
    )


@router.post("/nodes", response_model=NodeRead, status_code=201, summary="Create a node")
async def create_node(
    data: NodeCreate,
    container: ContainerDep,
    tenant: TenantDep,
    access: Annotated[Access, require(NODES, Action.CREATE)],
) -> NodeRead:
    return await container.service(NodeService).create(tenant.id, data, reach=access.reach)


@router.get(
    "/nodes/by-slug/{node_slug}",
    response_model=NodeRead,
    summary="The node with this slug",
    responses=_BAD_TOKEN,
)
async def get_node_by_slug(
    node_slug: SlugPath,
    container: ContainerDep,
    tenant: TenantDep,
    reader: Reader,
    _: Public,
    kind: Annotated[Kind | None, Query()] = None,
    locale: LocaleQuery = None,
) -> NodeRead:
    return await container.service(NodeService).get_by_slug(
        tenant.id, node_slug.lower(), kind=kind, locale=locale, reader=reader
    )


@router.get("/nodes/{node_id}", response_model=NodeRead, summary="One node", responses=_BAD_TOKEN)
async def get_node(
    node_id: uuid.UUID,
    container: ContainerDep,
    tenant: TenantDep,
    reader: Reader,
    _: Public,
    locale: LocaleQuery = None,
) -> NodeRead:
    return await container.service(NodeService).get(
        tenant.id, node_id, reader=reader, locale=locale
    )


@router.patch("/nodes/{node_id}", response_model=NodeRead, summary="Update a node")
async def update_node(
    node_id: uuid.UUID,
    data: NodeUpdate,
    container: ContainerDep,
    tenant: TenantDep,
    access: Annotated[Access, require(NODES, Action.UPDATE)],
) -> NodeRead:
    return await container.service(NodeService).update(tenant.id, node_id, data, reach=access.reach)


@router.delete("/nodes/{node_id}", status_code=204, summary="Delete a node (restorable)")
async def delete_node(
    node_id: uuid.UUID,
    container: ContainerDep,
    tenant: TenantDep,
    access: Annotated[Access, require(NODES, Action.DELETE)],
) -> Response:
    await container.service(NodeService).delete(tenant.id, node_id, reach=access.reach)
    return Response(status_code=204)


@router.post("/nodes/{node_id}/publish", response_model=NodeRead, summary="Publish a node")
async def publish_node(
    node_id: uuid.UUID,
    container: ContainerDep,
    tenant: TenantDep,
    access: Annotated[Access, require(NODES, Action.UPDATE)],
) -> NodeRead:
    return await container.service(NodeService).publish(tenant.id, node_id, reach=access.reach)


@router.post(
    "/nodes/{node_id}/unpublish", response_model=NodeRead, summary="Unpublish a node (draft)"
)
async def unpublish_node(
    node_id: uuid.UUID,
    container: ContainerDep,
    tenant: TenantDep,
    access: Annotated[Access, require(NODES, Action.UPDATE)],
) -> NodeRead:
    return await container.service(NodeService).unpublish(tenant.id, node_id, reach=access.reach)


@router.post("/nodes/{node_id}/archive", response_model=NodeRead, summary="Archive a node")
async def archive_node(
    node_id: uuid.UUID,
    container: ContainerDep,
    tenant: TenantDep,
    access: Annotated[Access, require(NODES, Action.UPDATE)],
) -> NodeRead:
    return await container.service(NodeService).archive(tenant.id, node_id, reach=access.reach)


@router.post("/nodes/{node_id}/schedule", response_model=NodeRead, summary="Publish a node later")
async def schedule_node(
    node_id: uuid.UUID,
    data: ScheduleRequest,
    container: ContainerDep,
    tenant: TenantDep,
    access: Annotated[Access, require(NODES, Action.UPDATE)],
) -> NodeRead:
    return await container.service(NodeService).schedule(
        tenant.id, node_id, data.publish_at, reach=access.reach
    )


@router.post("/nodes/{node_id}/restore", response_model=NodeRead, summary="Restore a deleted node")
async def restore_node(
    node_id: uuid.UUID,
    container: ContainerDep,
    tenant: TenantDep,
    access: Annotated[Access, require(NODES, Action.DELETE)],
) -> NodeRead:
    return await container.service(NodeService).restore(tenant.id, node_id, reach=access.reach)


@router.get(
    "/nodes/{node_id}/revisions",
    response_model=list[RevisionRead],
    summary="Earlier states of a node's translations, newest first",
)
async def list_revisions(
    node_id: uuid.UUID,
    container: ContainerDep,
    tenant: TenantDep,
    access: Annotated[Access, require(NODES, Action.UPDATE)],
) -> list[RevisionRead]:
    return await container.service(NodeService).revisions(tenant.id, node_id, reach=access.reach)


@router.post(
    "/nodes/{node_id}/revisions/{revision_id}/restore",
    response_model=NodeRead,
    summary="Put a revision's translation and body back",
)
async def restore_revision(
    node_id: uuid.UUID,
    revision_id: uuid.UUID,
    container: ContainerDep,
    tenant: TenantDep,
    access: Annotated[Access, require(NODES, Action.UPDATE)],
) -> NodeRead:
    return await container.service(NodeService).restore_revision(
        tenant.id, node_id, revision_id, reach=access.reach
    )


@router.post("/nodes/{node_id}/tags", response_model=NodeRead, summary="Attach tags to a node")
async def attach_tags(
    node_id: uuid.UUID,
    data: TagIds,
    container: ContainerDep,
    tenant: TenantDep,
    access: Annotated[Access, require(NODES, Action.UPDATE)],
) -> NodeRead:
    return await container.service(NodeService).attach_tags(
        tenant.id, node_id, data.tag_ids, reach=access.reach
    )


@router.delete("/nodes/{node_id}/tags/{tag_id}", response_model=NodeRead, summary="Detach a tag")
async def detach_tag(
    node_id: uuid.UUID,
    tag_id: uuid.UUID,
    container: ContainerDep,
    tenant: TenantDep,
    access: Annotated[Access, require(NODES, Action.UPDATE)],
) -> NodeRead:
    return await container.service(NodeService).detach_tag(
        tenant.id, node_id, tag_id, reach=access.reach
    )


@router.get("/categories", response_model=CursorPage[CategoryRead], summary="List categories")
async def list_categories(
    container: ContainerDep,
    tenant: TenantDep,
    page: Annotated[CursorParams, Depends()],
    _: Public,
    locale: LocaleQuery = None,
) -> CursorPage[CategoryRead]:
    return await container.service(CategoryService).list_categories(
        tenant.id, after=page.after, limit=page.limit, locale=locale
    )


@router.post(
    "/categories", response_model=CategoryRead, status_code=201, summary="Create a category"
)
async def create_category(
    data: CategoryCreate,
    container: ContainerDep,
    tenant: TenantDep,
    access: Annotated[Access, require(CATEGORIES, Action.CREATE)],
) -> CategoryRead:
    return await container.service(CategoryService).create(tenant.id, data, reach=access.reach)


@router.get("/categories/{category_id}", response_model=CategoryRead, summary="One category")
async def get_category(
    category_id: uuid.UUID,
    container: ContainerDep,
    tenant: TenantDep,
    _: Public,
    locale: LocaleQuery = None,
) -> CategoryRead:
    return await container.service(CategoryService).get(tenant.id, category_id, locale=locale)


@router.patch("/categories/{category_id}", response_model=CategoryRead, summary="Update a category")
async def update_category(
    category_id: uuid.UUID,
    data: CategoryUpdate,
    container: ContainerDep,
    tenant: TenantDep,
    access: Annotated[Access, require(CATEGORIES, Action.UPDATE)],
) -> CategoryRead:
    return await container.service(CategoryService).update(
        tenant.id, category_id, data, reach=access.reach
    )


@router.delete("/categories/{category_id}", status_code=204, summary="Delete a category")
async def delete_category(
    category_id: uuid.UUID,
    container: ContainerDep,
    tenant: TenantDep,
    access: Annotated[Access, require(CATEGORIES, Action.DELETE)],
) -> Response:
    await container.service(CategoryService).delete(tenant.id, category_id, reach=access.reach)
    return Response(status_code=204)


@router.get("/tags", response_model=CursorPage[TagRead], summary="List tags")
async def list_tags(
    container: ContainerDep,
    tenant: TenantDep,
    page: Annotated[CursorParams, Depends()],
    _: Public,
    locale: LocaleQuery = None,
) -> CursorPage[TagRead]:
    return await container.service(TagService).list_tags(
        tenant.id, after=page.after, limit=page.limit, locale=locale
    )


@router.post("/tags", response_model=TagRead, status_code=201, summary="Create a tag")
async def create_tag(
    data: TagCreate,
    container: ContainerDep,
    tenant: TenantDep,
    access: Annotated[Access, require(TAGS, Action.CREATE)],
) -> TagRead:
    return await container.service(TagService).create(tenant.id, data, reach=access.reach)


@router.get("/tags/{tag_id}", response_model=TagRead, summary="One tag")
async def get_tag(
    tag_id: uuid.UUID,
    container: ContainerDep,
    tenant: TenantDep,
    _: Public,
    locale: LocaleQuery = None,
) -> TagRead:
    return await container.service(TagService).get(tenant.id, tag_id, locale=locale)


@router.patch("/tags/{tag_id}", response_model=TagRead, summary="Update a tag")
async def update_tag(
    tag_id: uuid.UUID,
    data: TagUpdate,
    container: ContainerDep,
    tenant: TenantDep,
    access: Annotated[Access, require(TAGS, Action.UPDATE)],
) -> TagRead:
    return await container.service(TagService).update(tenant.id, tag_id, data, reach=access.reach)


@router.delete("/tags/{tag_id}", status_code=204, summary="Delete a tag (detached from every node)")
async def delete_tag(
    tag_id: uuid.UUID,
    container: ContainerDep,
    tenant: TenantDep,
    access: Annotated[Access, require(TAGS, Action.DELETE)],
) -> Response:
    await container.service(TagService).delete(tenant.id, tag_id, reach=access.reach)
    return Response(status_code=204)
