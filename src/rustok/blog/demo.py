"""Demo blog for `rustok seed --demo`: a dozen published posts in English and German (the
first one in Russian too) under content's demo categories and tags, and a few approved
comments. Idempotent: a post that exists (found by its English slug) is left alone, and
comments come only with a post this run creates."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from rustok.blog.errors import PostNotFound
from rustok.blog.permissions import POSTS
from rustok.blog.schemas import CommentCreate, PostCreate
from rustok.blog.service import Commenter, CommentService, PostService
from rustok.content.service import CategoryService, TagService
from rustok.core.permissions import Action, Permission, Reach, Scope

if TYPE_CHECKING:
    from rustok.bootstrap import Container

# (English slug, English title, German title, category, tags, paragraphs of the body)
POSTS_DATA: tuple[tuple[str, str, str, str, tuple[str, ...], int], ...] = (
    ("hello-blog", "Hello, blog", "Hallo, Blog", "news", ("release",), 3),
    ("moderated-comments", "Moderated comments", "Moderierte Kommentare", "guides", (), 4),
    ("posts-are-nodes", "Posts are nodes", "Beiträge sind Knoten", "guides", ("python",), 5),
    ("reading-time", "Reading time", "Lesezeit", "guides", (), 2),
    ("featured-images", "Featured images", "Titelbilder", "guides", (), 3),
    (
        "writing-in-german",
        "Writing in German",
        "Auf Deutsch schreiben",
        "news",
        ("multilingual",),
        2,
    ),
    ("tags-and-categories", "Tags and categories", "Schlagwörter und Kategorien", "guides", (), 3),
    ("release-notes", "Release notes", "Versionshinweise", "news", ("release",), 6),
    ("guest-comments", "Guest comments", "Gastkommentare", "guides", (), 2),
    ("graphql-posts", "Posts over GraphQL", "Beiträge über GraphQL", "guides", ("python",), 4),
    ("scheduling-posts", "Scheduling posts", "Beiträge planen", "guides", (), 3),
    ("roadmap", "Roadmap", "Fahrplan", "news", ("release", "multilingual"), 5),
)
PARAGRAPH = (
    "RusToK keeps every post as a content node, so translations, revisions and scheduling "
    "come with it. Editors write in many locales; readers get the one they ask for."
)
ABSATZ = (
    "RusToK speichert jeden Beitrag als Inhaltsknoten; Übersetzungen, Revisionen und "
    "Planung gibt es dazu. Leser bekommen die Sprache, nach der sie fragen."
)
RUSSIAN = ("privet-blog", "Привет, блог", "RusToK хранит каждую запись как узел контента.")
COMMENTS = (
    ("hello-blog", "Congratulations on the launch!"),
    ("hello-blog", "Looking forward to more posts."),
    ("moderated-comments", "Good to see moderation built in."),
    ("posts-are-nodes", "Nice design: one storage for everything."),
)


async def seed(container: Container, tenant_id: uuid.UUID) -> None:
    """Create what is missing of the demo blog in the demo tenant."""
    author = next(
        (
            user.id
            for user in await container.auth.list_platform_operators()
            if user.tenant_id == tenant_id and user.email == container.settings.demo_admin_email
        ),
        uuid.UUID(int=0),
    )
    editor = Reach(Permission(POSTS, Action.MANAGE), Scope.ALL, author)
    posts = container.service(PostService)
    categories = {
        item.slug: item.id
        for item in (
            await container.service(CategoryService).list_categories(
                tenant_id, limit=100, locale="en"
            )
        ).items
    }
    tags = {
        item.slug: item.id
        for item in (
            await container.service(TagService).list_tags(tenant_id, limit=100, locale="en")
        ).items
    }
    created: dict[str, uuid.UUID] = {}
    for slug, title, german, category, tag_slugs, paragraphs in POSTS_DATA:
        try:
            await posts.get_by_slug(tenant_id, slug, reader=editor, locale="en")
            continue
        except PostNotFound:
            pass
        translations = [
            {"locale": "en", "slug": slug, "title": title, "body": _body(PARAGRAPH, paragraphs)},
            {"locale": "de", "title": german, "body": _body(ABSATZ, paragraphs)},
        ]
        if slug == POSTS_DATA[0][0]:
            translations.append(
                {"locale": "ru", "slug": RUSSIAN[0], "title": RUSSIAN[1], "body": RUSSIAN[2]}
            )
        post = await posts.create(
            tenant_id,
            PostCreate.model_validate(
                {
                    "status": "published",
                    "category_id": categories.get(category),
                    "tag_ids": [tags[tag] for tag in tag_slugs if tag in tags],
                    "translations": translations,
                }
            ),
            reach=editor,
        )
        created[slug] = post.id
    comments = container.service(CommentService)
    for slug, text in COMMENTS:
        if slug in created:
            await comments.create(
                tenant_id,
                created[slug],
                CommentCreate(body=text),
                commenter=Commenter(user_id=author, moderator=True),
            )


def _body(paragraph: str, count: int) -> str:
    return "\n\n".join([paragraph] * count)
