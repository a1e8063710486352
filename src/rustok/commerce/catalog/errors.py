"""Errors of the catalog; each code is stable for clients."""

from __future__ import annotations

from rustok.core.errors import Conflict, Invalid, NotFound


class ProductNotFound(NotFound):
    code = "PRODUCT_NOT_FOUND"


class VariantNotFound(NotFound):
    code = "VARIANT_NOT_FOUND"


class CollectionNotFound(NotFound):
    code = "COLLECTION_NOT_FOUND"


class CategoryNotFound(NotFound):
    code = "CATEGORY_NOT_FOUND"


class StaleVersion(Conflict):
    """The row changed since the caller read it: read it again and retry."""

    code = "VERSION_CONFLICT"


class ProductActive(Conflict):
    """An active product is on sale: unpublish or archive it before deleting it."""

    code = "PRODUCT_ACTIVE"


class SkuTaken(Conflict):
    code = "SKU_TAKEN"


class HandleTaken(Conflict):
    code = "HANDLE_TAKEN"


class OptionCombinationTaken(Conflict):
    code = "OPTION_COMBINATION_TAKEN"


class CategoryHasChildren(Conflict):
    code = "CATEGORY_HAS_CHILDREN"


class InvalidVariant(Invalid):
    """A variant's input contradicts its product: an unknown option, a missing value, a
    duplicate within the request."""

    code = "INVALID_VARIANT"


class CategoryCycle(Invalid):
    code = "CATEGORY_CYCLE"


class UnknownReference(Invalid):
    """An id in the body names no row of this tenant (a collection, category, parent)."""

    code = "UNKNOWN_REFERENCE"
