"""Errors of the blog module."""

from __future__ import annotations

from rustok.core.errors import Conflict, Forbidden, Invalid, NotFound, Unauthenticated


class PostNotFound(NotFound):
    code = "POST_NOT_FOUND"


class CommentNotFound(NotFound):
    code = "COMMENT_NOT_FOUND"


class CommentsClosed(Conflict):
    """The post takes no comments (its `comments_open` is off, or it is not published)."""

    code = "COMMENTS_CLOSED"


class GuestCommentsDisabled(Unauthenticated):
    """This tenant takes comments from signed-in readers only."""

    code = "GUEST_COMMENTS_DISABLED"


class CommentForbidden(Forbidden):
    code = "COMMENT_FORBIDDEN"


class CommentInvalid(Invalid):
    code = "COMMENT_INVALID"
