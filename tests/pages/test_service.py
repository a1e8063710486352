"""PageService and MenuService on every database: pages with blocks in one unit of work, block
schemas, reorder, menus as trees; refused input writes nothing and emits nothing."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

import pytest

from rustok.content.schemas import NodeStatus
from rustok.core.errors import DomainError
from rustok.core.permissions import Scope
from rustok.pages.blocks import BLOCKS, BlockData, BlockType
from rustok.pages.errors import (
    BlockDataInvalid,
    BlockOrderInvalid,
    MenuCycle,
    MenuTooDeep,
    PageNotFound,
    PageReferenceUnknown,
    UnknownBlockType,
    UnknownTemplate,
)
from rustok.pages.schemas import (
    BlockCreate,
    BlockOrder,
    MenuCreate,
    MenuItemUpdate,
    MenuLocation,
    PageCreate,
    PageQuery,
    PageUpdate,
)
from rustok.testing.factories import make_media
from tests.pages.conftest import editor, menu_editor, page_body

if TYPE_CHECKING:
    from rustok.bootstrap import Container
    from rustok.pages.service import MenuService, PageService
    from rustok.tenancy.schemas import TenantDetail
    from tests.pages.conftest import Db

EDITOR = editor()


def page(title: str = "About", **extra: object) -> PageCreate:
    return PageCreate.model_validate(page_body(title, **extra))


async def refused(db: Db, error: type[DomainError], work: object) -> DomainError:
    """Run the awaitable `work`, expect `error`, and check that nothing was written."""
    before = await db.snapshot()
    with pytest.raises(error) as caught:
        await work  # type: ignore[misc]
    assert await db.snapshot() == before
    return caught.value


def fields(error: DomainError) -> list[str]:
    return [item.field for item in error.fields]


async def test_a_page_is_created_with_its_blocks_in_one_unit_of_work(
    pages: PageService, site: TenantDetail, db: Db
) -> None:
    created = await pages.create(site.id, page(status="published"), reach=EDITOR)

    assert (created.title, created.slug, created.template) == ("About", "about", "default")
    assert [(b.type, b.position) for b in created.blocks] == [("hero", 0), ("text", 1)]
    assert created.blocks[1].data == {
        "body": "Some *text*",
        "html": "<p>Some <em>text</em></p>\n",
    }
    assert await db.event_types() == [
        "content.node.created",
        "content.node.published",
        "pages.block.created",
        "pages.block.created",
    ]
    german = await pages.get_by_slug(site.id, "about-de", locale="de")
    assert (german.served_locale, german.title) == ("de", "About DE")
    assert german.blocks[0].data == {"heading": "Hallo"}
    assert german.blocks[0].served_locale == "de"
    # ru falls back to de, then en
    russian = await pages.get(site.id, created.id, locale="ru")
    assert russian.blocks[0].served_locale == "de"
    assert russian.blocks[1].served_locale is None


async def test_html_blocks_are_sanitized_when_read(pages: PageService, site: TenantDetail) -> None:
    created = await pages.create(
        site.id,
        page(
            blocks=[
                {
                    "type": "html",
                    "data": {
                        "html": '<p onclick="x()">Hi<script>alert(1)</script></p>'
                        '<a href="javascript:alert(1)">x</a>'
                    },
                }
            ]
        ),
        reach=EDITOR,
    )

    assert created.blocks[0].data["html"] == '<p>Hi</p><a rel="noopener noreferrer nofollow">x</a>'


@pytest.mark.parametrize(
    ("block", "error", "field"),
    [
        ({"type": "carousel", "data": {}}, UnknownBlockType, "body.blocks.1.type"),
        ({"type": "hero", "data": {}}, BlockDataInvalid, "body.blocks.1.data.heading"),
        (
            {"type": "cta", "data": {"heading": "a", "label": "b", "url": "javascript:alert(1)"}},
            BlockDataInvalid,
            "body.blocks.1.data.url",
        ),
        (
            {"type": "cta", "data": {"heading": "a", "label": "b", "url": "//evil.example"}},
            BlockDataInvalid,
            "body.blocks.1.data.url",
        ),
        (
            {"type": "video", "data": {"url": "https://evil.example/v.mp4"}},
            BlockDataInvalid,
            "body.blocks.1.data.url",
        ),
        (
            {"type": "product_grid", "data": {}},
            BlockDataInvalid,
            "body.blocks.1.data",
        ),
        (
            {
                "type": "hero",
                "data": {"heading": "Hi"},
                "translations": [{"locale": "de", "data": {"heading": ""}}],
            },
            BlockDataInvalid,
            "body.blocks.1.translations.0.data.heading",
        ),
        (
            {"type": "image", "data": {"media_id": str(uuid.uuid4())}},
            DomainError,
            "body.blocks.1.data.media_id",
        ),
        (
            {
                "type": "hero",
                "data": {"heading": "Hi"},
                "translations": [{"locale": "fr", "data": {}}],
            },
            DomainError,
            "body.blocks.1.translations.0.locale",
        ),
    ],
)
async def test_bad_blocks_are_refused_naming_the_field(
    pages: PageService,
    site: TenantDetail,
    db: Db,
    block: dict[str, object],
    error: type[DomainError],
    field: str,
) -> None:
    data = page(blocks=[{"type": "spacer", "data": {}}, block])

    caught = await refused(db, error, pages.create(site.id, data, reach=EDITOR))

    assert fields(caught) == [field]


async def test_media_of_another_tenant_is_refused_in_an_image_block(
    pages: PageService, container: Container, site: TenantDetail, other_site: TenantDetail, db: Db
) -> None:
    mine = await make_media(container, site.id)
    theirs = await make_media(container, other_site.id)

    ok = await pages.create(
        site.id,
        page(blocks=[{"type": "gallery", "data": {"media_ids": [str(mine)]}}]),
        reach=EDITOR,
    )
    caught = await refused(
        db,
        DomainError,
        pages.create(
            site.id,
            page(
                "Other",
                blocks=[{"type": "gallery", "data": {"media_ids": [str(mine), str(theirs)]}}],
            ),
            reach=EDITOR,
        ),
    )

    assert ok.blocks[0].data == {"media_ids": [str(mine)]}
    assert (caught.code, fields(caught)) == (
        "MEDIA_REFERENCE_UNKNOWN",
        ["body.blocks.0.data.media_ids.1"],
    )


async def test_an_unknown_template_is_refused(
    pages: PageService, site: TenantDetail, db: Db
) -> None:
    caught = await refused(
        db, UnknownTemplate, pages.create(site.id, page(template="nope"), reach=EDITOR)
    )

    assert fields(caught) == ["body.template"]


async def test_block_types_can_be_added_by_other_modules(
    pages: PageService, site: TenantDetail
) -> None:
    class QuoteData(BlockData):
        quote: str

    BLOCKS.register(BlockType("test_quote", QuoteData))
    try:
        created = await pages.create(
            site.id, page(blocks=[{"type": "test_quote", "data": {"quote": "Hi"}}]), reach=EDITOR
        )
    finally:
        BLOCKS._types.pop("test_quote")

    assert created.blocks[0].data == {"quote": "Hi"}


async def test_blocks_are_added_updated_reordered_and_deleted(
    pages: PageService, site: TenantDetail, db: Db
) -> None:
    created = await pages.create(site.id, page(), reach=EDITOR)
    hero, text = created.blocks

    first = await pages.add_block(
        site.id,
        created.id,
        BlockCreate.model_validate({"type": "spacer", "data": {"size": "large"}, "position": 0}),
        reach=EDITOR,
    )
    order = await pages.reorder_blocks(
        site.id, created.id, BlockOrder(block_ids=[text.id, hero.id, first.id]), reach=EDITOR
    )
    await pages.delete_block(site.id, created.id, hero.id, reach=EDITOR)
    after = await pages.get(site.id, created.id, reader=EDITOR)

    assert first.position == 0
    assert [(b.id, b.position) for b in order] == [(text.id, 0), (hero.id, 1), (first.id, 2)]
    assert [(b.id, b.position) for b in after.blocks] == [(text.id, 0), (first.id, 1)]
    assert (await db.event_types())[-3:] == [
        "pages.block.created",
        "pages.block.reordered",
        "pages.block.deleted",
    ]


async def test_a_reorder_must_list_each_block_of_the_page_once(
    pages: PageService, site: TenantDetail, db: Db
) -> None:
    one = await pages.create(site.id, page("One"), reach=EDITOR)
    two = await pages.create(site.id, page("Two"), reach=EDITOR)
    a, b = one.blocks

    foreign = await refused(
        db,
        BlockOrderInvalid,
        pages.reorder_blocks(
            site.id, one.id, BlockOrder(block_ids=[b.id, a.id, two.blocks[0].id]), reach=EDITOR
        ),
    )
    missing = await refused(
        db,
        BlockOrderInvalid,
        pages.reorder_blocks(site.id, one.id, BlockOrder(block_ids=[b.id, b.id]), reach=EDITOR),
    )

    assert fields(foreign) == ["body.block_ids.2"]
    assert fields(missing) == ["body.block_ids.1", "body.block_ids"]


async def test_pages_are_updated_published_listed_and_deleted(
    pages: PageService, site: TenantDetail
) -> None:
    created = await pages.create(site.id, page(), reach=EDITOR)

    updated = await pages.update(
        site.id,
        created.id,
        PageUpdate.model_validate(
            {"version": 1, "template": "contact", "translations": [{"locale": "en", "title": "Us"}]}
        ),
        reach=EDITOR,
    )
    published = await pages.publish(site.id, created.id, reach=EDITOR)
    public = await pages.list_pages(site.id, PageQuery())
    unpublished = await pages.unpublish(site.id, created.id, reach=EDITOR)
    hidden = await pages.list_pages(site.id, PageQuery())
    await pages.delete(site.id, created.id, reach=EDITOR)

    assert (updated.template, updated.title, updated.version) == ("contact", "Us", 2)
    assert published.status is NodeStatus.PUBLISHED
    assert [item.id for item in public.items] == [created.id]
    assert len(public.items[0].blocks) == 2
    assert unpublished.status is NodeStatus.DRAFT
    assert hidden.items == []
    with pytest.raises(PageNotFound):
        await pages.get(site.id, created.id)


async def test_an_own_editor_cannot_change_another_authors_page(
    pages: PageService, site: TenantDetail, db: Db
) -> None:
    created = await pages.create(site.id, page(status="published"), reach=EDITOR)
    own = editor(Scope.OWN)

    caught = await refused(
        db,
        DomainError,
        pages.add_block(
            site.id,
            created.id,
            BlockCreate.model_validate({"type": "spacer", "data": {}}),
            reach=own,
        ),
    )

    assert caught.code == "NOT_OWNER"


async def test_an_article_is_not_a_page(
    pages: PageService, container: Container, site: TenantDetail
) -> None:
    from rustok.content.schemas import NodeCreate
    from rustok.content.service import NodeService

    article = await container.service(NodeService).create(
        site.id,
        NodeCreate.model_validate(
            {
                "kind": "article",
                "status": "published",
                "translations": [{"locale": "en", "title": "A"}],
            }
        ),
        reach=EDITOR,
    )

    with pytest.raises(PageNotFound):
        await pages.get(site.id, article.id)
    with pytest.raises(PageNotFound):
        await pages.add_block(
            site.id,
            article.id,
            BlockCreate.model_validate({"type": "spacer", "data": {}}),
            reach=EDITOR,
        )


def tree(home: uuid.UUID) -> list[dict[str, object]]:
    return [
        {
            "labels": [{"locale": "en", "label": "Home"}, {"locale": "de", "label": "Start"}],
            "page_id": str(home),
        },
        {
            "labels": [{"locale": "en", "label": "More"}],
            "url": "/more",
            "children": [{"labels": [{"locale": "en", "label": "Blog"}], "url": "/blog"}],
        },
    ]


async def test_a_menu_is_a_tree_of_labelled_links(
    pages: PageService, menus: MenuService, site: TenantDetail, db: Db
) -> None:
    home = await pages.create(site.id, page("Home", status="published"), reach=EDITOR)
    draft = await pages.create(site.id, page("Draft"), reach=EDITOR)
    items = [
        *tree(home.id),
        {"labels": [{"locale": "en", "label": "Draft"}], "page_id": str(draft.id)},
    ]

    created = await menus.create(
        site.id,
        MenuCreate.model_validate({"name": "Main", "location": "header", "items": items}),
        reach=menu_editor(),
    )
    public = await menus.list_menus(site.id, location=MenuLocation.HEADER, locale="de")
    footer = await menus.list_menus(site.id, location=MenuLocation.FOOTER)

    assert [item.label for item in created.items] == ["Home", "More", "Draft"]
    menu = public[0]
    assert [(i.label, i.served_locale, i.page_slug, i.url) for i in menu.items] == [
        ("Start", "de", "home-de", None),
        ("More", "en", None, "/more"),
    ]
    assert [child.label for child in menu.items[1].children] == ["Blog"]
    assert footer == []
    assert (await db.events("pages.menu.created"))[0]["page_ids"] == [str(home.id), str(draft.id)]


async def test_menu_items_move_and_cycles_and_depth_are_refused(
    menus: MenuService, site: TenantDetail, db: Db
) -> None:
    created = await menus.create(
        site.id,
        MenuCreate.model_validate(
            {
                "name": "Side",
                "location": "sidebar",
                "items": [
                    {
                        "labels": [{"locale": "en", "label": "A"}],
                        "url": "/a",
                        "children": [
                            {
                                "labels": [{"locale": "en", "label": "B"}],
                                "url": "/b",
                                "children": [
                                    {"labels": [{"locale": "en", "label": "C"}], "url": "/c"}
                                ],
                            }
                        ],
                    },
                    {"labels": [{"locale": "en", "label": "D"}], "url": "/d"},
                ],
            }
        ),
        reach=menu_editor(),
    )
    a, d = created.items
    b = a.children[0]
    c = b.children[0]

    cycle = await refused(
        db,
        MenuCycle,
        menus.update_item(
            site.id, created.id, a.id, MenuItemUpdate(parent_id=c.id), reach=menu_editor()
        ),
    )
    deep = await refused(
        db,
        MenuTooDeep,
        menus.update_item(
            site.id, created.id, a.id, MenuItemUpdate(parent_id=d.id), reach=menu_editor()
        ),
    )
    moved = await menus.update_item(
        site.id, created.id, c.id, MenuItemUpdate(parent_id=None, position=0), reach=menu_editor()
    )

    assert fields(cycle) == ["body.parent_id"]
    assert fields(deep) == ["body.parent_id"]
    assert [(item.label, item.position) for item in moved.items] == [("C", 0), ("A", 1), ("D", 2)]
    assert moved.items[1].children[0].children == []
    assert moved.version == 2


async def test_a_menu_item_cannot_link_to_another_tenants_page(
    pages: PageService, menus: MenuService, site: TenantDetail, other_site: TenantDetail, db: Db
) -> None:
    theirs = await pages.create(other_site.id, page("Theirs", status="published"), reach=EDITOR)

    caught = await refused(
        db,
        PageReferenceUnknown,
        menus.create(
            site.id,
            MenuCreate.model_validate(
                {
                    "name": "Main",
                    "location": "header",
                    "items": [
                        {
                            "labels": [{"locale": "en", "label": "A"}],
                            "url": "/a",
                            "children": [
                                {
                                    "labels": [{"locale": "en", "label": "X"}],
                                    "page_id": str(theirs.id),
                                }
                            ],
                        }
                    ],
                }
            ),
            reach=menu_editor(),
        ),
    )

    assert fields(caught) == ["body.items.0.children.0.page_id"]
