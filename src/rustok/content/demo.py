"""Demo content for `rustok seed --demo`: categories and tags in English and German, and a
handful of published articles in English and German (one in Russian). Idempotent: what exists
(found by slug) is left alone."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from rustok.content.errors import NodeNotFound
from rustok.content.permissions import NODES
from rustok.content.schemas import CategoryCreate, NodeCreate, TagCreate
from rustok.content.service import CategoryService, NodeService, TagService
from rustok.core.permissions import Action, Permission, Reach, Scope

if TYPE_CHECKING:
    from rustok.bootstrap import Container

CATEGORIES = (
    ("news", "News", "Neuigkeiten"),
    ("guides", "Guides", "Anleitungen"),
)
TAGS = (
    ("python", "Python", "Python"),
    ("release", "Release", "Veröffentlichung"),
    ("multilingual", "Multilingual", "Mehrsprachig"),
)
ARTICLES: tuple[dict[str, Any], ...] = (
    {
        "category": "news",
        "tags": ("release",),
        "translations": (
            (
                "en",
                "welcome-to-rustok",
                "Welcome to RusToK",
                "A headless platform for content and commerce.",
                "# Welcome\n\nRusToK serves **content** and **commerce** to any front end.",
            ),
            (
                "de",
                "willkommen-bei-rustok",
                "Willkommen bei RusToK",
                "Eine Headless-Plattform für Inhalte und Handel.",
                "# Willkommen\n\nRusToK liefert **Inhalte** und **Handel** an jedes Frontend.",
            ),
            (
                "ru",
                "dobro-pozhalovat",
                "Добро пожаловать в RusToK",
                "Headless-платформа для контента и торговли.",
                "# Добро пожаловать\n\nRusToK отдаёт **контент** и **товары** любому фронтенду.",
            ),
        ),
    },
    {
        "category": "guides",
        "tags": ("python",),
        "translations": (
            (
                "en",
                "writing-your-first-article",
                "Writing your first article",
                "Create, translate and publish a node over REST.",
                "Send `POST /api/content/nodes` with a kind and its translations.",
            ),
            (
                "de",
                "ihr-erster-artikel",
                "Ihr erster Artikel",
                "Einen Knoten über REST anlegen, übersetzen und veröffentlichen.",
                "Senden Sie `POST /api/content/nodes` mit Art und Übersetzungen.",
            ),
        ),
    },
    {
        "category": "guides",
        "tags": ("multilingual",),
        "translations": (
            (
                "en",
                "locales-and-fallbacks",
                "Locales and fallbacks",
                "Reads fall back along the tenant's locale chain.",
                "Ask for `?locale=ru` and see `served_locale` tell what you got.",
            ),
            (
                "de",
                "sprachen-und-rueckfall",
                "Sprachen und Rückfall",
                "Lesezugriffe fallen entlang der Sprachkette des Mandanten zurück.",
                "Fragen Sie `?locale=ru` an; `served_locale` sagt, was geliefert wurde.",
            ),
        ),
    },
    {
        "category": "news",
        "tags": ("release", "python"),
        "translations": (
            (
                "en",
                "scheduled-publishing",
                "Scheduled publishing",
                "Nodes go live on their own at publish_at.",
                "Schedule a node and the worker publishes it once, with its events.",
            ),
            (
                "de",
                "geplante-veroeffentlichung",
                "Geplante Veröffentlichung",
                "Knoten gehen zu publish_at von selbst online.",
                "Planen Sie einen Knoten; der Worker veröffentlicht ihn genau einmal.",
            ),
        ),
    },
)


async def seed(container: Container, tenant_id: uuid.UUID) -> None:
    """Create what is missing of the demo content in the demo tenant."""
    author = next(
        (
            user.id
            for user in await container.auth.list_platform_operators()
            if user.tenant_id == tenant_id and user.email == container.settings.demo_admin_email
        ),
        uuid.UUID(int=0),
    )
    editor = Reach(Permission(NODES, Action.MANAGE), Scope.ALL, author)
    category_ids = await _categories(container.service(CategoryService), tenant_id, editor)
    tag_ids = await _tags(container.service(TagService), tenant_id, editor)
    nodes = container.service(NodeService)
    for article in ARTICLES:
        first_slug = article["translations"][0][1]
        try:
            await nodes.get_by_slug(
                tenant_id, first_slug, kind="article", locale="en", reader=editor
            )
            continue
        except NodeNotFound:
            pass
        await nodes.create(
            tenant_id,
            NodeCreate.model_validate(
                {
                    "kind": "article",
                    "status": "published",
                    "category_id": category_ids[article["category"]],
                    "tag_ids": [tag_ids[slug] for slug in article["tags"]],
                    "metadata": {"reading_minutes": 2},
                    "translations": [
                        {
                            "locale": locale,
                            "slug": slug,
                            "title": title,
                            "excerpt": excerpt,
                            "body": body,
                            "format": "markdown",
                        }
                        for locale, slug, title, excerpt, body in article["translations"]
                    ],
                }
            ),
            reach=editor,
        )


async def _categories(
    categories: CategoryService, tenant_id: uuid.UUID, editor: Reach
) -> dict[str, uuid.UUID]:
    existing = {
        item.slug: item.id
        for item in (await categories.list_categories(tenant_id, limit=100, locale="en")).items
        if item.slug is not None
    }
    for slug, english, german in CATEGORIES:
        if slug not in existing:
            created = await categories.create(
                tenant_id,
                CategoryCreate.model_validate(
                    {
                        "translations": [
                            {"locale": "en", "name": english, "slug": slug},
                            {"locale": "de", "name": german},
                        ]
                    }
                ),
                reach=editor,
            )
            existing[slug] = created.id
    return existing


async def _tags(tags: TagService, tenant_id: uuid.UUID, editor: Reach) -> dict[str, uuid.UUID]:
    existing = {
        item.slug: item.id
        for item in (await tags.list_tags(tenant_id, limit=100, locale="en")).items
        if item.slug is not None
    }
    for slug, english, german in TAGS:
        if slug not in existing:
            created = await tags.create(
                tenant_id,
                TagCreate.model_validate(
                    {
                        "translations": [
                            {"locale": "en", "name": english, "slug": slug},
                            {"locale": "de", "name": german},
                        ]
                    }
                ),
                reach=editor,
            )
            existing[slug] = created.id
    return existing
