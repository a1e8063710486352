"""GraphQL of the pages module: `page(id|slug)`, `pages`, `menus(location)`, and a mutation for
every write of REST, with the same rules and error codes.

A page comes with its blocks from one query for all of them, so a page of N blocks (and a list
of pages) costs the same statements whatever N is (tests/pages/test_graphql.py counts them).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, cast

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from rustok.core.cursor import DEFAULT_LIMIT
from rustok.core.errors import FieldError, Invalid
from rustok.core.modules import GraphQLPart
from rustok.core.permissions import Action
from rustok.pages.permissions import MENUS, PAGES
from rustok.pages.rest import page_reader
from rustok.pages.schemas import (
    BlockCreate,
    BlockOrder,
    BlockRead,
    BlockUpdate,
    MenuCreate,
    MenuItemCreate,
    MenuItemRead,
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
from rustok.web.graphql import GraphQLContext, page_size, parse_input, public, requires


@strawberry.type
class PageTranslation:
    locale: str
    title: str
    slug: str
    excerpt: str
    html: str | None = strawberry.field(description="The body as sanitized HTML.")


@strawberry.type
class Block:
    id: uuid.UUID
    page_id: uuid.UUID
    type: str
    position: int
    served_locale: str | None
    data: JSON = strawberry.field(description="As readers get it: HTML sanitized.")

    @classmethod
    def of(cls, read: BlockRead) -> Block:
        return cls(
            id=read.id,
            page_id=read.page_id,
            type=read.type,
            position=read.position,
            served_locale=read.served_locale,
            data=cast("JSON", read.data),
        )


@strawberry.type
class Page:
    id: uuid.UUID
    status: str
    template: str
    author_id: uuid.UUID | None
    version: int
    published_at: datetime | None
    created_at: datetime
    updated_at: datetime
    served_locale: str | None
    title: str | None
    slug: str | None
    translations: list[PageTranslation]
    blocks: list[Block]

    @classmethod
    def of(cls, read: PageRead) -> Page:
        return cls(
            id=read.id,
            status=read.status.value,
            template=read.template,
            author_id=read.author_id,
            version=read.version,
            published_at=read.published_at,
            created_at=read.created_at,
            updated_at=read.updated_at,
            served_locale=read.served_locale,
            title=read.title,
            slug=read.slug,
            translations=[
                PageTranslation(
                    locale=item.locale,
                    title=item.title,
                    slug=item.slug,
                    excerpt=item.excerpt,
                    html=item.html,
                )
                for item in read.translations
            ],
            blocks=[Block.of(block) for block in read.blocks],
        )


@strawberry.type
class PagesPageInfo:
    has_next_page: bool
    end_cursor: str | None


@strawberry.type
class PageConnection:
    items: list[Page]
    page_info: PagesPageInfo


@strawberry.type
class MenuItem:
    id: uuid.UUID
    parent_id: uuid.UUID | None
    position: int
    served_locale: str | None
    label: str | None
    url: str | None
    page_id: uuid.UUID | None
    page_slug: str | None
    children: list[MenuItem]

    @classmethod
    def of(cls, read: MenuItemRead) -> MenuItem:
        return cls(
            id=read.id,
            parent_id=read.parent_id,
            position=read.position,
            served_locale=read.served_locale,
            label=read.label,
            url=read.url,
            page_id=read.page_id,
            page_slug=read.page_slug,
            children=[MenuItem.of(child) for child in read.children],
        )


@strawberry.type
class Menu:
    id: uuid.UUID
    name: str
    location: str
    version: int
    items: list[MenuItem]

    @classmethod
    def of(cls, read: MenuRead) -> Menu:
        return cls(
            id=read.id,
            name=read.name,
            location=read.location.value,
            version=read.version,
            items=[MenuItem.of(item) for item in read.items],
        )


def _given(value: object) -> Any:
    """An input as plain data, without the fields the caller left unset or null."""
    if isinstance(value, list):
        return [_given(item) for item in value]
    if hasattr(value, "__strawberry_definition__"):
        return {
            name: _given(item)
            for name, item in vars(value).items()
            if item is not strawberry.UNSET and item is not None
        }
    return value


def _present(values: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in values.items() if value is not None}


def _location(value: str | None) -> MenuLocation | None:
    if value is None:
        return None
    try:
        return MenuLocation(value)
    except ValueError:
        raise Invalid(
            "Unknown menu location.",
            fields=[FieldError("location", "one of header, footer, sidebar, mobile")],
        ) from None


@strawberry.type
class PagesQuery:
    @strawberry.field(
        extensions=[public()],
        description="One page with its blocks, by `id` or `slug` (published, for the public).",
    )
    async def page(
        self,
        info: Info[GraphQLContext, Any],
        id: uuid.UUID | None = None,
        slug: str | None = None,
        locale: str | None = None,
    ) -> Page:
        if (id is None) == (slug is None):
            raise Invalid("Give `id` or `slug`.", fields=[FieldError("id", "give id or slug")])
        pages = info.context.container.service(PageService)
        reader = await page_reader(info.context.http_request)
        tenant_id = info.context.tenant.id
        if id is not None:
            read = await pages.get(tenant_id, id, reader=reader, locale=locale)
        else:
            read = await pages.get_by_slug(
                tenant_id, (slug or "").lower(), locale=locale, reader=reader
            )
        return Page.of(read)

    @strawberry.field(extensions=[public()], description="Pages with their blocks, newest first.")
    async def pages(
        self,
        info: Info[GraphQLContext, Any],
        first: int = DEFAULT_LIMIT,
        after: str | None = None,
        status: str | None = None,
        locale: str | None = None,
        search: str | None = None,
    ) -> PageConnection:
        query = parse_input(PageQuery, _present({"status": status, "locale": locale, "q": search}))
        page = await info.context.container.service(PageService).list_pages(
            info.context.tenant.id,
            query,
            after=after,
            limit=page_size(first),
            reader=await page_reader(info.context.http_request),
        )
        return PageConnection(
            items=[Page.of(item) for item in page.items],
            page_info=PagesPageInfo(has_next_page=page.has_more, end_cursor=page.next_cursor),
        )

    @strawberry.field(extensions=[public()], description="Menus (at `location`) as trees.")
    async def menus(
        self,
        info: Info[GraphQLContext, Any],
        location: str | None = None,
        locale: str | None = None,
    ) -> list[Menu]:
        menus = await info.context.container.service(MenuService).list_menus(
            info.context.tenant.id,
            location=_location(location),
            locale=locale,
            reader=await page_reader(info.context.http_request),
        )
        return [Menu.of(menu) for menu in menus]


@strawberry.input
class PageTranslationInput:
    locale: str
    title: str | None = None
    slug: str | None = None
    excerpt: str | None = None
    body: str | None = None
    format: str | None = None


@strawberry.input
class BlockTranslationInput:
    locale: str
    data: JSON


@strawberry.input
class BlockInput:
    type: str
    data: JSON
    translations: list[BlockTranslationInput] | None = None
    position: int | None = None


@strawberry.input
class BlockUpdateInput:
    data: JSON | None = None
    translations: list[BlockTranslationInput] | None = None


@strawberry.input
class PageCreateInput:
    translations: list[PageTranslationInput]
    template: str | None = None
    status: str | None = None
    blocks: list[BlockInput] | None = None


@strawberry.input
class PageUpdateInput:
    version: int
    template: str | None = None
    translations: list[PageTranslationInput] | None = None


@strawberry.input
class MenuLabelInput:
    locale: str
    label: str


@strawberry.input
class MenuItemInput:
    labels: list[MenuLabelInput]
    url: str | None = None
    page_id: uuid.UUID | None = None
    children: list[MenuItemInput] | None = None


@strawberry.input
class MenuCreateInput:
    name: str
    location: str
    items: list[MenuItemInput] | None = None


@strawberry.input
class MenuItemCreateInput:
    labels: list[MenuLabelInput]
    url: str | None = None
    page_id: uuid.UUID | None = None
    parent_id: uuid.UUID | None = None
    position: int | None = None


@strawberry.input
class MenuItemUpdateInput:
    labels: list[MenuLabelInput] | None = strawberry.UNSET
    url: str | None = strawberry.UNSET
    page_id: uuid.UUID | None = strawberry.UNSET
    parent_id: uuid.UUID | None = strawberry.UNSET
    position: int | None = strawberry.UNSET


def _block_input(value: BlockInput) -> dict[str, Any]:
    data: dict[str, Any] = _given(value)
    data.pop("position", None)
    return data


@strawberry.type
class PagesMutation:
    @strawberry.mutation(
        extensions=[requires(PAGES, Action.CREATE)],
        description="Create a page with its translations and blocks.",
    )
    async def create_page(self, info: Info[GraphQLContext, Any], input: PageCreateInput) -> Page:
        raw: dict[str, Any] = _given(input)
        if input.blocks is not None:
            raw["blocks"] = [_block_input(block) for block in input.blocks]
        data = parse_input(PageCreate, raw)
        access = await info.context.access(PAGES, Action.CREATE)
        read = await info.context.container.service(PageService).create(
            info.context.tenant.id, data, reach=access.reach
        )
        return Page.of(read)

    @strawberry.mutation(
        extensions=[requires(PAGES, Action.UPDATE)], description="Change a page read at `version`."
    )
    async def update_page(
        self, info: Info[GraphQLContext, Any], id: uuid.UUID, input: PageUpdateInput
    ) -> Page:
        data = parse_input(PageUpdate, _given(input))
        access = await info.context.access(PAGES, Action.UPDATE)
        read = await info.context.container.service(PageService).update(
            info.context.tenant.id, id, data, reach=access.reach
        )
        return Page.of(read)

    @strawberry.mutation(extensions=[requires(PAGES, Action.UPDATE)], description="Publish a page.")
    async def publish_page(self, info: Info[GraphQLContext, Any], id: uuid.UUID) -> Page:
        access = await info.context.access(PAGES, Action.UPDATE)
        read = await info.context.container.service(PageService).publish(
            info.context.tenant.id, id, reach=access.reach
        )
        return Page.of(read)

    @strawberry.mutation(
        extensions=[requires(PAGES, Action.UPDATE)], description="Take a page back to draft."
    )
    async def unpublish_page(self, info: Info[GraphQLContext, Any], id: uuid.UUID) -> Page:
        access = await info.context.access(PAGES, Action.UPDATE)
        read = await info.context.container.service(PageService).unpublish(
            info.context.tenant.id, id, reach=access.reach
        )
        return Page.of(read)

    @strawberry.mutation(
        extensions=[requires(PAGES, Action.DELETE)], description="Delete a page (restorable)."
    )
    async def delete_page(self, info: Info[GraphQLContext, Any], id: uuid.UUID) -> bool:
        access = await info.context.access(PAGES, Action.DELETE)
        await info.context.container.service(PageService).delete(
            info.context.tenant.id, id, reach=access.reach
        )
        return True

    @strawberry.mutation(
        extensions=[requires(PAGES, Action.UPDATE)], description="Add a block to a page."
    )
    async def add_block(
        self, info: Info[GraphQLContext, Any], page_id: uuid.UUID, input: BlockInput
    ) -> Block:
        data = parse_input(BlockCreate, _given(input))
        access = await info.context.access(PAGES, Action.UPDATE)
        read = await info.context.container.service(PageService).add_block(
            info.context.tenant.id, page_id, data, reach=access.reach
        )
        return Block.of(read)

    @strawberry.mutation(
        extensions=[requires(PAGES, Action.UPDATE)], description="Replace a block's data."
    )
    async def update_block(
        self,
        info: Info[GraphQLContext, Any],
        page_id: uuid.UUID,
        block_id: uuid.UUID,
        input: BlockUpdateInput,
    ) -> Block:
        data = parse_input(BlockUpdate, _given(input))
        access = await info.context.access(PAGES, Action.UPDATE)
        read = await info.context.container.service(PageService).update_block(
            info.context.tenant.id, page_id, block_id, data, reach=access.reach
        )
        return Block.of(read)

    @strawberry.mutation(
        extensions=[requires(PAGES, Action.UPDATE)], description="Remove a block from a page."
    )
    async def delete_block(
        self, info: Info[GraphQLContext, Any], page_id: uuid.UUID, block_id: uuid.UUID
    ) -> bool:
        access = await info.context.access(PAGES, Action.UPDATE)
        await info.context.container.service(PageService).delete_block(
            info.context.tenant.id, page_id, block_id, reach=access.reach
        )
        return True

    @strawberry.mutation(
        extensions=[requires(PAGES, Action.UPDATE)],
        description="Put a page's blocks in this order (every block id once).",
    )
    async def reorder_blocks(
        self, info: Info[GraphQLContext, Any], page_id: uuid.UUID, block_ids: list[uuid.UUID]
    ) -> list[Block]:
        data = parse_input(BlockOrder, {"block_ids": block_ids})
        access = await info.context.access(PAGES, Action.UPDATE)
        reads = await info.context.container.service(PageService).reorder_blocks(
            info.context.tenant.id, page_id, data, reach=access.reach
        )
        return [Block.of(read) for read in reads]

    @strawberry.mutation(
        extensions=[requires(MENUS, Action.CREATE)], description="Create a menu with its items."
    )
    async def create_menu(self, info: Info[GraphQLContext, Any], input: MenuCreateInput) -> Menu:
        data = parse_input(MenuCreate, _given(input))
        access = await info.context.access(MENUS, Action.CREATE)
        read = await info.context.container.service(MenuService).create(
            info.context.tenant.id, data, reach=access.reach
        )
        return Menu.of(read)

    @strawberry.mutation(
        extensions=[requires(MENUS, Action.UPDATE)], description="Rename or move a menu."
    )
    async def update_menu(
        self,
        info: Info[GraphQLContext, Any],
        id: uuid.UUID,
        name: str | None = None,
        location: str | None = None,
    ) -> Menu:
        data = parse_input(MenuUpdate, _present({"name": name, "location": location}))
        access = await info.context.access(MENUS, Action.UPDATE)
        read = await info.context.container.service(MenuService).update(
            info.context.tenant.id, id, data, reach=access.reach
        )
        return Menu.of(read)

    @strawberry.mutation(
        extensions=[requires(MENUS, Action.DELETE)], description="Delete a menu and its items."
    )
    async def delete_menu(self, info: Info[GraphQLContext, Any], id: uuid.UUID) -> bool:
        access = await info.context.access(MENUS, Action.DELETE)
        await info.context.container.service(MenuService).delete(
            info.context.tenant.id, id, reach=access.reach
        )
        return True

    @strawberry.mutation(
        extensions=[requires(MENUS, Action.UPDATE)],
        description="Replace (reorder) a menu's whole tree.",
    )
    async def replace_menu_items(
        self, info: Info[GraphQLContext, Any], id: uuid.UUID, items: list[MenuItemInput]
    ) -> Menu:
        data = parse_input(MenuItems, {"items": _given(items)})
        access = await info.context.access(MENUS, Action.UPDATE)
        read = await info.context.container.service(MenuService).replace_items(
            info.context.tenant.id, id, data, reach=access.reach
        )
        return Menu.of(read)

    @strawberry.mutation(
        extensions=[requires(MENUS, Action.UPDATE)], description="Add an item to a menu."
    )
    async def add_menu_item(
        self, info: Info[GraphQLContext, Any], menu_id: uuid.UUID, input: MenuItemCreateInput
    ) -> Menu:
        data = parse_input(MenuItemCreate, _given(input))
        access = await info.context.access(MENUS, Action.UPDATE)
        read = await info.context.container.service(MenuService).add_item(
            info.context.tenant.id, menu_id, data, reach=access.reach
        )
        return Menu.of(read)

    @strawberry.mutation(
        extensions=[requires(MENUS, Action.UPDATE)],
        description="Relabel, relink or move a menu item (null parent: the top level).",
    )
    async def update_menu_item(
        self,
        info: Info[GraphQLContext, Any],
        menu_id: uuid.UUID,
        item_id: uuid.UUID,
        input: MenuItemUpdateInput,
    ) -> Menu:
        raw = {name: value for name, value in vars(input).items() if value is not strawberry.UNSET}
        if raw.get("labels") is not None:
            raw["labels"] = _given(raw["labels"])
        data = parse_input(MenuItemUpdate, raw)
        access = await info.context.access(MENUS, Action.UPDATE)
        read = await info.context.container.service(MenuService).update_item(
            info.context.tenant.id, menu_id, item_id, data, reach=access.reach
        )
        return Menu.of(read)

    @strawberry.mutation(
        extensions=[requires(MENUS, Action.UPDATE)],
        description="Remove a menu item and its children.",
    )
    async def delete_menu_item(
        self, info: Info[GraphQLContext, Any], menu_id: uuid.UUID, item_id: uuid.UUID
    ) -> Menu:
        access = await info.context.access(MENUS, Action.UPDATE)
        read = await info.context.container.service(MenuService).delete_item(
            info.context.tenant.id, menu_id, item_id, reach=access.reach
        )
        return Menu.of(read)


GRAPHQL = GraphQLPart(query=PagesQuery, mutation=PagesMutation)
