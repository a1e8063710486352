"""Every query of the pages module, each from the tenant's rows."""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from sqlalchemy import case, delete, func, select, update

from rustok.pages.models import Block, Menu, MenuItem

if TYPE_CHECKING:
    import uuid
    from collections.abc import Sequence
    from datetime import datetime

    from sqlalchemy.ext.asyncio import AsyncSession


class PagesRepository:
    def __init__(self, session: AsyncSession, tenant_id: uuid.UUID) -> None:
        self.session = session
        self.tenant_id = tenant_id

    async def add(self, *rows: object) -> None:
        self.session.add_all(rows)
        await self.session.flush()

    async def delete(self, row: object) -> None:
        await self.session.delete(row)
        await self.session.flush()

    # blocks

    async def blocks(self, page_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, list[Block]]:
        """Each page's blocks in order, in one query."""
        found: dict[uuid.UUID, list[Block]] = defaultdict(list)
        if page_ids:
            rows = await self.session.scalars(
                select(Block)
                .where(Block.tenant_id == self.tenant_id, Block.page_id.in_(page_ids))
                .order_by(Block.page_id, Block.position, Block.id)
            )
            for row in rows:
                found[row.page_id].append(row)
        return found

    async def block(self, page_id: uuid.UUID, block_id: uuid.UUID) -> Block | None:
        return await self.session.scalar(
            select(Block).where(
                Block.tenant_id == self.tenant_id, Block.page_id == page_id, Block.id == block_id
            )
        )

    async def block_count(self, page_id: uuid.UUID) -> int:
        total = await self.session.scalar(
            select(func.count())
            .select_from(Block)
            .where(Block.tenant_id == self.tenant_id, Block.page_id == page_id)
        )
        return int(total or 0)

    async def shift_blocks(self, page_id: uuid.UUID, start: int, by: int) -> None:
        """Move the blocks at `start` and after by `by` places, in one statement."""
        await self.session.execute(
            update(Block)
            .where(
                Block.tenant_id == self.tenant_id,
                Block.page_id == page_id,
                Block.position >= start,
            )
            .values(position=Block.position + by)
            .execution_options(synchronize_session=False)
        )

    async def set_positions(
        self, page_id: uuid.UUID, order: Sequence[uuid.UUID], now: datetime
    ) -> None:
        """Each block of `order` to its index, in one statement."""
        await self.session.execute(
            update(Block)
            .where(
                Block.tenant_id == self.tenant_id,
                Block.page_id == page_id,
                Block.id.in_(order),
            )
            .values(
                position=case(
                    {block_id: index for index, block_id in enumerate(order)}, value=Block.id
                ),
                updated_at=now,
            )
            .execution_options(synchronize_session=False)
        )

    # menus

    async def menus(self, location: str | None) -> Sequence[Menu]:
        query = select(Menu).where(Menu.tenant_id == self.tenant_id)
        if location is not None:
            query = query.where(Menu.location == location)
        return (await self.session.scalars(query.order_by(Menu.location, Menu.name, Menu.id))).all()

    async def menu(self, menu_id: uuid.UUID) -> Menu | None:
        return await self.session.scalar(
            select(Menu).where(Menu.tenant_id == self.tenant_id, Menu.id == menu_id)
        )

    async def bump_menu(self, menu_id: uuid.UUID, now: datetime) -> Menu | None:
        """The menu moved to its next version by one atomic update (on PostgreSQL the row is
        locked until commit, so two writers of one menu's tree go one after the other)."""
        result = await self.session.execute(
            update(Menu)
            .where(Menu.tenant_id == self.tenant_id, Menu.id == menu_id)
            .values(version=Menu.version + 1, updated_at=now)
            .returning(Menu.id)
            .execution_options(synchronize_session=False)
        )
        if result.scalar_one_or_none() is None:
            return None
        menu = await self.menu(menu_id)
        if menu is not None:
            await self.session.refresh(menu)
        return menu

    async def items(self, menu_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, list[MenuItem]]:
        """Each menu's items (every depth) by position, in one query."""
        found: dict[uuid.UUID, list[MenuItem]] = defaultdict(list)
        if menu_ids:
            rows = await self.session.scalars(
                select(MenuItem)
                .where(MenuItem.tenant_id == self.tenant_id, MenuItem.menu_id.in_(menu_ids))
                .order_by(MenuItem.position, MenuItem.id)
            )
            for row in rows:
                found[row.menu_id].append(row)
        return found

    async def clear_items(self, menu_id: uuid.UUID) -> None:
        await self.session.execute(
            delete(MenuItem).where(
                MenuItem.tenant_id == self.tenant_id, MenuItem.menu_id == menu_id
            )
        )

    async def delete_items(self, item_ids: Sequence[uuid.UUID]) -> None:
        await self.session.execute(
            delete(MenuItem)
            .where(MenuItem.tenant_id == self.tenant_id, MenuItem.id.in_(item_ids))
            .execution_options(synchronize_session=False)
        )
