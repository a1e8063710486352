"""Errors of the content module."""

from __future__ import annotations

from rustok.core.errors import Conflict, Invalid, NotFound


class NodeNotFound(NotFound):
    code = "NODE_NOT_FOUND"


class CategoryNotFound(NotFound):
    code = "CATEGORY_NOT_FOUND"


class TagNotFound(NotFound):
    code = "TAG_NOT_FOUND"


class RevisionNotFound(NotFound):
    code = "REVISION_NOT_FOUND"


class VersionConflict(Conflict):
    """The node changed since the caller read it: read it again and redo the change."""

    code = "VERSION_CONFLICT"


class SlugTaken(Conflict):
    code = "SLUG_TAKEN"


class CategoryInUse(Conflict):
    code = "CATEGORY_IN_USE"


class StatusConflict(Conflict):
    """The transition does not apply to the node's current state (e.g. restoring a live node)."""

    code = "STATUS_CONFLICT"


class UnknownKind(Invalid):
    code = "UNKNOWN_KIND"


class MetadataInvalid(Invalid):
    code = "METADATA_INVALID"


class LocaleNotEnabled(Invalid):
    code = "LOCALE_NOT_ENABLED"


class ParentInvalid(Invalid):
    """The parent does not exist in this tenant, or would make the tree a cycle."""

    code = "PARENT_INVALID"


class CategoryInvalid(Invalid):
    code = "CATEGORY_INVALID"


class TagInvalid(Invalid):
    code = "TAG_INVALID"


class BodyTooLarge(Invalid):
    code = "BODY_TOO_LARGE"


class ScheduleInvalid(Invalid):
    code = "SCHEDULE_INVALID"
