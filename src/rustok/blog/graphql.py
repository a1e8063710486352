"""GraphQL of the blog module: `posts` (a Relay-style connection), `post`, a post's `comments`,
and mutations for every write of the REST API.

A page of posts arrives with its translations and tags (the service loads them in a fixed
number of statements); authors and categories are DataLoader fields, so a page of N posts
costs the same statements whatever N is (tests/blog/test_graphql.py counts them).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Any

import strawberry
from strawberry.dataloader import DataLoader
from strawberry.types import Info

from rustok.blog.permissions import BLOG_SETTINGS, COMMENTS, POSTS
from rustok.blog.rest import commenter, is_moderator, post_reader
from rustok.blog.schemas import (
    BlogSettingsUpdate,
    CommentCreate,
    CommentQuery,
    PostCreate,
    PostQuery,
    PostUpdate,
)
from rustok.blog.service import CommentService, PostService
from rustok.content.service import CategoryService
from rustok.core.cursor import DEFAULT_LIMIT
from rustok.core.modules import GraphQLPart
from rustok.core.permissions import Action
from rustok.web.graphql import (
    PER_PARENT,
    GraphQLContext,
    author_loader,
    page_size,
    parse_input,
    per_request,
    public,
    requires,
)

if TYPE_CHECKING:
    from rustok.blog.schemas import BlogSettingsRead, CommentRead, PostRead, PostTranslationRead
    from rustok.bootstrap import Container
    from rustok.content.schemas import CategoryRead, TagRef


class BlogLoaders:
    """The loaders of one request: categories, batched into one call (authors: the web
    layer's `author_loader`, shared with every module)."""

    def __init__(self, container: Container, tenant_id: uuid.UUID) -> None:
        categories = container.service(CategoryService)

        async def by_category(ids: list[uuid.UUID]) -> list[CategoryRead | None]:
            found = await categories.get_many(tenant_id, ids)
            return [found.get(category_id) for category_id in ids]

        self.categories = DataLoader(load_fn=by_category)


def loaders(info: Info[GraphQLContext, Any]) -> BlogLoaders:
    return per_request(
        info, "blog_loaders", lambda: BlogLoaders(info.context.container, info.context.tenant.id)
    )


@strawberry.type
class BlogAuthor:
    id: uuid.UUID
    name: str


@strawberry.type
class BlogCategory:
    id: uuid.UUID
    name: str | None
    slug: str | None


@strawberry.type
class BlogTag:
    id: uuid.UUID
    name: str
    slug: str

    @classmethod
    def of(cls, ref: TagRef) -> BlogTag:
        return cls(id=ref.id, name=ref.name, slug=ref.slug)


@strawberry.type
class PostTranslation:
    locale: str
    title: str
    slug: str
    excerpt: str
    body: str | None
    format: str | None
    html: str | None = strawberry.field(description="The body as sanitized HTML.")
    reading_minutes: int

    @classmethod
    def of(cls, read: PostTranslationRead) -> PostTranslation:
        return cls(
            locale=read.locale,
            title=read.title,
            slug=read.slug,
            excerpt=read.excerpt,
            body=read.body,
            format=read.format.value if read.format else None,
            html=read.html,
            reading_minutes=read.reading_minutes,
        )


@strawberry.type
class Comment:
    id: uuid.UUID
    post_id: uuid.UUID
    status: str
    author_id: uuid.UUID | None
    author_name: str | None
    guest_email: str | None
    locale: str
    body: str
    html: str | None
    created_at: datetime

    @classmethod
    def of(cls, read: CommentRead) -> Comment:
        return cls(
            id=read.id,
            post_id=read.post_id,
            status=read.status.value,
            author_id=read.author_id,
            author_name=read.author_name,
            guest_email=read.guest_email,
            locale=read.locale,
            body=read.body,
            html=read.html,
            created_at=read.created_at,
        )


@strawberry.type
class BlogPageInfo:
    has_next_page: bool
    end_cursor: str | None


@strawberry.type
class CommentConnection:
    items: list[Comment]
    page_info: BlogPageInfo


@strawberry.type
class Post:
    id: uuid.UUID
    status: str
    author_id: uuid.UUID | None
    category_id: uuid.UUID | None
    featured_image_id: uuid.UUID | None
    comments_open: bool
    comment_count: int
    version: int
    published_at: datetime | None
    created_at: datetime
    served_locale: str | None
    title: str | None
    slug: str | None
    excerpt: str | None
    reading_minutes: int
    translations: list[PostTranslation]
    tags: list[BlogTag]

    @classmethod
    def of(cls, read: PostRead) -> Post:
        return cls(
            id=read.id,
            status=read.status.value,
            author_id=read.author_id,
            category_id=read.category_id,
            featured_image_id=read.featured_image_id,
            comments_open=read.comments_open,
            comment_count=read.comment_count,
            version=read.version,
            published_at=read.published_at,
            created_at=read.created_at,
            served_locale=read.served_locale,
            title=read.title,
            slug=read.slug,
            excerpt=read.excerpt,
            reading_minutes=read.reading_minutes,
            translations=[PostTranslation.of(item) for item in read.translations],
            tags=[BlogTag.of(tag) for tag in read.tags],
        )

    @strawberry.field
    async def author(self, info: Info[GraphQLContext, Any]) -> BlogAuthor | None:
        if self.author_id is None:
            return None
        found = await author_loader(info).load(self.author_id)
        return BlogAuthor(id=found.id, name=found.name) if found else None

    @strawberry.field
    async def category(self, info: Info[GraphQLContext, Any]) -> BlogCategory | None:
        if self.category_id is None:
            return None
        found = await loaders(info).categories.load(self.category_id)
        return BlogCategory(id=found.id, name=found.name, slug=found.slug) if found else None

    @strawberry.field(
        description="Approved comments (moderators: every status), oldest first; one query "
        "per post, so a list of posts pays it per post in the query cost.",
        metadata={PER_PARENT: True},
    )
    async def comments(
        self,
        info: Info[GraphQLContext, Any],
        first: int = DEFAULT_LIMIT,
        after: str | None = None,
        status: str | None = None,
    ) -> CommentConnection:
        query = parse_input(CommentQuery, {"status": status}, prefix="")
        page = await info.context.container.service(CommentService).list_comments(
            info.context.tenant.id,
            self.id,
            query,
            after=after,
            limit=page_size(first),
            moderator=await is_moderator(info.context.http_request),
        )
        return CommentConnection(
            items=[Comment.of(item) for item in page.items],
            page_info=BlogPageInfo(has_next_page=page.has_more, end_cursor=page.next_cursor),
        )


@strawberry.type
class PostEdge:
    node: Post


@strawberry.type
class PostConnection:
    edges: list[PostEdge]
    page_info: BlogPageInfo


@strawberry.type
class BlogSettingsType:
    guest_comments: bool
    moderation: str
    words_per_minute: int
    max_comment_chars: int

    @classmethod
    def of(cls, read: BlogSettingsRead) -> BlogSettingsType:
        return cls(
            guest_comments=read.guest_comments,
            moderation=read.moderation.value,
            words_per_minute=read.words_per_minute,
            max_comment_chars=read.max_comment_chars,
        )


def _given(value: object) -> dict[str, Any]:
    """An input as a dict of the fields the caller gave (unset and null left out)."""
    data: dict[str, Any] = {}
    for name, item in vars(value).items():
        if item is strawberry.UNSET or item is None:
            continue
        if isinstance(item, list):
            data[name] = [_given(x) if hasattr(x, "__dict__") else x for x in item]
        else:
            data[name] = item
    return data


@strawberry.type
class BlogQuery:
    @strawberry.field(extensions=[public()], description="Blog posts, newest published first.")
    async def posts(
        self,
        info: Info[GraphQLContext, Any],
        first: int = DEFAULT_LIMIT,
        after: str | None = None,
        tag_id: uuid.UUID | None = None,
        category_id: uuid.UUID | None = None,
        author_id: uuid.UUID | None = None,
        locale: str | None = None,
        status: str | None = None,
    ) -> PostConnection:
        query = parse_input(
            PostQuery,
            {
                "tag_id": tag_id,
                "category_id": category_id,
                "author_id": author_id,
                "locale": locale,
                "status": status,
            },
            prefix="",
        )
        page = await info.context.container.service(PostService).list_posts(
            info.context.tenant.id,
            query,
            after=after,
            limit=page_size(first),
            reader=await post_reader(info.context.http_request),
        )
        return PostConnection(
            edges=[PostEdge(node=Post.of(item)) for item in page.items],
            page_info=BlogPageInfo(has_next_page=page.has_more, end_cursor=page.next_cursor),
        )

    @strawberry.field(extensions=[public()], description="One post (published, for the public).")
    async def post(
        self, info: Info[GraphQLContext, Any], id: uuid.UUID, locale: str | None = None
    ) -> Post:
        read = await info.context.container.service(PostService).get(
            info.context.tenant.id,
            id,
            reader=await post_reader(info.context.http_request),
            locale=locale,
        )
        return Post.of(read)


@strawberry.input
class PostTranslationInput:
    locale: str
    title: str | None = None
    slug: str | None = None
    excerpt: str | None = None
    body: str | None = None
    format: str | None = None


@strawberry.input
class PostCreateInput:
    translations: list[PostTranslationInput]
    status: str | None = None
    publish_at: datetime | None = None
    category_id: uuid.UUID | None = None
    tag_ids: list[uuid.UUID] | None = None
    featured_image_id: uuid.UUID | None = None
    comments_open: bool | None = None


@strawberry.input
class PostUpdateInput:
    version: int
    category_id: uuid.UUID | None = strawberry.UNSET
    featured_image_id: uuid.UUID | None = strawberry.UNSET
    comments_open: bool | None = strawberry.UNSET
    translations: list[PostTranslationInput] | None = strawberry.UNSET


@strawberry.input
class CommentInput:
    body: str
    locale: str | None = None
    guest_name: str | None = None
    guest_email: str | None = None


@strawberry.type
class BlogMutation:
    @strawberry.mutation(extensions=[requires(POSTS, Action.CREATE)], description="Create a post.")
    async def create_post(self, info: Info[GraphQLContext, Any], input: PostCreateInput) -> Post:
        data = parse_input(PostCreate, _given(input))
        access = await info.context.access(POSTS, Action.CREATE)
        read = await info.context.container.service(PostService).create(
            info.context.tenant.id, data, reach=access.reach
        )
        return Post.of(read)

    @strawberry.mutation(
        extensions=[requires(POSTS, Action.UPDATE)], description="Change a post read at version."
    )
    async def update_post(
        self, info: Info[GraphQLContext, Any], id: uuid.UUID, input: PostUpdateInput
    ) -> Post:
        raw = {name: value for name, value in vars(input).items() if value is not strawberry.UNSET}
        if raw.get("translations") is not None:
            raw["translations"] = [_given(item) for item in raw["translations"]]
        data = parse_input(PostUpdate, raw)
        access = await info.context.access(POSTS, Action.UPDATE)
        read = await info.context.container.service(PostService).update(
            info.context.tenant.id, id, data, reach=access.reach
        )
        return Post.of(read)

    @strawberry.mutation(extensions=[requires(POSTS, Action.UPDATE)], description="Publish a post.")
    async def publish_post(self, info: Info[GraphQLContext, Any], id: uuid.UUID) -> Post:
        access = await info.context.access(POSTS, Action.UPDATE)
        read = await info.context.container.service(PostService).publish(
            info.context.tenant.id, id, reach=access.reach
        )
        return Post.of(read)

    @strawberry.mutation(
        extensions=[requires(POSTS, Action.UPDATE)], description="Take a post back to draft."
    )
    async def unpublish_post(self, info: Info[GraphQLContext, Any], id: uuid.UUID) -> Post:
        access = await info.context.access(POSTS, Action.UPDATE)
        read = await info.context.container.service(PostService).unpublish(
            info.context.tenant.id, id, reach=access.reach
        )
        return Post.of(read)

    @strawberry.mutation(extensions=[requires(POSTS, Action.DELETE)], description="Delete a post.")
    async def delete_post(self, info: Info[GraphQLContext, Any], id: uuid.UUID) -> bool:
        access = await info.context.access(POSTS, Action.DELETE)
        await info.context.container.service(PostService).delete(
            info.context.tenant.id, id, reach=access.reach
        )
        return True

    @strawberry.mutation(
        extensions=[public()],
        description="Comment on a post (signed in with comments:create, or as a guest where "
        "the tenant allows it).",
    )
    async def create_comment(
        self, info: Info[GraphQLContext, Any], post_id: uuid.UUID, input: CommentInput
    ) -> Comment:
        data = parse_input(CommentCreate, _given(input))
        author = await commenter(info.context.http_request)
        read = await info.context.container.service(CommentService).create(
            info.context.tenant.id, post_id, data, commenter=author
        )
        return Comment.of(read)

    @strawberry.mutation(
        extensions=[requires(COMMENTS, Action.UPDATE)], description="Approve a comment."
    )
    async def approve_comment(self, info: Info[GraphQLContext, Any], id: uuid.UUID) -> Comment:
        access = await info.context.access(COMMENTS, Action.UPDATE)
        read = await info.context.container.service(CommentService).approve(
            info.context.tenant.id, id, reach=access.reach
        )
        return Comment.of(read)

    @strawberry.mutation(
        extensions=[requires(COMMENTS, Action.UPDATE)],
        description="Reject a comment (`spam: true` marks it as spam).",
    )
    async def reject_comment(
        self, info: Info[GraphQLContext, Any], id: uuid.UUID, spam: bool = False
    ) -> Comment:
        access = await info.context.access(COMMENTS, Action.UPDATE)
        read = await info.context.container.service(CommentService).reject(
            info.context.tenant.id, id, reach=access.reach, spam=spam
        )
        return Comment.of(read)

    @strawberry.mutation(
        extensions=[requires(COMMENTS, Action.DELETE)], description="Delete a comment."
    )
    async def delete_comment(self, info: Info[GraphQLContext, Any], id: uuid.UUID) -> bool:
        access = await info.context.access(COMMENTS, Action.DELETE)
        await info.context.container.service(CommentService).delete(
            info.context.tenant.id, id, reach=access.reach
        )
        return True

    @strawberry.mutation(
        extensions=[requires(BLOG_SETTINGS, Action.UPDATE)],
        description="Change this tenant's comment rules.",
    )
    async def update_blog_settings(
        self,
        info: Info[GraphQLContext, Any],
        guest_comments: bool | None = None,
        moderation: str | None = None,
    ) -> BlogSettingsType:
        data = parse_input(
            BlogSettingsUpdate,
            _given_args(guest_comments=guest_comments, moderation=moderation),
            prefix="",
        )
        read = await info.context.container.service(CommentService).update_settings(
            info.context.tenant.id, data
        )
        return BlogSettingsType.of(read)


def _given_args(**values: object) -> dict[str, object]:
    return {name: value for name, value in values.items() if value is not None}


GRAPHQL = GraphQLPart(query=BlogQuery, mutation=BlogMutation)
