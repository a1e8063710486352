"""Pages use cases: pages with their blocks (PageService) and menus (MenuService).

A page is a content node of kind `page`: NodeService stores it, with its translations,
revisions, publishing and events; this module adds its template, its blocks and the menus that
link to it. A page with its blocks is created in one unit of work (`NodeService.create_in`);
every check that can refuse a write runs before the commit, so a refused write leaves no row
and no event behind.

Who sees what: like content, the public and customers see published pages and the blocks of
those; a caller's `pages:update` reach widens that (`all`: every page, `own`: its own too).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rustok.content.errors import NodeNotFound
from rustok.content.schemas import NodeCreate, NodeQuery, NodeRead, NodeStatus, NodeUpdate
from rustok.core import clock
from rustok.core.cursor import CursorPage
from rustok.core.errors import FieldError
from rustok.core.ids import new_id
from rustok.media.service import MediaService
from rustok.pages.blocks import BLOCKS
from rustok.pages.errors import (
    BlockNotFound,
    BlockOrderInvalid,
    MenuCycle,
    MenuItemNotFound,
    MenuNotFound,
    MenuParentInvalid,
    MenuTooDeep,
    MenuTooLarge,
    PageNotFound,
    PageReferenceUnknown,
    TooManyBlocks,
)
from rustok.pages.events import (
    BlockCreated,
    BlockDeleted,
    BlocksReordered,
    BlockUpdated,
    MenuCreated,
    MenuDeleted,
    MenuUpdated,
)
from rustok.pages.kinds import PAGE_KIND
from rustok.pages.models import Block, Menu, MenuItem
from rustok.pages.repository import PagesRepository
from rustok.pages.schemas import (
    BlockRead,
    BlockTranslationInput,
    BlockTranslationRead,
    MenuItemRead,
    MenuLocation,
    MenuRead,
    PageRead,
)
from rustok.pages.templates import TEMPLATES

if TYPE_CHECKING:
    import uuid
    from collections.abc import Sequence
    from datetime import datetime

    from rustok.content.service import Locales, NodeService
    from rustok.core.permissions import Reach
    from rustok.core.uow import UnitOfWork, UnitOfWorkFactory
    from rustok.pages.schemas import (
        BlockCreate,
        BlockInput,
        BlockOrder,
        BlockUpdate,
        MenuCreate,
        MenuItemCreate,
        MenuItemInput,
        MenuItems,
        MenuItemUpdate,
        MenuUpdate,
        PageCreate,
        PageQuery,
        PageUpdate,
    )
    from rustok.pages.settings import PagesSettings


class _CheckedBlock:
    """A block's input after its type's schema accepted it (base data and each locale's)."""

    def __init__(
        self,
        type_: str,
        data: dict[str, Any],
        translations: dict[str, dict[str, Any]],
        media: list[tuple[str, list[uuid.UUID]]],
    ) -> None:
        self.type = type_
        self.data = data
        self.translations = translations
        self.media = media


def _check_block(
    type_: str,
    data: dict[str, Any],
    translations: Sequence[BlockTranslationInput],
    prefix: str,
) -> _CheckedBlock:
    """`data` and each translation (merged over `data`) checked by the type's schema, errors
    naming `<prefix>.data.<field>` / `<prefix>.translations.<i>.data.<field>`."""
    checked = BLOCKS.validate(type_, data, field=f"{prefix}.data")
    media = [(f"{prefix}.data.{name}", ids) for name, ids in checked.media_refs()]
    for index, item in enumerate(translations):
        field = f"{prefix}.translations.{index}.data"
        merged = BLOCKS.validate(type_, {**data, **item.data}, field=field)
        media.extend(
            (f"{field}.{name}", ids) for name, ids in merged.media_refs() if name in item.data
        )
    return _CheckedBlock(
        type_,
        checked.model_dump(mode="json", exclude_unset=True),
        {item.locale: item.data for item in translations},
        media,
    )


def _served_block(block: Block, chain: Sequence[str]) -> BlockRead:
    served = next((locale for locale in chain if locale in block.translations), None)
    data = {**block.data, **block.translations[served]} if served else block.data
    return BlockRead(
        id=block.id,
        page_id=block.page_id,
        type=block.type,
        position=block.position,
        served_locale=served,
        data=BLOCKS.render(block.type, data),
        translations=[
            BlockTranslationRead(
                locale=locale, data=BLOCKS.render(block.type, {**block.data, **override})
            )
            for locale, override in sorted(block.translations.items())
        ],
        created_at=block.created_at,
        updated_at=block.updated_at,
    )


def _block_event(
    event: type[BlockCreated | BlockUpdated | BlockDeleted], block: Block
) -> BlockCreated | BlockUpdated | BlockDeleted:
    return event(
        page_id=block.page_id,
        block_id=block.id,
        type=block.type,
        position=block.position,
        locales=sorted(block.translations),
    )


async def _check_media(uow: UnitOfWork, checked: _CheckedBlock) -> None:
    for field, ids in checked.media:
        await MediaService.ensure_media_in(uow, ids, field=field)


class PageService:
    def __init__(self, uow: UnitOfWorkFactory, nodes: NodeService, settings: PagesSettings) -> None:
        self._uow = uow
        self._nodes = nodes
        self.settings = settings

    # reads

    async def get(
        self,
        tenant_id: uuid.UUID,
        page_id: uuid.UUID,
        *,
        reader: Reach | None = None,
        locale: str | None = None,
    ) -> PageRead:
        """One page with its blocks as `reader` may see it (None: the public), in `locale`."""
        try:
            node = await self._nodes.get(tenant_id, page_id, reader=reader, locale=locale)
        except NodeNotFound:
            raise PageNotFound("No such page.") from None
        if node.kind != PAGE_KIND:
            raise PageNotFound("No such page.")
        return (await self._with_blocks(tenant_id, [node], locale))[0]

    async def get_by_slug(
        self,
        tenant_id: uuid.UUID,
        slug: str,
        *,
        locale: str | None = None,
        reader: Reach | None = None,
    ) -> PageRead:
        """The page whose slug in `locale` (or along its fallback chain) is `slug`, with its
        blocks in order, served in the same chain."""
        try:
            node = await self._nodes.get_by_slug(
                tenant_id, slug, kind=PAGE_KIND, locale=locale, reader=reader
            )
        except NodeNotFound:
            raise PageNotFound(f"No page has the slug {slug!r}.") from None
        return (await self._with_blocks(tenant_id, [node], locale))[0]

    async def list_pages(
        self,
        tenant_id: uuid.UUID,
        query: PageQuery,
        *,
        after: str | None = None,
        limit: int = 20,
        reader: Reach | None = None,
    ) -> CursorPage[PageRead]:
        """A page of pages (newest first) with their blocks: a fixed number of queries."""
        nodes = await self._nodes.list_nodes(
            tenant_id,
            NodeQuery(kind=PAGE_KIND, status=query.status, locale=query.locale, q=query.q),
            after=after,
            limit=limit,
            reader=reader,
        )
        items = await self._with_blocks(tenant_id, nodes.items, query.locale)
        return CursorPage(items=items, next_cursor=nodes.next_cursor)

    async def blocks(
        self,
        tenant_id: uuid.UUID,
        page_id: uuid.UUID,
        *,
        reader: Reach | None = None,
        locale: str | None = None,
    ) -> list[BlockRead]:
        return (await self.get(tenant_id, page_id, reader=reader, locale=locale)).blocks

    # page writes

    async def create(self, tenant_id: uuid.UUID, data: PageCreate, *, reach: Reach) -> PageRead:
        """A page with its translations and blocks, in one unit of work."""
        TEMPLATES.check(data.template)
        if len(data.blocks) > self.settings.max_blocks_per_page:
            raise self._too_many("body.blocks")
        checked = [
            _check_block(block.type, block.data, block.translations, f"body.blocks.{index}")
            for index, block in enumerate(data.blocks)
        ]
        locales = await self._nodes.locales(tenant_id)
        for index, block in enumerate(data.blocks):
            self._check_locales(locales, block, f"body.blocks.{index}")
        now = clock.utcnow()
        async with self._uow(tenant_id) as uow:
            node = await self._nodes.create_in(
                uow,
                NodeCreate(
                    kind=PAGE_KIND,
                    status=data.status,
                    metadata={"template": data.template},
                    translations=data.translations,
                ),
                reach=reach,
            )
            repo = PagesRepository(uow.session, tenant_id)
            rows = []
            for position, valid in enumerate(checked):
                await _check_media(uow, valid)
                rows.append(self._block_row(tenant_id, node.id, valid, position, now))
            await repo.add(*rows)
            for row in rows:
                uow.emit(_block_event(BlockCreated, row), tenant_id=tenant_id)
            read = self._page(node, [_served_block(row, locales.chain(None)) for row in rows])
            await uow.commit()
        return read

    async def update(
        self, tenant_id: uuid.UUID, page_id: uuid.UUID, data: PageUpdate, *, reach: Reach
    ) -> PageRead:
        """Change the template or translations of a page read at `data.version`."""
        if data.template is not None:
            TEMPLATES.check(data.template)
        await self._writable(tenant_id, page_id, reach)
        changes: dict[str, Any] = {"version": data.version}
        if data.template is not None:
            changes["metadata"] = {"template": data.template}
        if data.translations is not None:
            changes["translations"] = data.translations
        node = await self._nodes.update(
            tenant_id, page_id, NodeUpdate.model_validate(changes), reach=reach
        )
        return (await self._with_blocks(tenant_id, [node], None))[0]

    async def publish(self, tenant_id: uuid.UUID, page_id: uuid.UUID, *, reach: Reach) -> PageRead:
        """Publish a page; publishing a published page answers it as it is (no change, no
        event), like restoring a live node."""
        current = await self.get(tenant_id, page_id, reader=reach)
        if current.status is NodeStatus.PUBLISHED:
            return current
        node = await self._nodes.publish(tenant_id, page_id, reach=reach)
        return (await self._with_blocks(tenant_id, [node], None))[0]

    async def unpublish(
        self, tenant_id: uuid.UUID, page_id: uuid.UUID, *, reach: Reach
    ) -> PageRead:
        await self._writable(tenant_id, page_id, reach)
        node = await self._nodes.unpublish(tenant_id, page_id, reach=reach)
        return (await self._with_blocks(tenant_id, [node], None))[0]

    async def delete(self, tenant_id: uuid.UUID, page_id: uuid.UUID, *, reach: Reach) -> None:
        """Soft delete (content's): restorable with its blocks, which stay."""
        await self._writable(tenant_id, page_id, reach)
        await self._nodes.delete(tenant_id, page_id, reach=reach)

    # block writes

    async def add_block(
        self, tenant_id: uuid.UUID, page_id: uuid.UUID, data: BlockCreate, *, reach: Reach
    ) -> BlockRead:
        """One more block at `data.position` (those from there move down) or last."""
        checked = _check_block(data.type, data.data, data.translations, "body")
        locales = await self._nodes.locales(tenant_id)
        self._check_locales(locales, data, "body")
        now = clock.utcnow()
        async with self._uow(tenant_id) as uow:
            await self._page_in(uow, page_id, reach)
            repo = PagesRepository(uow.session, tenant_id)
            count = await repo.block_count(page_id)
            if count >= self.settings.max_blocks_per_page:
                raise self._too_many("body")
            position = count if data.position is None else min(data.position, count)
            await _check_media(uow, checked)
            if position < count:
                await repo.shift_blocks(page_id, position, 1)
            row = self._block_row(tenant_id, page_id, checked, position, now)
            await repo.add(row)
            uow.emit(_block_event(BlockCreated, row), tenant_id=tenant_id)
            read = _served_block(row, locales.chain(None))
            await uow.commit()
        return read

    async def update_block(
        self,
        tenant_id: uuid.UUID,
        page_id: uuid.UUID,
        block_id: uuid.UUID,
        data: BlockUpdate,
        *,
        reach: Reach,
    ) -> BlockRead:
        """Replace a block's data or translations (each checked by its type's schema)."""
        locales = await self._nodes.locales(tenant_id)
        self._check_locales(locales, data, "body")
        now = clock.utcnow()
        async with self._uow(tenant_id) as uow:
            await self._page_in(uow, page_id, reach)
            repo = PagesRepository(uow.session, tenant_id)
            block = await self._block(repo, page_id, block_id)
            base = data.data if data.data is not None else block.data
            if data.translations is not None:
                translations = data.translations
            else:
                translations = self._translation_inputs(block)
            checked = _check_block(block.type, base, translations, "body")
            await _check_media(uow, checked)
            block.data, block.translations = checked.data, checked.translations
            block.updated_at = now
            await uow.session.flush()
            uow.emit(_block_event(BlockUpdated, block), tenant_id=tenant_id)
            read = _served_block(block, locales.chain(None))
            await uow.commit()
        return read

    async def delete_block(
        self, tenant_id: uuid.UUID, page_id: uuid.UUID, block_id: uuid.UUID, *, reach: Reach
    ) -> None:
        async with self._uow(tenant_id) as uow:
            # Also on a deleted page: taking blocks off what is in the bin is housekeeping.
            await self._page_in(uow, page_id, reach, deleted_ok=True)
            repo = PagesRepository(uow.session, tenant_id)
            block = await self._block(repo, page_id, block_id)
            event = _block_event(BlockDeleted, block)
            await repo.delete(block)
            await repo.shift_blocks(page_id, event.position + 1, -1)
            uow.emit(event, tenant_id=tenant_id)
            await uow.commit()

    async def reorder_blocks(
        self, tenant_id: uuid.UUID, page_id: uuid.UUID, data: BlockOrder, *, reach: Reach
    ) -> list[BlockRead]:
        """Put the page's blocks in the order of `data.block_ids`, which lists each of them
        once (another page's block, a repeat or a missing one is `BLOCK_ORDER_INVALID`)."""
        locales = await self._nodes.locales(tenant_id)
        now = clock.utcnow()
        async with self._uow(tenant_id) as uow:
            await self._page_in(uow, page_id, reach)
            repo = PagesRepository(uow.session, tenant_id)
            current = (await repo.blocks([page_id])).get(page_id, [])
            self._check_order(data.block_ids, {block.id for block in current})
            await repo.set_positions(page_id, data.block_ids, now)
            uow.emit(
                BlocksReordered(page_id=page_id, block_ids=list(data.block_ids)),
                tenant_id=tenant_id,
            )
            for block in current:
                await uow.session.refresh(block)
            ordered = sorted(current, key=lambda block: (block.position, block.id))
            reads = [_served_block(block, locales.chain(None)) for block in ordered]
            await uow.commit()
        return reads

    # steps

    async def _with_blocks(
        self, tenant_id: uuid.UUID, nodes: Sequence[NodeRead], locale: str | None
    ) -> list[PageRead]:
        """The pages with their blocks (one query for all), served along `locale`'s chain."""
        chain = (await self._nodes.locales(tenant_id)).chain(locale)
        async with self._uow(tenant_id, read_only=True) as uow:
            blocks = await PagesRepository(uow.session, tenant_id).blocks(
                [node.id for node in nodes]
            )
            return [
                self._page(node, [_served_block(row, chain) for row in blocks.get(node.id, [])])
                for node in nodes
            ]

    @staticmethod
    def _page(node: NodeRead, blocks: list[BlockRead]) -> PageRead:
        return PageRead(
            id=node.id,
            status=node.status,
            template=str(node.metadata.get("template", "default")),
            author_id=node.author_id,
            version=node.version,
            published_at=node.published_at,
            created_at=node.created_at,
            updated_at=node.updated_at,
            served_locale=node.served_locale,
            title=node.title,
            slug=node.slug,
            translations=node.translations,
            blocks=blocks,
        )

    async def _writable(self, tenant_id: uuid.UUID, page_id: uuid.UUID, reach: Reach) -> None:
        """A page (not another kind of node) the caller can see; its service checks the rest."""
        await self.get(tenant_id, page_id, reader=reach)

    async def _page_in(
        self, uow: UnitOfWork, page_id: uuid.UUID, reach: Reach, *, deleted_ok: bool = False
    ) -> NodeRead:
        try:
            return await self._nodes.access_in(
                uow, page_id, reach, kind=PAGE_KIND, deleted_ok=deleted_ok
            )
        except NodeNotFound:
            raise PageNotFound("No such page.") from None

    @staticmethod
    async def _block(repo: PagesRepository, page_id: uuid.UUID, block_id: uuid.UUID) -> Block:
        block = await repo.block(page_id, block_id)
        if block is None:
            raise BlockNotFound("No such block on this page.")
        return block

    @staticmethod
    def _block_row(
        tenant_id: uuid.UUID,
        page_id: uuid.UUID,
        block: _CheckedBlock,
        position: int,
        now: datetime,
    ) -> Block:
        return Block(
            id=new_id(),
            tenant_id=tenant_id,
            page_id=page_id,
            type=block.type,
            position=position,
            data=block.data,
            translations=block.translations,
            created_at=now,
            updated_at=now,
        )

    @staticmethod
    def _translation_inputs(block: Block) -> list[BlockTranslationInput]:
        return [
            BlockTranslationInput(locale=locale, data=data)
            for locale, data in sorted(block.translations.items())
        ]

    @staticmethod
    def _check_locales(locales: Locales, block: BlockInput | BlockUpdate, prefix: str) -> None:
        for index, item in enumerate(block.translations or []):
            locales.check(item.locale, f"{prefix}.translations.{index}.locale")

    def _too_many(self, field: str) -> TooManyBlocks:
        limit = self.settings.max_blocks_per_page
        return TooManyBlocks(
            f"A page holds at most {limit} blocks.",
            fields=[FieldError(field, f"at most {limit} blocks")],
        )

    @staticmethod
    def _check_order(given: Sequence[uuid.UUID], current: set[uuid.UUID]) -> None:
        problems: list[FieldError] = []
        seen: set[uuid.UUID] = set()
        for index, block_id in enumerate(given):
            if block_id not in current:
                problems.append(FieldError(f"body.block_ids.{index}", "not a block of this page"))
            elif block_id in seen:
                problems.append(FieldError(f"body.block_ids.{index}", "listed twice"))
            seen.add(block_id)
        missing = len(current - seen)
        if missing:
            problems.append(
                FieldError(
                    "body.block_ids", f"must list every block of the page ({missing} missing)"
                )
            )
        if problems:
            raise BlockOrderInvalid(
                "The order must list each block of the page once.", fields=problems
            )


class _Tree:
    """A menu's items in memory: the parent, depth and subtree of each."""

    def __init__(self, items: Sequence[MenuItem]) -> None:
        self.items = {item.id: item for item in items}
        self.children: dict[uuid.UUID | None, list[MenuItem]] = {}
        for item in sorted(items, key=lambda row: (row.position, row.id)):
            self.children.setdefault(item.parent_id, []).append(item)

    def depth(self, item_id: uuid.UUID | None) -> int:
        """1 for a top-level item, 0 for the menu itself (None)."""
        depth = 0
        current = item_id
        while current is not None:
            depth += 1
            current = self.items[current].parent_id
        return depth

    def height(self, item_id: uuid.UUID) -> int:
        """How many levels the item and its descendants span (1: no children)."""
        kids = self.children.get(item_id, [])
        return 1 + max((self.height(kid.id) for kid in kids), default=0)

    def subtree(self, item_id: uuid.UUID) -> list[uuid.UUID]:
        found = [item_id]
        for kid in self.children.get(item_id, []):
            found.extend(self.subtree(kid.id))
        return found

    def ancestors(self, item_id: uuid.UUID | None) -> list[uuid.UUID]:
        chain: list[uuid.UUID] = []
        current = item_id
        while current is not None:
            chain.append(current)
            current = self.items[current].parent_id
        return chain

    def place(self, item: MenuItem, parent_id: uuid.UUID | None, position: int | None) -> None:
        """Move `item` under `parent_id` at `position` (None: last) and number both sibling
        lists from 0 again."""
        old = self.children.setdefault(item.parent_id, [])
        if item in old:
            old.remove(item)
        for index, sibling in enumerate(old):
            sibling.position = index
        siblings = self.children.setdefault(parent_id, [])
        at = len(siblings) if position is None else min(position, len(siblings))
        siblings.insert(at, item)
        item.parent_id = parent_id
        for index, sibling in enumerate(siblings):
            sibling.position = index

    def remove(self, item: MenuItem) -> None:
        siblings = self.children.get(item.parent_id, [])
        siblings.remove(item)
        for index, sibling in enumerate(siblings):
            sibling.position = index


class MenuService:
    def __init__(self, uow: UnitOfWorkFactory, nodes: NodeService, settings: PagesSettings) -> None:
        self._uow = uow
        self._nodes = nodes
        self.settings = settings

    # reads

    async def list_menus(
        self,
        tenant_id: uuid.UUID,
        *,
        location: MenuLocation | None = None,
        locale: str | None = None,
        reader: Reach | None = None,
    ) -> list[MenuRead]:
        """The menus (at `location`) with their trees, in three queries whatever their size."""
        async with self._uow(tenant_id, read_only=True) as uow:
            repo = PagesRepository(uow.session, tenant_id)
            menus = await repo.menus(location.value if location else None)
            items = await repo.items([menu.id for menu in menus])
            # Loaded rows outlive the read transaction; the pages they link to are read next.
            uow.session.expunge_all()
        return await self._reads(tenant_id, menus, items, locale, reader)

    async def get(
        self,
        tenant_id: uuid.UUID,
        menu_id: uuid.UUID,
        *,
        locale: str | None = None,
        reader: Reach | None = None,
    ) -> MenuRead:
        async with self._uow(tenant_id, read_only=True) as uow:
            repo = PagesRepository(uow.session, tenant_id)
            menu = await repo.menu(menu_id)
            if menu is None:
                raise MenuNotFound("No such menu.")
            items = await repo.items([menu.id])
            uow.session.expunge_all()
        return (await self._reads(tenant_id, [menu], items, locale, reader))[0]

    # writes

    async def create(self, tenant_id: uuid.UUID, data: MenuCreate, *, reach: Reach) -> MenuRead:
        """A menu with its item tree."""
        reach.check(None)
        locales = await self._nodes.locales(tenant_id)
        flat = self._flatten(data.items, locales)
        now = clock.utcnow()
        async with self._uow(tenant_id) as uow:
            await self._check_pages(uow, [(field, item.page_id) for field, item, _, _ in flat])
            menu = Menu(
                id=new_id(),
                tenant_id=tenant_id,
                name=data.name,
                location=data.location.value,
                version=1,
                created_at=now,
                updated_at=now,
            )
            repo = PagesRepository(uow.session, tenant_id)
            await repo.add(menu)
            rows = self._item_rows(tenant_id, menu.id, flat, now)
            await repo.add(*rows)
            uow.emit(MenuCreated(**self._payload(menu, rows)), **self._aggregate(menu))
            await uow.commit()
        return await self.get(tenant_id, menu.id, reader=reach)

    async def update(
        self, tenant_id: uuid.UUID, menu_id: uuid.UUID, data: MenuUpdate, *, reach: Reach
    ) -> MenuRead:
        reach.check(None)
        now = clock.utcnow()
        async with self._uow(tenant_id) as uow:
            repo = PagesRepository(uow.session, tenant_id)
            menu = await self._claim(repo, menu_id, now)
            changes = []
            if data.name is not None:
                menu.name = data.name
                changes.append("name")
            if data.location is not None:
                menu.location = data.location.value
                changes.append("location")
            await uow.session.flush()
            rows = (await repo.items([menu.id])).get(menu.id, [])
            uow.emit(
                MenuUpdated(**self._payload(menu, rows), changes=changes), **self._aggregate(menu)
            )
            await uow.commit()
        return await self.get(tenant_id, menu_id, reader=reach)

    async def delete(self, tenant_id: uuid.UUID, menu_id: uuid.UUID, *, reach: Reach) -> None:
        """The menu and all its items."""
        reach.check(None)
        now = clock.utcnow()
        async with self._uow(tenant_id) as uow:
            repo = PagesRepository(uow.session, tenant_id)
            menu = await self._claim(repo, menu_id, now)
            rows = (await repo.items([menu.id])).get(menu.id, [])
            payload = self._payload(menu, rows)
            await repo.clear_items(menu.id)
            await repo.delete(menu)
            uow.emit(MenuDeleted(**payload), **self._aggregate(menu))
            await uow.commit()

    async def replace_items(
        self, tenant_id: uuid.UUID, menu_id: uuid.UUID, data: MenuItems, *, reach: Reach
    ) -> MenuRead:
        """The menu's whole tree replaced by `data.items` (how clients reorder it at once)."""
        reach.check(None)
        locales = await self._nodes.locales(tenant_id)
        flat = self._flatten(data.items, locales)
        now = clock.utcnow()
        async with self._uow(tenant_id) as uow:
            repo = PagesRepository(uow.session, tenant_id)
            menu = await self._claim(repo, menu_id, now)
            await self._check_pages(uow, [(field, item.page_id) for field, item, _, _ in flat])
            await repo.clear_items(menu.id)
            rows = self._item_rows(tenant_id, menu.id, flat, now)
            await repo.add(*rows)
            uow.emit(
                MenuUpdated(**self._payload(menu, rows), changes=["items"]),
                **self._aggregate(menu),
            )
            await uow.commit()
        return await self.get(tenant_id, menu_id, reader=reach)

    async def add_item(
        self, tenant_id: uuid.UUID, menu_id: uuid.UUID, data: MenuItemCreate, *, reach: Reach
    ) -> MenuRead:
        """One more item under `data.parent_id` at `data.position` (or last)."""
        reach.check(None)
        locales = await self._nodes.locales(tenant_id)
        self._check_labels(locales, data.labels, "body")
        now = clock.utcnow()
        async with self._uow(tenant_id) as uow:
            repo = PagesRepository(uow.session, tenant_id)
            menu = await self._claim(repo, menu_id, now)
            rows = (await repo.items([menu.id])).get(menu.id, [])
            tree = _Tree(rows)
            if len(rows) >= self.settings.max_menu_items:
                raise self._too_large("body")
            self._check_parent(tree, data.parent_id)
            if tree.depth(data.parent_id) + 1 > self.settings.max_menu_depth:
                raise self._too_deep("body.parent_id")
            await self._check_pages(uow, [("body.page_id", data.page_id)])
            item = MenuItem(
                id=new_id(),
                tenant_id=tenant_id,
                menu_id=menu.id,
                parent_id=data.parent_id,
                labels={label.locale: label.label for label in data.labels},
                url=data.url,
                page_id=data.page_id,
                created_at=now,
                updated_at=now,
            )
            tree.place(item, data.parent_id, data.position)
            await repo.add(item)
            uow.emit(
                MenuUpdated(**self._payload(menu, [*rows, item]), changes=["items"]),
                **self._aggregate(menu),
            )
            await uow.commit()
        return await self.get(tenant_id, menu_id, reader=reach)

    async def update_item(
        self,
        tenant_id: uuid.UUID,
        menu_id: uuid.UUID,
        item_id: uuid.UUID,
        data: MenuItemUpdate,
        *,
        reach: Reach,
    ) -> MenuRead:
        """Relabel, relink or move an item with its children (`MENU_CYCLE` when the new
        parent is the item or below it, `MENU_TOO_DEEP` past the depth limit)."""
        reach.check(None)
        given = data.model_fields_set
        locales = await self._nodes.locales(tenant_id)
        if data.labels is not None:
            self._check_labels(locales, data.labels, "body")
        now = clock.utcnow()
        async with self._uow(tenant_id) as uow:
            repo = PagesRepository(uow.session, tenant_id)
            menu = await self._claim(repo, menu_id, now)
            rows = (await repo.items([menu.id])).get(menu.id, [])
            tree = _Tree(rows)
            item = tree.items.get(item_id)
            if item is None:
                raise MenuItemNotFound("No such item in this menu.")
            if "parent_id" in given or "position" in given:
                parent_id = data.parent_id if "parent_id" in given else item.parent_id
                self._check_parent(tree, parent_id)
                if item.id in tree.ancestors(parent_id):
                    raise MenuCycle(
                        "An item cannot move under itself or one of its descendants.",
                        fields=[FieldError("body.parent_id", "makes a cycle")],
                    )
                depth = tree.depth(parent_id) + tree.height(item.id)
                if depth > self.settings.max_menu_depth:
                    raise self._too_deep("body.parent_id")
                tree.place(item, parent_id, data.position)
            if data.labels is not None:
                item.labels = {label.locale: label.label for label in data.labels}
            if data.url is not None:
                item.url, item.page_id = data.url, None
            if data.page_id is not None:
                await self._check_pages(uow, [("body.page_id", data.page_id)])
                item.url, item.page_id = None, data.page_id
            item.updated_at = now
            await uow.session.flush()
            uow.emit(
                MenuUpdated(**self._payload(menu, rows), changes=["items"]),
                **self._aggregate(menu),
            )
            await uow.commit()
        return await self.get(tenant_id, menu_id, reader=reach)

    async def delete_item(
        self, tenant_id: uuid.UUID, menu_id: uuid.UUID, item_id: uuid.UUID, *, reach: Reach
    ) -> MenuRead:
        """The item and its children."""
        reach.check(None)
        now = clock.utcnow()
        async with self._uow(tenant_id) as uow:
            repo = PagesRepository(uow.session, tenant_id)
            menu = await self._claim(repo, menu_id, now)
            rows = (await repo.items([menu.id])).get(menu.id, [])
            tree = _Tree(rows)
            item = tree.items.get(item_id)
            if item is None:
                raise MenuItemNotFound("No such item in this menu.")
            gone = set(tree.subtree(item.id))
            tree.remove(item)
            await uow.session.flush()
            await repo.delete_items(sorted(gone))
            kept = [row for row in rows if row.id not in gone]
            uow.emit(
                MenuUpdated(**self._payload(menu, kept), changes=["items"]),
                **self._aggregate(menu),
            )
            await uow.commit()
        return await self.get(tenant_id, menu_id, reader=reach)

    # steps

    async def _reads(
        self,
        tenant_id: uuid.UUID,
        menus: Sequence[Menu],
        items: dict[uuid.UUID, list[MenuItem]],
        locale: str | None,
        reader: Reach | None,
    ) -> list[MenuRead]:
        page_ids = [row.page_id for rows in items.values() for row in rows if row.page_id]
        pages = await self._nodes.links(
            tenant_id, page_ids, kind=PAGE_KIND, locale=locale, reader=reader
        )
        chain = (await self._nodes.locales(tenant_id)).chain(locale)

        def tree(rows: list[MenuItem], parent: uuid.UUID | None) -> list[MenuItemRead]:
            reads = []
            for row in rows:
                if row.parent_id != parent:
                    continue
                page = pages.get(row.page_id) if row.page_id else None
                if row.page_id is not None and page is None:
                    continue  # a page the caller may not see: the link and what is under it
                served = next((loc for loc in chain if loc in row.labels), None)
                served = served or next(iter(sorted(row.labels)), None)
                reads.append(
                    MenuItemRead(
                        id=row.id,
                        parent_id=row.parent_id,
                        position=row.position,
                        served_locale=served,
                        label=row.labels.get(served) if served else None,
                        labels=dict(row.labels),
                        url=row.url,
                        page_id=row.page_id,
                        page_slug=page.slug if page else None,
                        children=tree(rows, row.id),
                    )
                )
            return reads

        return [
            MenuRead(
                id=menu.id,
                name=menu.name,
                location=MenuLocation(menu.location),
                version=menu.version,
                items=tree(items.get(menu.id, []), None),
                created_at=menu.created_at,
                updated_at=menu.updated_at,
            )
            for menu in menus
        ]

    @staticmethod
    async def _claim(repo: PagesRepository, menu_id: uuid.UUID, now: datetime) -> Menu:
        menu = await repo.bump_menu(menu_id, now)
        if menu is None:
            raise MenuNotFound("No such menu.")
        return menu

    def _flatten(
        self, items: Sequence[MenuItemInput], locales: Locales
    ) -> list[tuple[str, MenuItemInput, int, int | None]]:
        """(field, item, position, index of its parent in the list) of a tree given nested,
        parents first; checks depth, size and label locales on the way."""
        flat: list[tuple[str, MenuItemInput, int, int | None]] = []

        def walk(
            level: Sequence[MenuItemInput], prefix: str, depth: int, parent: int | None
        ) -> None:
            for position, item in enumerate(level):
                field = f"{prefix}.{position}"
                if depth > self.settings.max_menu_depth:
                    raise self._too_deep(field)
                self._check_labels(locales, item.labels, field)
                flat.append((field, item, position, parent))
                walk(item.children, f"{field}.children", depth + 1, len(flat) - 1)

        walk(items, "body.items", 1, None)
        if len(flat) > self.settings.max_menu_items:
            raise self._too_large("body.items")
        return flat

    @staticmethod
    def _item_rows(
        tenant_id: uuid.UUID,
        menu_id: uuid.UUID,
        flat: Sequence[tuple[str, MenuItemInput, int, int | None]],
        now: datetime,
    ) -> list[MenuItem]:
        rows: list[MenuItem] = []
        for _, item, position, parent in flat:
            rows.append(
                MenuItem(
                    id=new_id(),
                    tenant_id=tenant_id,
                    menu_id=menu_id,
                    parent_id=rows[parent].id if parent is not None else None,
                    position=position,
                    labels={label.locale: label.label for label in item.labels},
                    url=item.url,
                    page_id=item.page_id,
                    created_at=now,
                    updated_at=now,
                )
            )
        return rows

    async def _check_pages(
        self, uow: UnitOfWork, links: Sequence[tuple[str, uuid.UUID | None]]
    ) -> None:
        """Every page id is a live page of this tenant (`PAGE_REFERENCE_UNKNOWN` naming each
        `<field>.page_id` otherwise; another tenant's page is unknown here)."""
        wanted = [(field, page_id) for field, page_id in links if page_id is not None]
        if not wanted:
            return
        found = await self._nodes.existing_in(
            uow, [page_id for _, page_id in wanted], kind=PAGE_KIND
        )
        unknown = [
            FieldError(field if field.endswith(".page_id") else f"{field}.page_id", "no such page")
            for field, page_id in wanted
            if page_id not in found
        ]
        if unknown:
            raise PageReferenceUnknown("No such page in this tenant.", fields=unknown)

    @staticmethod
    def _check_parent(tree: _Tree, parent_id: uuid.UUID | None) -> None:
        if parent_id is not None and parent_id not in tree.items:
            raise MenuParentInvalid(
                "The parent is not an item of this menu.",
                fields=[FieldError("body.parent_id", "no such item in this menu")],
            )

    @staticmethod
    def _check_labels(locales: Locales, labels: Sequence[Any], prefix: str) -> None:
        for index, label in enumerate(labels):
            locales.check(label.locale, f"{prefix}.labels.{index}.locale")

    def _too_deep(self, field: str) -> MenuTooDeep:
        limit = self.settings.max_menu_depth
        return MenuTooDeep(
            f"Menus nest at most {limit} levels deep.",
            fields=[FieldError(field, f"deeper than {limit} levels")],
        )

    def _too_large(self, field: str) -> MenuTooLarge:
        limit = self.settings.max_menu_items
        return MenuTooLarge(
            f"A menu holds at most {limit} items.",
            fields=[FieldError(field, f"at most {limit} items")],
        )

    @staticmethod
    def _payload(menu: Menu, rows: Sequence[MenuItem]) -> dict[str, Any]:
        return {
            "menu_id": menu.id,
            "name": menu.name,
            "location": menu.location,
            "version": menu.version,
            "item_count": len(rows),
            "page_ids": list(dict.fromkeys(row.page_id for row in rows if row.page_id)),
        }

    @staticmethod
    def _aggregate(menu: Menu) -> dict[str, Any]:
        return {"tenant_id": menu.tenant_id, "aggregate_version": menu.version}
