"""Errors of the forum module."""

from __future__ import annotations

from rustok.core.errors import Conflict, Invalid, NotFound


class ForumCategoryNotFound(NotFound):
    code = "FORUM_CATEGORY_NOT_FOUND"


class TopicNotFound(NotFound):
    code = "TOPIC_NOT_FOUND"


class ReplyNotFound(NotFound):
    code = "REPLY_NOT_FOUND"


class ForumCategoryInvalid(Invalid):
    """The category named by a topic is not a forum category of this tenant."""

    code = "FORUM_CATEGORY_INVALID"


class ParentReplyInvalid(Invalid):
    """The parent reply is not a reply of this topic (in this tenant)."""

    code = "PARENT_REPLY_INVALID"


class ReplyTooDeep(Invalid):
    code = "REPLY_TOO_DEEP"


class LockedTopic(Conflict):
    """A moderator locked the topic: it takes no replies until unlocked."""

    code = "TOPIC_LOCKED"


class ClosedTopic(Conflict):
    """The topic is closed: it takes no replies until reopened."""

    code = "TOPIC_CLOSED"


class ForumCategoryInUse(Conflict):
    code = "FORUM_CATEGORY_IN_USE"


class ModerationConflict(Conflict):
    """Another moderator changed the reply's status meanwhile: read it again."""

    code = "MODERATION_CONFLICT"
