"""NodeService, CategoryService and TagService: their rules, and that a refused write leaves
no row and no event behind."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import pytest
from pydantic import BaseModel, ConfigDict

from rustok.content.errors import (
    BodyTooLarge,
    CategoryInUse,
    CategoryInvalid,
    LocaleNotEnabled,
    MetadataInvalid,
    NodeNotFound,
    ParentInvalid,
    ScheduleInvalid,
    SlugTaken,
    StatusConflict,
    TagInvalid,
    UnknownKind,
    VersionConflict,
)
from rustok.content.kinds import KINDS, NodeKind, OpenMetadata
from rustok.content.schemas import (
    CategoryCreate,
    CategoryUpdate,
    NodeCreate,
    NodeQuery,
    NodeSort,
    NodeUpdate,
    TagCreate,
)
from rustok.content.service import NodeService
from rustok.core import clock
from rustok.core.errors import DomainError, Forbidden
from rustok.core.permissions import Scope
from tests.content.conftest import reach

if TYPE_CHECKING:
    from collections.abc import Awaitable, Iterator

    from rustok.bootstrap import Container
    from rustok.content.schemas import NodeRead
    from rustok.content.service import CategoryService, TagService
    from rustok.core.cursor import CursorPage
    from rustok.tenancy.schemas import TenantDetail
    from tests.content.conftest import Db

EDITOR = reach()


def article(title: str = "Hello, world", **overrides: object) -> NodeCreate:
    data: dict[str, object] = {
        "kind": "article",
        "translations": [{"locale": "en", "title": title, "body": "# Hi\n\n**bold**"}],
    }
    data.update(overrides)
    return NodeCreate.model_validate(data)


async def refused(db: Db, error: type[DomainError], work: Awaitable[object]) -> DomainError:
    """Run the awaitable `work`, expect `error`, and check that nothing was written."""
    before = await db.snapshot()
    with pytest.raises(error) as caught:
        await work
    assert await db.snapshot() == before
    return caught.value


async def test_a_node_is_created_with_its_translations_bodies_and_events(
    nodes: NodeService, site: TenantDetail, db: Db
) -> None:
    data = article(
        translations=[
            {"locale": "en", "title": "Hello, world", "body": "# Hi\n\n**bold**"},
            {
                "locale": "de",
                "title": "Hallo Welt",
                "excerpt": "Kurz",
                "format": "plain",
                "body": "a < b",
            },
        ],
        metadata={"featured": True},
    )

    node = await nodes.create(site.id, data, reach=EDITOR)

    assert (node.kind, node.status, node.version, node.author_id) == (
        "article",
        "draft",
        1,
        EDITOR.actor_id,
    )
    assert node.metadata == {"featured": True}
    assert (node.served_locale, node.title, node.slug) == ("en", "Hello, world", "hello-world")
    by_locale = {t.locale: t for t in node.translations}
    assert by_locale["en"].html == "<h1>Hi</h1>\n<p><strong>bold</strong></p>\n"
    assert (by_locale["de"].slug, by_locale["de"].excerpt) == ("hallo-welt", "Kurz")
    assert by_locale["de"].html == "<p>a &lt; b</p>"
    events = await db.events()
    assert [e.event_type for e in events] == ["content.node.created"]
    assert events[0].payload["slugs"] == {"de": "hallo-welt", "en": "hello-world"}
    assert events[0].aggregate_version == 1
    assert events[0].tenant_id == site.id


async def test_a_node_created_published_also_announces_it(
    nodes: NodeService, site: TenantDetail, db: Db
) -> None:
    node = await nodes.create(site.id, article(status="published"), reach=EDITOR)

    assert node.status == "published"
    assert node.published_at is not None
    assert await db.event_types() == ["content.node.created", "content.node.published"]


async def test_an_unknown_kind_is_refused_on_kind(
    nodes: NodeService, site: TenantDetail, db: Db
) -> None:
    error = await refused(
        db, UnknownKind, nodes.create(site.id, article(kind="recipe"), reach=EDITOR)
    )

    assert [f.field for f in error.fields] == ["body.kind"]


class _StrictMetadata(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reading_minutes: int


@pytest.fixture
def strict_recipe() -> Iterator[None]:
    KINDS.register(NodeKind("test_recipe", _StrictMetadata), replace=True)
    yield
    KINDS.register(NodeKind("test_recipe", OpenMetadata), replace=True)


@pytest.mark.usefixtures("strict_recipe")
async def test_metadata_that_does_not_fit_the_kind_is_refused_naming_the_field(
    nodes: NodeService, site: TenantDetail, db: Db
) -> None:
    bad = article(kind="test_recipe", metadata={"reading_minutes": "soon"})

    error = await refused(db, MetadataInvalid, nodes.create(site.id, bad, reach=EDITOR))
    node = await nodes.create(
        site.id, article(kind="test_recipe", metadata={"reading_minutes": 4}), reach=EDITOR
    )

    assert [f.field for f in error.fields] == ["body.metadata.reading_minutes"]
    assert node.metadata == {"reading_minutes": 4}


@pytest.mark.parametrize("locale", ["fr", "it"])
async def test_a_locale_the_tenant_has_not_enabled_is_refused(
    nodes: NodeService, site: TenantDetail, db: Db, locale: str
) -> None:
    data = article(
        translations=[
            {"locale": "en", "title": "Hello"},
            {"locale": locale, "title": "Bonjour"},
        ]
    )

    error = await refused(db, LocaleNotEnabled, nodes.create(site.id, data, reach=EDITOR))

    assert [f.field for f in error.fields] == ["body.translations.1.locale"]


async def test_an_explicit_slug_taken_is_a_conflict_and_a_generated_one_gets_a_suffix(
    nodes: NodeService, site: TenantDetail, db: Db
) -> None:
    await nodes.create(site.id, article("Hello"), reach=EDITOR)

    error = await refused(
        db,
        SlugTaken,
        nodes.create(
            site.id,
            article(translations=[{"locale": "en", "title": "Other", "slug": "hello"}]),
            reach=EDITOR,
        ),
    )
    second = await nodes.create(site.id, article("Hello"), reach=EDITOR)
    third = await nodes.create(site.id, article("Hello"), reach=EDITOR)
    page = await nodes.create(site.id, article("Hello", kind="page"), reach=EDITOR)

    assert error.code == "SLUG_TAKEN"
    assert [f.field for f in error.fields] == ["body.translations.0.slug"]
    assert (second.slug, third.slug, page.slug) == ("hello-2", "hello-3", "hello")


async def test_slugs_are_made_from_titles_in_any_script(
    nodes: NodeService, site: TenantDetail
) -> None:
    node = await nodes.create(
        site.id,
        article(
            translations=[
                {"locale": "ru", "title": "Привет, мир!"},
                {"locale": "de", "title": "Straße & Öl"},
            ]
        ),
        reach=EDITOR,
    )

    assert {t.locale: t.slug for t in node.translations} == {
        "ru": "привет-мир",
        "de": "straße-öl",
    }


async def test_a_stale_version_is_a_conflict_and_changes_nothing(
    nodes: NodeService, site: TenantDetail, db: Db
) -> None:
    node = await nodes.create(site.id, article(), reach=EDITOR)
    await nodes.update(site.id, node.id, NodeUpdate(version=1, position=3), reach=EDITOR)

    error = await refused(
        db,
        VersionConflict,
        nodes.update(site.id, node.id, NodeUpdate(version=1, position=9), reach=EDITOR),
    )
    now = await nodes.get(site.id, node.id, reader=EDITOR)

    assert error.code == "VERSION_CONFLICT"
    assert [f.field for f in error.fields] == ["body.version"]
    assert (now.version, now.position) == (2, 3)


async def test_an_update_keeps_the_previous_translation_as_a_revision_that_can_be_restored(
    nodes: NodeService, site: TenantDetail, db: Db
) -> None:
    node = await nodes.create(site.id, article("First"), reach=EDITOR)

    updated = await nodes.update(
        site.id,
        node.id,
        NodeUpdate.model_validate(
            {"version": 1, "translations": [{"locale": "en", "title": "Second", "body": "new"}]}
        ),
        reach=EDITOR,
    )
    revisions = await nodes.revisions(site.id, node.id, reach=EDITOR)
    restored = await nodes.restore_revision(site.id, node.id, revisions[0].id, reach=EDITOR)
    after = await nodes.revisions(site.id, node.id, reach=EDITOR)

    assert (updated.title, updated.slug, updated.version) == ("Second", "first", 2)
    assert updated.translations[0].body == "new"
    assert [(r.title, r.body, r.node_version) for r in revisions] == [
        ("First", "# Hi\n\n**bold**", 1)
    ]
    assert (restored.title, restored.translations[0].body, restored.version) == (
        "First",
        "# Hi\n\n**bold**",
        3,
    )
    assert [r.title for r in after] == ["Second", "First"]
    assert await db.event_types() == [
        "content.node.created",
        "content.node.updated",
        "content.translation.updated",
        "content.body.updated",
        "content.node.updated",
        "content.translation.updated",
        "content.body.updated",
    ]


async def test_a_parent_must_be_a_node_of_the_tenant_and_never_make_a_cycle(
    nodes: NodeService, site: TenantDetail, other_site: TenantDetail, db: Db
) -> None:
    foreign = await nodes.create(other_site.id, article(), reach=EDITOR)
    root = await nodes.create(site.id, article("Root"), reach=EDITOR)
    child = await nodes.create(site.id, article("Child", parent_id=root.id), reach=EDITOR)

    foreign_parent = await refused(
        db, ParentInvalid, nodes.create(site.id, article(parent_id=foreign.id), reach=EDITOR)
    )
    cycle = await refused(
        db,
        ParentInvalid,
        nodes.update(site.id, root.id, NodeUpdate(version=1, parent_id=child.id), reach=EDITOR),
    )
    itself = await refused(
        db,
        ParentInvalid,
        nodes.update(site.id, root.id, NodeUpdate(version=1, parent_id=root.id), reach=EDITOR),
    )

    assert child.parent_id == root.id
    for error in (foreign_parent, cycle, itself):
        assert [f.field for f in error.fields] == ["body.parent_id"]
    assert cycle.fields[0].message == "makes a cycle"


async def test_a_category_or_tag_of_another_tenant_is_refused(
    nodes: NodeService,
    categories: CategoryService,
    tags: TagService,
    site: TenantDetail,
    other_site: TenantDetail,
    db: Db,
) -> None:
    category = await categories.create(
        other_site.id,
        CategoryCreate.model_validate({"translations": [{"locale": "en", "name": "News"}]}),
        reach=EDITOR,
    )
    tag = await tags.create(
        other_site.id,
        TagCreate.model_validate({"translations": [{"locale": "en", "name": "Python"}]}),
        reach=EDITOR,
    )

    bad_category = await refused(
        db, CategoryInvalid, nodes.create(site.id, article(category_id=category.id), reach=EDITOR)
    )
    bad_tag = await refused(
        db, TagInvalid, nodes.create(site.id, article(tag_ids=[tag.id]), reach=EDITOR)
    )

    assert [f.field for f in bad_category.fields] == ["body.category_id"]
    assert [f.field for f in bad_tag.fields] == ["body.tag_ids.0"]


async def test_under_own_scope_an_author_changes_only_its_nodes_and_keeps_the_author(
    nodes: NodeService, site: TenantDetail, db: Db
) -> None:
    alice, bob = reach(Scope.OWN), reach(Scope.OWN)
    mine = await nodes.create(site.id, article("Mine"), reach=alice)
    theirs = await nodes.create(site.id, article("Theirs"), reach=bob)

    foreign = await refused(
        db,
        Forbidden,
        nodes.update(site.id, theirs.id, NodeUpdate(version=1, position=1), reach=alice),
    )
    publish = await refused(db, Forbidden, nodes.publish(site.id, theirs.id, reach=alice))
    reassign = await refused(
        db,
        Forbidden,
        nodes.update(site.id, mine.id, NodeUpdate(version=1, author_id=bob.actor_id), reach=alice),
    )
    updated = await nodes.update(site.id, mine.id, NodeUpdate(version=1, position=5), reach=alice)

    assert foreign.code == publish.code == reassign.code == "NOT_OWNER"
    assert [f.field for f in reassign.fields] == ["body.author_id"]
    assert (updated.position, updated.author_id) == (5, alice.actor_id)


async def test_readers_see_what_their_reach_allows(nodes: NodeService, site: TenantDetail) -> None:
    alice, bob = reach(Scope.OWN), reach(Scope.OWN)
    draft = await nodes.create(site.id, article("Draft"), reach=alice)
    live = await nodes.create(site.id, article("Live", status="published"), reach=bob)
    gone = await nodes.create(site.id, article("Gone", status="published"), reach=bob)
    await nodes.delete(site.id, gone.id, reach=bob)

    def titles(page: CursorPage[NodeRead]) -> set[str | None]:
        return {item.title for item in page.items}

    public = await nodes.list_nodes(site.id, NodeQuery())
    as_alice = await nodes.list_nodes(site.id, NodeQuery(), reader=alice)
    as_bob = await nodes.list_nodes(site.id, NodeQuery(), reader=bob)
    as_editor = await nodes.list_nodes(site.id, NodeQuery(), reader=EDITOR)
    trash = await nodes.list_nodes(site.id, NodeQuery(deleted="only"), reader=EDITOR)

    assert titles(public) == {"Live"}
    assert titles(as_alice) == {"Draft", "Live"}
    assert titles(as_bob) == {"Live"}
    assert titles(as_editor) == {"Draft", "Live"}
    assert titles(trash) == {"Gone"}
    with pytest.raises(NodeNotFound):
        await nodes.get(site.id, draft.id)
    with pytest.raises(NodeNotFound):
        await nodes.get(site.id, draft.id, reader=bob)
    with pytest.raises(NodeNotFound):
        await nodes.get(site.id, gone.id)
    assert (await nodes.get(site.id, live.id)).title == "Live"


async def test_a_body_over_the_limit_is_refused_naming_the_field(
    container: Container, site: TenantDetail, db: Db
) -> None:
    small = NodeService(container.uow, container.service(NodeService)._tenants, max_body_bytes=10)
    data = article(translations=[{"locale": "en", "title": "Big", "body": "é" * 6}])

    error = await refused(db, BodyTooLarge, small.create(site.id, data, reach=EDITOR))

    assert [f.field for f in error.fields] == ["body.translations.0.body"]


async def test_publishing_moves_through_the_states_and_refuses_a_transition_that_does_not_apply(
    nodes: NodeService, site: TenantDetail, db: Db
) -> None:
    node = await nodes.create(site.id, article(), reach=EDITOR)

    published = await nodes.publish(site.id, node.id, reach=EDITOR)
    twice = await refused(db, StatusConflict, nodes.publish(site.id, node.id, reach=EDITOR))
    draft = await nodes.unpublish(site.id, node.id, reach=EDITOR)
    archived = await nodes.archive(site.id, node.id, reach=EDITOR)

    assert (published.status, published.version) == ("published", 2)
    assert published.published_at is not None
    assert twice.code == "STATUS_CONFLICT"
    assert (draft.status, archived.status, archived.version) == ("draft", "archived", 4)
    assert await db.event_types() == [
        "content.node.created",
        "content.node.published",
        "content.node.unpublished",
        "content.node.archived",
    ]


async def test_a_deleted_node_is_hidden_and_can_be_restored_once(
    nodes: NodeService, site: TenantDetail, db: Db
) -> None:
    node = await nodes.create(site.id, article(status="published"), reach=EDITOR)

    await nodes.delete(site.id, node.id, reach=EDITOR)
    with pytest.raises(NodeNotFound):
        await nodes.get(site.id, node.id)
    again = await refused(db, NodeNotFound, nodes.delete(site.id, node.id, reach=EDITOR))
    restored = await nodes.restore(site.id, node.id, reach=EDITOR)
    before = await db.snapshot()
    twice = await nodes.restore(site.id, node.id, reach=EDITOR)

    assert again.code == "NODE_NOT_FOUND"
    assert (restored.deleted_at, restored.version) == (None, 3)
    assert twice.version == 3  # restoring a live node changes nothing
    assert await db.snapshot() == before
    assert (await nodes.get(site.id, node.id)).id == node.id
    assert (await db.event_types())[-2:] == ["content.node.deleted", "content.node.restored"]


async def test_reads_fall_back_along_the_tenants_chain_and_say_which_locale_they_served(
    nodes: NodeService, site: TenantDetail
) -> None:
    node = await nodes.create(
        site.id,
        article(
            status="published",
            translations=[
                {"locale": "en", "title": "Hello", "slug": "hello"},
                {"locale": "de", "title": "Hallo", "slug": "hallo"},
            ],
        ),
        reach=EDITOR,
    )

    ru = await nodes.get(site.id, node.id, locale="ru")  # ru -> de -> en
    by_en_slug_in_de = await nodes.get_by_slug(site.id, "hello", locale="de", kind="article")
    by_de_slug = await nodes.get_by_slug(site.id, "hallo", locale="ru")
    with pytest.raises(NodeNotFound):
        await nodes.get_by_slug(site.id, "hello", kind="page")
    with pytest.raises(LocaleNotEnabled):
        await nodes.get(site.id, node.id, locale="fr")

    assert (ru.served_locale, ru.title) == ("de", "Hallo")
    assert (by_en_slug_in_de.served_locale, by_en_slug_in_de.title) == ("en", "Hello")
    assert (by_de_slug.served_locale, by_de_slug.id) == ("de", node.id)


async def test_the_list_filters_searches_and_pages_by_cursor(
    nodes: NodeService,
    categories: CategoryService,
    tags: TagService,
    site: TenantDetail,
) -> None:
    news = await categories.create(
        site.id,
        CategoryCreate.model_validate({"translations": [{"locale": "en", "name": "News"}]}),
        reach=EDITOR,
    )
    python = await tags.create(
        site.id,
        TagCreate.model_validate({"translations": [{"locale": "en", "name": "Python"}]}),
        reach=EDITOR,
    )
    made = [
        await nodes.create(
            site.id,
            article(
                f"Post {index}",
                status="published",
                position=10 - index,
                category_id=news.id if index % 2 else None,
                tag_ids=[python.id] if index < 2 else [],
            ),
            reach=EDITOR,
        )
        for index in range(5)
    ]
    await nodes.create(site.id, article("A page", kind="page", status="published"), reach=EDITOR)

    seen, cursor = [], None
    while True:
        page = await nodes.list_nodes(
            site.id, NodeQuery(kind="article"), after=cursor, limit=2, reader=EDITOR
        )
        seen += [item.title for item in page.items]
        cursor = page.next_cursor
        if cursor is None:
            break
    in_news = await nodes.list_nodes(site.id, NodeQuery(category_id=news.id))
    tagged = await nodes.list_nodes(site.id, NodeQuery(tag_id=python.id))
    found = await nodes.list_nodes(site.id, NodeQuery(q="POST 3"))
    by_position = await nodes.list_nodes(
        site.id, NodeQuery(kind="article", sort=NodeSort.POSITION), limit=2
    )
    by_published = await nodes.list_nodes(
        site.id, NodeQuery(kind="article", sort=NodeSort.RECENTLY_PUBLISHED), limit=10
    )

    assert seen == [f"Post {i}" for i in (4, 3, 2, 1, 0)]
    assert {i.title for i in in_news.items} == {"Post 1", "Post 3"}
    assert {i.title for i in tagged.items} == {"Post 0", "Post 1"}
    assert all(item.tags[0].slug == "python" for item in tagged.items)
    assert [i.title for i in found.items] == ["Post 3"]
    assert [i.title for i in by_position.items] == ["Post 4", "Post 3"]
    assert [i.id for i in by_published.items] == [n.id for n in reversed(made)]


async def test_due_scheduled_nodes_are_published_once_with_their_events(
    nodes: NodeService, site: TenantDetail, other_site: TenantDetail, db: Db
) -> None:
    now = clock.utcnow()
    soon = await nodes.create(site.id, article("Soon"), reach=EDITOR)
    later = await nodes.create(other_site.id, article("Later"), reach=EDITOR)
    await nodes.schedule(site.id, soon.id, now + timedelta(hours=1), reach=EDITOR)
    await nodes.schedule(other_site.id, later.id, now + timedelta(hours=3), reach=EDITOR)
    past = await refused(
        db, ScheduleInvalid, nodes.schedule(site.id, soon.id, now - timedelta(1), reach=EDITOR)
    )

    before = await nodes.publish_due(now)
    first = await nodes.publish_due(now + timedelta(hours=2))
    again = await nodes.publish_due(now + timedelta(hours=2))
    second = await nodes.publish_due(now + timedelta(hours=4))
    published = await nodes.get(site.id, soon.id)

    assert [f.field for f in past.fields] == ["body.publish_at"]
    assert (before, first, again, second) == (0, 1, 0, 1)
    assert (published.status, published.version) == ("published", 3)
    assert published.published_at == (now + timedelta(hours=1)).astimezone(UTC)
    events = [e for e in await db.events() if e.event_type == "content.node.published"]
    assert [(e.tenant_id, e.payload["scheduled"]) for e in events] == [
        (site.id, True),
        (other_site.id, True),
    ]
    assert events[0].payload["slugs"] == {"en": "soon"}


async def test_tags_are_attached_and_detached_with_their_events(
    nodes: NodeService, tags: TagService, site: TenantDetail, db: Db
) -> None:
    node = await nodes.create(site.id, article(), reach=EDITOR)
    python = await tags.create(
        site.id,
        TagCreate.model_validate(
            {
                "translations": [
                    {"locale": "en", "name": "Python"},
                    {"locale": "de", "name": "Python DE"},
                ]
            }
        ),
        reach=EDITOR,
    )

    attached = await nodes.attach_tags(site.id, node.id, [python.id, python.id], reach=EDITOR)
    again = await nodes.attach_tags(site.id, node.id, [python.id], reach=EDITOR)
    detached = await nodes.detach_tag(site.id, node.id, python.id, reach=EDITOR)

    assert [t.slug for t in attached.tags] == ["python"]
    assert [t.id for t in again.tags] == [python.id]
    assert detached.tags == []
    events = await db.events()
    assert [e.event_type for e in events] == [
        "content.node.created",
        "content.tag.attached",
        "content.tag.detached",
    ]
    assert events[1].payload["slugs"] == {"de": "python-de", "en": "python"}


async def test_deleting_a_tag_detaches_it_from_every_node(
    nodes: NodeService, tags: TagService, site: TenantDetail, db: Db
) -> None:
    python = await tags.create(
        site.id,
        TagCreate.model_validate({"translations": [{"locale": "en", "name": "Python"}]}),
        reach=EDITOR,
    )
    node = await nodes.create(site.id, article(tag_ids=[python.id]), reach=EDITOR)

    await tags.delete(site.id, python.id, reach=EDITOR)

    assert (await nodes.get(site.id, node.id, reader=EDITOR)).tags == []
    assert (await db.event_types())[-1] == "content.tag.detached"


async def test_categories_form_a_tree_with_unique_slugs_and_cannot_be_deleted_in_use(
    nodes: NodeService, categories: CategoryService, site: TenantDetail, db: Db
) -> None:
    def category(name: str, **extra: object) -> CategoryCreate:
        return CategoryCreate.model_validate(
            {"translations": [{"locale": "en", "name": name}], **extra}
        )

    news = await categories.create(site.id, category("News"), reach=EDITOR)
    local = await categories.create(site.id, category("Local", parent_id=news.id), reach=EDITOR)
    twin = await categories.create(site.id, category("News"), reach=EDITOR)
    await nodes.create(site.id, article(category_id=local.id), reach=EDITOR)

    cycle = await refused(
        db,
        CategoryInvalid,
        categories.update(site.id, news.id, CategoryUpdate(parent_id=local.id), reach=EDITOR),
    )
    taken = await refused(
        db,
        SlugTaken,
        categories.create(
            site.id,
            CategoryCreate.model_validate(
                {"translations": [{"locale": "en", "name": "X", "slug": "news"}]}
            ),
            reach=EDITOR,
        ),
    )
    in_use = await refused(db, CategoryInUse, categories.delete(site.id, news.id, reach=EDITOR))
    await categories.delete(site.id, twin.id, reach=EDITOR)

    assert (twin.slug, local.parent_id) == ("news-2", news.id)
    assert [f.field for f in cycle.fields] == ["body.parent_id"]
    assert [f.field for f in taken.fields] == ["body.translations.0.slug"]
    assert in_use.code == "CATEGORY_IN_USE"
    assert [i.slug for i in (await categories.list_categories(site.id)).items] == [
        "news",
        "local",
    ]
    assert (await db.event_types()).count("content.category.deleted") == 1


async def test_own_scope_over_categories_reaches_none(
    categories: CategoryService, site: TenantDetail, db: Db
) -> None:
    error = await refused(
        db,
        Forbidden,
        categories.create(
            site.id,
            CategoryCreate.model_validate({"translations": [{"locale": "en", "name": "News"}]}),
            reach=reach(Scope.OWN),
        ),
    )

    assert error.code == "NOT_OWNER"


def test_an_aware_publish_at_is_required_with_scheduled_status() -> None:
    with pytest.raises(ValueError, match="publish_at"):
        article(status="scheduled")
    assert article(status="scheduled", publish_at=datetime(2030, 1, 1, tzinfo=UTC)).publish_at
    assert uuid.UUID(int=0)
