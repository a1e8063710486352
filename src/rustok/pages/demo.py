"""Demo pages for `rustok seed --demo`: home, about and contact with blocks, in English and
German, and a header and a footer menu linking to them. Idempotent: a page found by its slug
and a menu found by its location and name are left alone."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from rustok.core.permissions import Action, Permission, Reach, Scope
from rustok.pages.errors import PageNotFound
from rustok.pages.permissions import MENUS, PAGES
from rustok.pages.schemas import MenuCreate, MenuLocation, PageCreate
from rustok.pages.service import MenuService, PageService

if TYPE_CHECKING:
    from rustok.bootstrap import Container

PAGES_DATA: tuple[dict[str, Any], ...] = (
    {
        "template": "landing",
        "status": "published",
        "translations": [
            {"locale": "en", "title": "Home", "slug": "home"},
            {"locale": "de", "title": "Startseite", "slug": "startseite"},
        ],
        "blocks": [
            {
                "type": "hero",
                "data": {
                    "heading": "Content and commerce, one platform",
                    "subheading": "RusToK serves pages, posts and products to any front end.",
                    "cta_label": "Read the guide",
                    "cta_url": "/about",
                },
                "translations": [
                    {
                        "locale": "de",
                        "data": {
                            "heading": "Inhalte und Handel auf einer Plattform",
                            "subheading": "RusToK liefert Seiten, Beiträge und Produkte an "
                            "jedes Frontend.",
                            "cta_label": "Zur Anleitung",
                        },
                    }
                ],
            },
            {
                "type": "features",
                "data": {
                    "heading": "Why RusToK",
                    "items": [
                        {"title": "Multilingual", "text": "Every text per locale, with fallbacks."},
                        {"title": "Event-driven", "text": "Every write emits its events."},
                        {"title": "Multi-tenant", "text": "Tenants are walls."},
                    ],
                },
                "translations": [
                    {
                        "locale": "de",
                        "data": {
                            "heading": "Warum RusToK",
                            "items": [
                                {"title": "Mehrsprachig", "text": "Jeder Text je Sprache."},
                                {
                                    "title": "Ereignisgesteuert",
                                    "text": "Jede Änderung meldet sich.",
                                },
                                {"title": "Mandantenfähig", "text": "Mandanten sind Mauern."},
                            ],
                        },
                    }
                ],
            },
            {
                "type": "cta",
                "data": {
                    "heading": "Get in touch",
                    "text": "Tell us what you are building.",
                    "label": "Contact us",
                    "url": "/contact",
                },
                "translations": [
                    {
                        "locale": "de",
                        "data": {
                            "heading": "Schreiben Sie uns",
                            "text": "Erzählen Sie uns, was Sie bauen.",
                            "label": "Kontakt",
                        },
                    }
                ],
            },
        ],
    },
    {
        "template": "default",
        "status": "published",
        "translations": [
            {"locale": "en", "title": "About us", "slug": "about"},
            {"locale": "de", "title": "Über uns", "slug": "ueber-uns"},
        ],
        "blocks": [
            {
                "type": "text",
                "data": {
                    "body": "We build **RusToK**, a headless platform for content and commerce."
                },
                "translations": [
                    {
                        "locale": "de",
                        "data": {
                            "body": "Wir bauen **RusToK**, eine Headless-Plattform für Inhalte "
                            "und Handel."
                        },
                    }
                ],
            },
            {
                "type": "faq",
                "data": {
                    "heading": "Questions",
                    "items": [
                        {
                            "question": "Is it open source?",
                            "answer": "Yes, under the MIT licence.",
                        },
                        {
                            "question": "Which databases?",
                            "answer": "SQLite by default, PostgreSQL in production.",
                        },
                    ],
                },
                "translations": [
                    {
                        "locale": "de",
                        "data": {
                            "heading": "Fragen",
                            "items": [
                                {
                                    "question": "Ist es quelloffen?",
                                    "answer": "Ja, unter der MIT-Lizenz.",
                                },
                                {
                                    "question": "Welche Datenbanken?",
                                    "answer": "SQLite als Vorgabe, PostgreSQL im Betrieb.",
                                },
                            ],
                        },
                    }
                ],
            },
        ],
    },
    {
        "template": "contact",
        "status": "published",
        "translations": [
            {"locale": "en", "title": "Contact", "slug": "contact"},
            {"locale": "de", "title": "Kontakt", "slug": "kontakt"},
        ],
        "blocks": [
            {
                "type": "text",
                "data": {"body": "Write to us any time.", "format": "plain"},
                "translations": [
                    {"locale": "de", "data": {"body": "Schreiben Sie uns jederzeit."}}
                ],
            },
            {
                "type": "cta",
                "data": {
                    "heading": "Email",
                    "label": "hello@acme.example",
                    "url": "mailto:hello@acme.example",
                },
                "translations": [{"locale": "de", "data": {"heading": "E-Mail"}}],
            },
        ],
    },
)


def _label(english: str, german: str) -> list[dict[str, str]]:
    return [{"locale": "en", "label": english}, {"locale": "de", "label": german}]


async def seed(container: Container, tenant_id: uuid.UUID) -> None:
    """Create what is missing of the demo pages and menus in the demo tenant."""
    author = next(
        (
            user.id
            for user in await container.auth.list_platform_operators()
            if user.tenant_id == tenant_id and user.email == container.settings.demo_admin_email
        ),
        uuid.UUID(int=0),
    )
    editor = Reach(Permission(PAGES, Action.MANAGE), Scope.ALL, author)
    pages = container.service(PageService)
    ids: dict[str, uuid.UUID] = {}
    for page in PAGES_DATA:
        slug = page["translations"][0]["slug"]
        try:
            found = await pages.get_by_slug(tenant_id, slug, locale="en", reader=editor)
        except PageNotFound:
            found = await pages.create(tenant_id, PageCreate.model_validate(page), reach=editor)
        ids[slug] = found.id
    menus = container.service(MenuService)
    manager = Reach(Permission(MENUS, Action.MANAGE), Scope.ALL, author)
    for name, location, items in (
        (
            "Main navigation",
            MenuLocation.HEADER,
            [
                {"labels": _label("Home", "Startseite"), "page_id": ids["home"]},
                {
                    "labels": _label("About us", "Über uns"),
                    "page_id": ids["about"],
                    "children": [{"labels": _label("Blog", "Blog"), "url": "/blog"}],
                },
                {"labels": _label("Contact", "Kontakt"), "page_id": ids["contact"]},
            ],
        ),
        (
            "Footer",
            MenuLocation.FOOTER,
            [
                {"labels": _label("Contact", "Kontakt"), "page_id": ids["contact"]},
                {
                    "labels": _label("Source code", "Quellcode"),
                    "url": "https://github.com/RustokCMS/RusToK",
                },
            ],
        ),
    ):
        existing = await menus.list_menus(tenant_id, location=location, reader=editor)
        if any(menu.name == name for menu in existing):
            continue
        await menus.create(
            tenant_id,
            MenuCreate.model_validate({"name": name, "location": location, "items": items}),
            reach=manager,
        )
