"""The forum module's descriptor."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rustok.content.service import NodeService
from rustok.core.modules import ModuleDescriptor
from rustok.core.permissions import Action, Grant, Scope
from rustok.forum.permissions import FORUM_CATEGORIES, FORUM_REPLIES, FORUM_TOPICS
from rustok.forum.service import ForumCategoryService, ReplyService, TopicService
from rustok.forum.settings import ForumSettings
from rustok.rbac.policy import CUSTOMER, MANAGER

if TYPE_CHECKING:
    from rustok.bootstrap import Container


def _categories(container: Container) -> ForumCategoryService:
    return ForumCategoryService(
        container.uow, container.service(NodeService), container.settings_of(ForumSettings)
    )


def _topics(container: Container) -> TopicService:
    return TopicService(
        container.uow, container.service(NodeService), container.settings_of(ForumSettings)
    )


def _replies(container: Container) -> ReplyService:
    return ReplyService(
        container.uow, container.service(NodeService), container.settings_of(ForumSettings)
    )


MODULE = ModuleDescriptor(
    slug="forum",
    name="Forum",
    version="1.0.0",
    description="Forum categories, topics (pinned, locked, open or closed) and threaded replies "
    "with moderation, on content nodes.",
    dependencies=("content",),
    resources=(FORUM_CATEGORIES, FORUM_TOPICS, FORUM_REPLIES),
    grants={
        # Staff moderate: `manage` implies every action (pin, lock, moderate, edit, delete).
        MANAGER: tuple(
            Grant(resource, Action.MANAGE)
            for resource in (FORUM_CATEGORIES, FORUM_TOPICS, FORUM_REPLIES)
        ),
        # Customers write topics and replies and change or delete only their own.
        CUSTOMER: tuple(
            Grant(resource, action, scope)
            for resource in (FORUM_TOPICS, FORUM_REPLIES)
            for action, scope in (
                (Action.CREATE, Scope.ALL),
                (Action.UPDATE, Scope.OWN),
                (Action.DELETE, Scope.OWN),
            )
        ),
    },
    settings=ForumSettings,
    models=("rustok.forum.models",),
    events=("rustok.forum.events",),
    rest="rustok.forum.rest:router",
    graphql_part="rustok.forum.graphql:GRAPHQL",
    services=(_categories, _topics, _replies),
    demo_seed="rustok.forum.demo:seed",
)
