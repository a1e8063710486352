"""The blog's node kinds: `post` and `comment` get strict metadata models (content registers
both kinds with open ones), registered when the blog module is imported."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict

from rustok.content.kinds import KINDS, NodeKind
from rustok.media.service import MediaService

if TYPE_CHECKING:
    from rustok.core.uow import UnitOfWork


class PostMetadata(BaseModel):
    """What a post says beyond content's node: its reading time is not here, it is computed
    from the body of each locale when the post is read."""

    model_config = ConfigDict(extra="forbid")

    featured_image_id: uuid.UUID | None = None
    """A media id of the tenant (checked on every write)."""
    comments_open: bool = True


class CommentMetadata(BaseModel):
    """Nothing: a comment's moderation status, author and guest details live in the blog's
    own table, where they are filtered and kept out of content's public reads."""

    model_config = ConfigDict(extra="forbid")


async def check_post(uow: UnitOfWork, metadata: dict[str, Any], field: str) -> None:
    """The featured image is one of the tenant's media (422 `MEDIA_REFERENCE_UNKNOWN`)."""
    image = metadata.get("featured_image_id")
    if image is not None:
        await MediaService.ensure_media_in(
            uow, [uuid.UUID(str(image))], field=f"{field}.featured_image_id"
        )


KINDS.register(NodeKind("post", PostMetadata, "A blog post", check=check_post), replace=True)
KINDS.register(NodeKind("comment", CommentMetadata, "A comment on a blog post"), replace=True)
