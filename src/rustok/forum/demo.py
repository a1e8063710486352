"""Demo forum for `rustok seed --demo`: a category in English and German with two topics (one
pinned, one locked after its thread) and threaded replies. Idempotent: a category found by its
slug is left alone with everything in it."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from rustok.core.permissions import Action, Permission, Reach, Scope
from rustok.forum.permissions import FORUM_CATEGORIES, FORUM_REPLIES, FORUM_TOPICS
from rustok.forum.schemas import ForumCategoryCreate, ReplyCreate, TopicCreate
from rustok.forum.service import ForumCategoryService, ReplyService, TopicService

if TYPE_CHECKING:
    from rustok.bootstrap import Container

CATEGORY = {
    "position": 0,
    "translations": [
        {
            "locale": "en",
            "slug": "community",
            "title": "Community",
            "description": "Questions, answers and ideas about RusToK.",
        },
        {
            "locale": "de",
            "slug": "gemeinschaft",
            "title": "Gemeinschaft",
            "description": "Fragen, Antworten und Ideen rund um RusToK.",
        },
    ],
}
TOPICS: tuple[dict[str, Any], ...] = (
    {
        "pinned": True,
        "locked": False,
        "translations": [
            {
                "locale": "en",
                "slug": "welcome-to-the-forum",
                "title": "Welcome to the forum",
                "body": "Introduce yourself and tell us what you **build** with RusToK.",
            },
            {
                "locale": "de",
                "slug": "willkommen-im-forum",
                "title": "Willkommen im Forum",
                "body": "Stellen Sie sich vor und erzählen Sie, was Sie mit RusToK **bauen**.",
            },
        ],
        # (locale, body, index of the reply it answers or None)
        "replies": (
            ("en", "Hello! I run a small shop in two languages.", None),
            ("de", "Hallo! Ich baue ein mehrsprachiges Magazin.", None),
            ("en", "Welcome, the locale fallbacks should help with that.", 0),
        ),
    },
    {
        "pinned": False,
        "locked": True,
        "translations": [
            {
                "locale": "en",
                "slug": "how-are-reply-counts-kept",
                "title": "How are reply counts kept?",
                "body": "Do counts stay right when many people reply at once?",
            },
            {
                "locale": "de",
                "slug": "wie-werden-antworten-gezaehlt",
                "title": "Wie werden Antworten gezählt?",
                "body": "Stimmen die Zähler, wenn viele gleichzeitig antworten?",
            },
        ],
        "replies": (
            ("en", "Yes: each reply adds one in a single atomic `UPDATE`.", None),
            ("de", "Danke, das beantwortet meine Frage.", 0),
        ),
    },
)


async def seed(container: Container, tenant_id: uuid.UUID) -> None:
    """Create the demo forum in the demo tenant unless its category exists."""
    author = next(
        (
            user.id
            for user in await container.auth.list_platform_operators()
            if user.tenant_id == tenant_id and user.email == container.settings.demo_admin_email
        ),
        uuid.UUID(int=0),
    )
    categories = container.service(ForumCategoryService)
    existing = await categories.list_categories(tenant_id, limit=100, locale="en")
    if any(item.slug == "community" for item in existing.items):
        return
    category = await categories.create(
        tenant_id,
        ForumCategoryCreate.model_validate(CATEGORY),
        reach=Reach(Permission(FORUM_CATEGORIES, Action.MANAGE), Scope.ALL, author),
    )
    topics = container.service(TopicService)
    replies = container.service(ReplyService)
    moderator = Reach(Permission(FORUM_TOPICS, Action.MANAGE), Scope.ALL, author)
    replier = Reach(Permission(FORUM_REPLIES, Action.MANAGE), Scope.ALL, author)
    for spec in TOPICS:
        topic = await topics.create(
            tenant_id,
            TopicCreate.model_validate(
                {"category_id": category.id, "translations": spec["translations"]}
            ),
            reach=moderator,
        )
        created: list[uuid.UUID] = []
        for locale, body, answers in spec["replies"]:
            reply = await replies.create(
                tenant_id,
                topic.id,
                ReplyCreate(
                    locale=locale,
                    body=body,
                    parent_id=created[answers] if answers is not None else None,
                ),
                reach=replier,
                moderator=replier,
            )
            created.append(reply.id)
        if spec["pinned"]:
            await topics.pin(tenant_id, topic.id, reach=moderator)
        if spec["locked"]:
            await topics.lock(tenant_id, topic.id, reach=moderator)
