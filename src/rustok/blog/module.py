"""The blog module's descriptor."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rustok.blog import kinds  # noqa: F401 - registers the strict post and comment kinds
from rustok.blog.permissions import BLOG_SETTINGS, COMMENTS, POSTS
from rustok.blog.service import CommentService, PostService
from rustok.blog.settings import BlogSettings
from rustok.content.service import NodeService
from rustok.core.modules import ModuleDescriptor
from rustok.core.permissions import CRUDL, Action, Grant, Scope, grants
from rustok.rbac.policy import CUSTOMER, MANAGER

if TYPE_CHECKING:
    import uuid
    from collections.abc import Awaitable, Callable, Sequence

    from rustok.bootstrap import Container


def _author_names(
    container: Container,
) -> Callable[[uuid.UUID, Sequence[uuid.UUID]], Awaitable[dict[uuid.UUID, str]]]:
    """Comment bylines come from the auth module's user summaries."""

    async def names(tenant_id: uuid.UUID, user_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, str]:
        found = await container.auth.user_summaries(tenant_id, user_ids)
        return {user_id: summary.name for user_id, summary in found.items()}

    return names


def _posts(container: Container) -> PostService:
    return PostService(
        container.uow, container.service(NodeService), container.settings_of(BlogSettings)
    )


def _comments(container: Container) -> CommentService:
    return CommentService(
        container.uow,
        container.service(NodeService),
        container.settings_of(BlogSettings),
        _author_names(container),
    )


MODULE = ModuleDescriptor(
    slug="blog",
    name="Blog",
    version="1.0.0",
    description="Posts with featured images, reading time, tags and categories; moderated "
    "comments.",
    dependencies=("content", "media"),
    resources=(POSTS, COMMENTS, BLOG_SETTINGS),
    grants={
        MANAGER: (
            *grants((POSTS, COMMENTS), CRUDL),
            Grant(BLOG_SETTINGS, Action.READ, Scope.ALL),
            Grant(BLOG_SETTINGS, Action.UPDATE, Scope.ALL),
        ),
        CUSTOMER: (
            Grant(COMMENTS, Action.CREATE, Scope.ALL),
            Grant(COMMENTS, Action.DELETE, Scope.OWN),
        ),
    },
    settings=BlogSettings,
    models=("rustok.blog.models",),
    events=("rustok.blog.events",),
    rest="rustok.blog.rest:router",
    graphql_part="rustok.blog.graphql:GRAPHQL",
    services=(_posts, _comments),
    demo_seed="rustok.blog.demo:seed",
)
