"""Pages and menus over GraphQL: queries and mutations with REST's rules and error codes, and a
page with N blocks in a constant number of statements."""

from __future__ import annotations

from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from sqlalchemy import event

from rustok.pages.schemas import PageCreate
from rustok.pages.service import PageService
from tests.pages.conftest import editor

if TYPE_CHECKING:
    from collections.abc import Iterator

    import httpx

    from rustok.bootstrap import Container
    from rustok.tenancy.schemas import TenantDetail
    from tests.pages.conftest import Callers, Db

PAGE = """
query Page($slug: String, $id: UUID, $locale: String) {
  page(slug: $slug, id: $id, locale: $locale) {
    id title servedLocale template
    translations { locale title html }
    blocks { id type position servedLocale data }
  }
}
"""


async def gql(
    client: httpx.AsyncClient, query: str, headers: dict[str, str], **variables: Any
) -> dict[str, Any]:
    response = await client.post(
        "/api/graphql", json={"query": query, "variables": variables}, headers=headers
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def codes(body: dict[str, Any]) -> list[str]:
    return [error["extensions"]["code"] for error in body.get("errors", [])]


@contextmanager
def statements(container: Container) -> Iterator[list[str]]:
    """The SQL statements the app's engine runs on page, content and user tables inside the
    block (the relay's polls of the outbox run on their own clock and are left out)."""
    seen: list[str] = []

    def record(*args: Any) -> None:
        statement = str(args[2])
        if "content_" in statement or "pages_" in statement or "users" in statement:
            seen.append(statement)

    engine = container.engine.sync_engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


async def seed_page(container: Container, site: TenantDetail, slug: str, blocks: int) -> None:
    await container.service(PageService).create(
        site.id,
        PageCreate.model_validate(
            {
                "status": "published",
                "translations": [
                    {"locale": "en", "title": slug, "slug": slug},
                    {"locale": "de", "title": slug + " de", "slug": slug + "-de"},
                ],
                "blocks": [
                    {
                        "type": "text",
                        "data": {"body": f"Block *{index}*"},
                        "translations": [{"locale": "de", "data": {"body": f"Block {index} de"}}],
                    }
                    for index in range(blocks)
                ],
            }
        ),
        reach=editor(),
    )


async def test_a_page_costs_the_same_statements_for_5_and_50_blocks(
    client: httpx.AsyncClient, container: Container, callers: Callers, site: TenantDetail
) -> None:
    await seed_page(container, site, "small", 5)
    await seed_page(container, site, "large", 50)
    await gql(client, PAGE, callers.anonymous, slug="small")  # warm the tenant cache

    with statements(container) as small:
        five = await gql(client, PAGE, callers.anonymous, slug="small-de", locale="de")
    with statements(container) as large:
        fifty = await gql(client, PAGE, callers.anonymous, slug="large-de", locale="de")

    assert "errors" not in fifty, fifty
    blocks = fifty["data"]["page"]["blocks"]
    assert len(five["data"]["page"]["blocks"]) == 5
    assert [block["position"] for block in blocks] == list(range(50))
    assert blocks[3]["data"] == {"body": "Block 3 de", "html": "<p>Block 3 de</p>\n"}
    assert blocks[3]["servedLocale"] == "de"
    assert len(large) == len(small), "\n".join(large)
    # the page by slug, its translations, bodies, SEO and tags, and all its blocks in one;
    # the figure is in docs/pages.md.
    assert len(large) == 6, "\n".join(large)
    print(f"statements for a page of 50 blocks: {len(large)}")  # noqa: T201 - reported by -s


CREATE = """
mutation Create($input: PageCreateInput!) {
  createPage(input: $input) { id version status template title blocks { id type data } }
}
"""
MENU = """
mutation Menu($input: MenuCreateInput!) {
  createMenu(input: $input) { id name location items { label pageSlug children { label url } } }
}
"""
MENUS = """
query Menus($location: String, $locale: String) {
  menus(location: $location, locale: $locale) { name items { label servedLocale pageSlug } }
}
"""


async def test_mutations_write_pages_blocks_and_menus(
    unlimited_client: httpx.AsyncClient, callers: Callers, db: Db
) -> None:
    client, headers = unlimited_client, callers.manager.headers

    created = await gql(
        client,
        CREATE,
        headers,
        input={
            "template": "landing",
            "translations": [{"locale": "en", "title": "Home", "slug": "home"}],
            "blocks": [
                {"type": "hero", "data": {"heading": "Hi"}},
                {"type": "html", "data": {"html": "<b onmouseover='x()'>b</b>"}},
            ],
        },
    )
    page = created["data"]["createPage"]
    page_id = page["id"]
    hero, html = page["blocks"]
    added = await gql(
        client,
        "mutation($p: UUID!, $i: BlockInput!) { addBlock(pageId: $p, input: $i) { id position } }",
        headers,
        p=page_id,
        i={"type": "spacer", "data": {}, "position": 0},
    )
    spacer = added["data"]["addBlock"]["id"]
    updated = await gql(
        client,
        "mutation($p: UUID!, $b: UUID!) { updateBlock(pageId: $p, blockId: $b, "
        'input: {data: {heading: "Hey"}}) { data } }',
        headers,
        p=page_id,
        b=hero["id"],
    )
    reordered = await gql(
        client,
        "mutation($p: UUID!, $ids: [UUID!]!) { reorderBlocks(pageId: $p, blockIds: $ids) { id } }",
        headers,
        p=page_id,
        ids=[html["id"], hero["id"], spacer],
    )
    deleted_block = await gql(
        client,
        "mutation($p: UUID!, $b: UUID!) { deleteBlock(pageId: $p, blockId: $b) }",
        headers,
        p=page_id,
        b=spacer,
    )
    page_update = await gql(
        client,
        'mutation($id: UUID!) { updatePage(id: $id, input: {version: 1, template: "contact"}) '
        "{ template version } }",
        headers,
        id=page_id,
    )
    published = await gql(
        client, "mutation($id: UUID!) { publishPage(id: $id) { status } }", headers, id=page_id
    )
    menu = await gql(
        client,
        MENU,
        headers,
        input={
            "name": "Main",
            "location": "header",
            "items": [
                {
                    "labels": [{"locale": "en", "label": "Home"}],
                    "pageId": page_id,
                    "children": [{"labels": [{"locale": "en", "label": "Blog"}], "url": "/blog"}],
                }
            ],
        },
    )
    menu_id = menu["data"]["createMenu"]["id"]
    listed = await gql(client, MENUS, callers.anonymous, location="header")
    pages = await gql(client, "{ pages { items { id blocks { type } } } }", callers.anonymous)
    by_id = await gql(client, PAGE, callers.anonymous, id=page_id)
    unpublished = await gql(
        client, "mutation($id: UUID!) { unpublishPage(id: $id) { status } }", headers, id=page_id
    )
    menu_gone = await gql(
        client, "mutation($id: UUID!) { deleteMenu(id: $id) }", headers, id=menu_id
    )
    page_gone = await gql(
        client, "mutation($id: UUID!) { deletePage(id: $id) }", headers, id=page_id
    )

    assert (page["template"], page["status"], page["title"]) == ("landing", "draft", "Home")
    assert html["data"] == {"html": "<b>b</b>"}
    assert added["data"]["addBlock"]["position"] == 0
    assert updated["data"]["updateBlock"]["data"] == {"heading": "Hey"}
    assert [b["id"] for b in reordered["data"]["reorderBlocks"]] == [html["id"], hero["id"], spacer]
    assert deleted_block["data"]["deleteBlock"] is True
    assert page_update["data"]["updatePage"] == {"template": "contact", "version": 2}
    assert published["data"]["publishPage"]["status"] == "published"
    assert menu["data"]["createMenu"]["items"] == [
        {"label": "Home", "pageSlug": "home", "children": [{"label": "Blog", "url": "/blog"}]}
    ]
    assert listed["data"]["menus"] == [
        {"name": "Main", "items": [{"label": "Home", "servedLocale": "en", "pageSlug": "home"}]}
    ]
    assert pages["data"]["pages"]["items"] == [
        {"id": page_id, "blocks": [{"type": "html"}, {"type": "hero"}]}
    ]
    assert by_id["data"]["page"]["template"] == "contact"
    assert unpublished["data"]["unpublishPage"]["status"] == "draft"
    assert (menu_gone["data"]["deleteMenu"], page_gone["data"]["deletePage"]) == (True, True)
    assert "pages.menu.deleted" in await db.event_types()


async def test_menu_item_mutations_move_and_refuse_cycles(
    unlimited_client: httpx.AsyncClient, callers: Callers, db: Db
) -> None:
    client, headers = unlimited_client, callers.manager.headers
    menu = (
        await gql(
            client,
            "mutation($input: MenuCreateInput!) { createMenu(input: $input) "
            "{ id items { id children { id } } } }",
            headers,
            input={
                "name": "Side",
                "location": "sidebar",
                "items": [
                    {
                        "labels": [{"locale": "en", "label": "A"}],
                        "url": "/a",
                        "children": [{"labels": [{"locale": "en", "label": "B"}], "url": "/b"}],
                    }
                ],
            },
        )
    )["data"]["createMenu"]
    a = menu["items"][0]["id"]
    b = menu["items"][0]["children"][0]["id"]
    before = await db.snapshot()

    cycle = await gql(
        client,
        "mutation($m: UUID!, $i: UUID!, $p: UUID) { updateMenuItem(menuId: $m, itemId: $i, "
        "input: {parentId: $p}) { id } }",
        headers,
        m=menu["id"],
        i=a,
        p=b,
    )
    unsafe = await gql(
        client,
        'mutation($m: UUID!) { addMenuItem(menuId: $m, input: {labels: [{locale: "en", '
        'label: "X"}], url: "javascript:alert(1)"}) { id } }',
        headers,
        m=menu["id"],
    )
    unchanged = await db.snapshot()
    moved = await gql(
        client,
        "mutation($m: UUID!, $i: UUID!) { updateMenuItem(menuId: $m, itemId: $i, "
        "input: {parentId: null}) { items { label } } }",
        headers,
        m=menu["id"],
        i=b,
    )
    added = await gql(
        client,
        'mutation($m: UUID!) { addMenuItem(menuId: $m, input: {labels: [{locale: "en", '
        'label: "C"}], url: "/c", position: 0}) { items { label } } }',
        headers,
        m=menu["id"],
    )
    renamed = await gql(
        client,
        'mutation($m: UUID!) { updateMenu(id: $m, name: "Aside") { name } }',
        headers,
        m=menu["id"],
    )
    replaced = await gql(
        client,
        'mutation($m: UUID!) { replaceMenuItems(id: $m, items: [{labels: [{locale: "en", '
        'label: "Only"}], url: "/"}]) { items { label } } }',
        headers,
        m=menu["id"],
    )
    removed = await gql(
        client,
        "mutation($m: UUID!, $i: UUID!) { deleteMenuItem(menuId: $m, itemId: $i) "
        "{ items { id } } }",
        headers,
        m=menu["id"],
        i=a,
    )

    assert codes(cycle) == ["MENU_CYCLE"]
    assert cycle["errors"][0]["extensions"]["fields"][0]["field"] == "body.parent_id"
    assert codes(unsafe) == ["VALIDATION_ERROR"]
    assert unchanged == before
    assert moved["data"]["updateMenuItem"]["items"] == [{"label": "A"}, {"label": "B"}]
    assert added["data"]["addMenuItem"]["items"] == [{"label": "C"}, {"label": "A"}, {"label": "B"}]
    assert renamed["data"]["updateMenu"] == {"name": "Aside"}
    assert replaced["data"]["replaceMenuItems"]["items"] == [{"label": "Only"}]
    assert codes(removed) == ["MENU_ITEM_NOT_FOUND"]


async def test_mutations_refuse_callers_without_the_permission(
    unlimited_client: httpx.AsyncClient, callers: Callers, db: Db
) -> None:
    client = unlimited_client
    before = await db.snapshot()
    body = {
        "translations": [{"locale": "en", "title": "x"}],
        "blocks": [{"type": "hero", "data": {}}],
    }

    customer = await gql(client, CREATE, callers.customer.headers, input=body)
    anonymous = await gql(client, CREATE, callers.anonymous, input=body)
    invalid = await gql(client, CREATE, callers.manager.headers, input=body)
    menu = await gql(
        client, MENU, callers.customer.headers, input={"name": "x", "location": "header"}
    )
    bad_location = await gql(client, MENUS, callers.anonymous, location="basement")
    neither = await gql(client, PAGE, callers.anonymous)

    assert codes(customer) == ["FORBIDDEN"]
    assert codes(anonymous) == ["UNAUTHENTICATED"]
    assert codes(invalid) == ["BLOCK_DATA_INVALID"]
    assert invalid["errors"][0]["extensions"]["fields"][0]["field"] == "body.blocks.0.data.heading"
    assert codes(menu) == ["FORBIDDEN"]
    assert codes(bad_location) == ["VALIDATION_ERROR"]
    assert codes(neither) == ["VALIDATION_ERROR"]
    assert await db.snapshot() == before
