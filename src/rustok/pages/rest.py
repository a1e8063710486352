"""REST of the pages module: pages with their blocks, blocks, menus and their items.

Reads are public: anyone sees published pages, their blocks, and menus (with the links to
pages it may see). A caller who sends a token and may update pages sees drafts too (its
`pages:update` reach: every page, or its own as well under `own`).
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request, Response

from rustok.core.cursor import CursorPage, CursorParams
from rustok.core.permissions import Action, Permission, Reach, Scope
from rustok.pages.permissions import MENUS, PAGES
from rustok.pages.schemas import (
    BlockCreate,
    BlockOrder,
    BlockRead,
    BlockUpdate,
    MenuCreate,
    MenuItemCreate,
    MenuItems,
    MenuItemUpdate,
    MenuLocation,
    MenuRead,
    MenuUpdate,
    PageCreate,
    PageQuery,
    PageRead,
    PageUpdate,
)
from rustok.pages.service import MenuService, PageService
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

router = APIRouter()

LocaleQuery = Annotated[
    Locale | None,
    Query(description="Serve this locale (falling back along the tenant's chain)."),
]
SlugPath = Annotated[str, Path(min_length=1, max_length=255, examples=["about"])]
Public = Annotated[None, public()]
_EDIT = Permission(PAGES, Action.UPDATE)
# A public read still checks a token that is sent: a bad one is refused, not ignored.
_BAD_TOKEN: dict[int | str, dict[str, Any]] = {
    401: {"description": "A token was sent and is not valid (`UNAUTHENTICATED`)."}
}


async def page_reader(request: Request) -> Reach | None:
    """How far the caller's `pages:update` reaches, when it sent a token; None for the public
    and for callers who may not update pages (they see published pages only). GraphQL's reads
    use it too."""
    if "authorization" not in request.headers:
        return None
    principal = await get_principal(request)
    scope = await container_of(request).permissions.scope_for(
        principal.tenant_id, principal.roles, _EDIT
    )
    if scope is Scope.NONE:
        return None
    return Reach(_EDIT, scope, principal.user_id)


Reader = Annotated[Reach | None, Depends(page_reader)]


@router.get(
    "/pages", response_model=CursorPage[PageRead], summary="List pages", responses=_BAD_TOKEN
)
async def list_pages(
    container: ContainerDep,
    tenant: TenantDep,
    query: Annotated[PageQuery, Depends()],
    page: Annotated[CursorParams, Depends()],
    reader: Reader,
    _: Public,
) -> CursorPage[PageRead]:
    return await container.service(PageService).list_pages(
        tenant.id, query, after=page.after, limit=page.limit, reader=reader
    )


@router.post(
    "/pages", response_model=PageRead, status_code=201, summary="Create a page with its blocks"
)
async def create_page(
    data: PageCreate,
    container: ContainerDep,
    tenant: TenantDep,
    access: Annotated[Access, require(PAGES, Action.CREATE)],
) -> PageRead:
    return await container.service(PageService).create(tenant.id, data, reach=access.reach)


@router.get(
    "/pages/by-slug/{page_slug}",
    response_model=PageRead,
    summary="The page with this slug, with its blocks",
    responses=_BAD_TOKEN,
)
async def get_page_by_slug(
    page_slug: SlugPath,
    container: ContainerDep,
    tenant: TenantDep,
    reader: Reader,
    _: Public,
    locale: LocaleQuery = None,
) -> PageRead:
    return await container.service(PageService).get_by_slug(
        tenant.id, page_slug.lower(), locale=locale, reader=reader
    )


@router.get("/pages/{page_id}", response_model=PageRead, summary="One page", responses=_BAD_TOKEN)
async def get_page(
    page_id: uuid.UUID,
    container: ContainerDep,
    tenant: TenantDep,
    reader: Reader,
    _: Public,
    locale: LocaleQuery = None,
) -> PageRead:
    return await container.service(PageService).get(
        tenant.id, page_id, reader=reader, locale=locale
    )


@router.patch("/pages/{page_id}", response_model=PageRead, summary="Update a page")
async def update_page(
    page_id: uuid.UUID,
    data: PageUpdate,
    container: ContainerDep,
    tenant: TenantDep,
    access: Annotated[Access, require(PAGES, Action.UPDATE)],
) -> PageRead:
    return await container.service(PageService).update(tenant.id, page_id, data, reach=access.reach)


@router.delete("/pages/{page_id}", status_code=204, summary="Delete a page (restorable)")
async def delete_page(
    page_id: uuid.UUID,
    container: ContainerDep,
    tenant: TenantDep,
    access: Annotated[Access, require(PAGES, Action.DELETE)],
) -> Response:
    await container.service(PageService).delete(tenant.id, page_id, reach=access.reach)
    return Response(status_code=204)


@router.post("/pages/{page_id}/publish", response_model=PageRead, summary="Publish a page")
async def publish_page(
    page_id: uuid.UUID,
    container: ContainerDep,
    tenant: TenantDep,
    access: Annotated[Access, require(PAGES, Action.UPDATE)],
) -> PageRead:
    return await container.service(PageService).publish(tenant.id, page_id, reach=access.reach)


@router.post(
    "/pages/{page_id}/unpublish", response_model=PageRead, summary="Unpublish a page (draft)"
)
async def unpublish_page(
    page_id: uuid.UUID,
    container: ContainerDep,
    tenant: TenantDep,
    access: Annotated[Access, require(PAGES, Action.UPDATE)],
) -> PageRead:
    return await container.service(PageService).unpublish(tenant.id, page_id, reach=access.reach)


@router.get(
    "/pages/{page_id}/blocks",
    response_model=list[BlockRead],
    summary="A page's blocks, in order",
    responses=_BAD_TOKEN,
)
async def list_blocks(
    page_id: uuid.UUID,
    container: ContainerDep,
    tenant: TenantDep,
    reader: Reader,
    _: Public,
    locale: LocaleQuery = None,
) -> list[BlockRead]:
    return await container.service(PageService).blocks(
        tenant.id, page_id, reader=reader, locale=locale
    )


@router.post(
    "/pages/{page_id}/blocks", response_model=BlockRead, status_code=201, summary="Add a block"
)
async def add_block(
    page_id: uuid.UUID,
    data: BlockCreate,
    container: ContainerDep,
    tenant: TenantDep,
    access: Annotated[Access, require(PAGES, Action.UPDATE)],
) -> BlockRead:
    return await container.service(PageService).add_block(
        tenant.id, page_id, data, reach=access.reach
    )


@router.put(
    "/pages/{page_id}/blocks/order",
    response_model=list[BlockRead],
    summary="Reorder a page's blocks (the full list of their ids)",
)
async def reorder_blocks(
    page_id: uuid.UUID,
    data: BlockOrder,
    container: ContainerDep,
    tenant: TenantDep,
    access: Annotated[Access, require(PAGES, Action.UPDATE)],
) -> list[BlockRead]:
    return await container.service(PageService).reorder_blocks(
        tenant.id, page_id, data, reach=access.reach
    )


@router.patch(
    "/pages/{page_id}/blocks/{block_id}", response_model=BlockRead, summary="Update a block"
)
async def update_block(
    page_id: uuid.UUID,
    block_id: uuid.UUID,
    data: BlockUpdate,
    container: ContainerDep,
    tenant: TenantDep,
    access: Annotated[Access, require(PAGES, Action.UPDATE)],
) -> BlockRead:
    return await container.service(PageService).update_block(
        tenant.id, page_id, block_id, data, reach=access.reach
    )


@router.delete("/pages/{page_id}/blocks/{block_id}", status_code=204, summary="Remove a block")
async def delete_block(
    page_id: uuid.UUID,
    block_id: uuid.UUID,
    container: ContainerDep,
    tenant: TenantDep,
    access: Annotated[Access, require(PAGES, Action.UPDATE)],
) -> Response:
    await container.service(PageService).delete_block(
        tenant.id, page_id, block_id, reach=access.reach
    )
    return Response(status_code=204)


@router.get(
    "/menus", response_model=list[MenuRead], summary="Menus with their trees", responses=_BAD_TOKEN
)
async def list_menus(
    container: ContainerDep,
    tenant: TenantDep,
    reader: Reader,
    _: Public,
    location: Annotated[MenuLocation | None, Query()] = None,
    locale: LocaleQuery = None,
) -> list[MenuRead]:
    return await container.service(MenuService).list_menus(
        tenant.id, location=location, locale=locale, reader=reader
    )


@router.post("/menus", response_model=MenuRead, status_code=201, summary="Create a menu")
async def create_menu(
    data: MenuCreate,
    container: ContainerDep,
    tenant: TenantDep,
    access: Annotated[Access, require(MENUS, Action.CREATE)],
) -> MenuRead:
    return await container.service(MenuService).create(tenant.id, data, reach=access.reach)


@router.get("/menus/{menu_id}", response_model=MenuRead, summary="One menu", responses=_BAD_TOKEN)
async def get_menu(
    menu_id: uuid.UUID,
    container: ContainerDep,
    tenant: TenantDep,
    reader: Reader,
    _: Public,
    locale: LocaleQuery = None,
) -> MenuRead:
    return await container.service(MenuService).get(
        tenant.id, menu_id, locale=locale, reader=reader
    )


@router.patch("/menus/{menu_id}", response_model=MenuRead, summary="Rename or move a menu")
async def update_menu(
    menu_id: uuid.UUID,
    data: MenuUpdate,
    container: ContainerDep,
    tenant: TenantDep,
    access: Annotated[Access, require(MENUS, Action.UPDATE)],
) -> MenuRead:
    return await container.service(MenuService).update(tenant.id, menu_id, data, reach=access.reach)


@router.delete("/menus/{menu_id}", status_code=204, summary="Delete a menu and its items")
async def delete_menu(
    menu_id: uuid.UUID,
    container: ContainerDep,
    tenant: TenantDep,
    access: Annotated[Access, require(MENUS, Action.DELETE)],
) -> Response:
    await container.service(MenuService).delete(tenant.id, menu_id, reach=access.reach)
    return Response(status_code=204)


@router.put(
    "/menus/{menu_id}/items", response_model=MenuRead, summary="Replace (reorder) a menu's tree"
)
async def replace_menu_items(
    menu_id: uuid.UUID,
    data: MenuItems,
    container: ContainerDep,
    tenant: TenantDep,
    access: Annotated[Access, require(MENUS, Action.UPDATE)],
) -> MenuRead:
    return await container.service(MenuService).replace_items(
        tenant.id, menu_id, data, reach=access.reach
    )


@router.post(
    "/menus/{menu_id}/items", response_model=MenuRead, status_code=201, summary="Add a menu item"
)
async def add_menu_item(
    menu_id: uuid.UUID,
    data: MenuItemCreate,
    container: ContainerDep,
    tenant: TenantDep,
    access: Annotated[Access, require(MENUS, Action.UPDATE)],
) -> MenuRead:
    return await container.service(MenuService).add_item(
        tenant.id, menu_id, data, reach=access.reach
    )


@router.patch(
    "/menus/{menu_id}/items/{menu_item_id}",
    response_model=MenuRead,
    summary="Relabel, relink or move a menu item",
)
async def update_menu_item(
    menu_id: uuid.UUID,
    menu_item_id: uuid.UUID,
    data: MenuItemUpdate,
    container: ContainerDep,
    tenant: TenantDep,
    access: Annotated[Access, require(MENUS, Action.UPDATE)],
) -> MenuRead:
    return await container.service(MenuService).update_item(
        tenant.id, menu_id, menu_item_id, data, reach=access.reach
    )


@router.delete(
    "/menus/{menu_id}/items/{menu_item_id}",
    response_model=MenuRead,
    summary="Remove a menu item and its children",
)
async def delete_menu_item(
    menu_id: uuid.UUID,
    menu_item_id: uuid.UUID,
    container: ContainerDep,
    tenant: TenantDep,
    access: Annotated[Access, require(MENUS, Action.UPDATE)],
) -> MenuRead:
    return await container.service(MenuService).delete_item(
        tenant.id, menu_id, menu_item_id, reach=access.reach
    )
