"""Errors of the pages module."""

from __future__ import annotations

from rustok.core.errors import Invalid, NotFound


class PageNotFound(NotFound):
    code = "PAGE_NOT_FOUND"


class BlockNotFound(NotFound):
    code = "BLOCK_NOT_FOUND"


class MenuNotFound(NotFound):
    code = "MENU_NOT_FOUND"


class MenuItemNotFound(NotFound):
    code = "MENU_ITEM_NOT_FOUND"


class UnknownTemplate(Invalid):
    code = "UNKNOWN_TEMPLATE"


class UnknownBlockType(Invalid):
    code = "UNKNOWN_BLOCK_TYPE"


class BlockDataInvalid(Invalid):
    """The data does not fit the block type's schema (or names another tenant's media)."""

    code = "BLOCK_DATA_INVALID"


class TooManyBlocks(Invalid):
    code = "TOO_MANY_BLOCKS"


class BlockOrderInvalid(Invalid):
    """A reorder must list every block of the page once, and nothing else."""

    code = "BLOCK_ORDER_INVALID"


class PageReferenceUnknown(Invalid):
    """A menu item links to a page this tenant does not have (or another tenant's)."""

    code = "PAGE_REFERENCE_UNKNOWN"


class MenuCycle(Invalid):
    """The new parent is the item itself or one of its descendants."""

    code = "MENU_CYCLE"


class MenuParentInvalid(Invalid):
    code = "MENU_PARENT_INVALID"


class MenuTooDeep(Invalid):
    code = "MENU_TOO_DEEP"


class MenuTooLarge(Invalid):
    code = "MENU_TOO_LARGE"
