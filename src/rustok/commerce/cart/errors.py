"""Errors of the cart; each code is stable for clients."""

from __future__ import annotations

from rustok.core.errors import Conflict, Invalid, NotFound


class CartNotFound(NotFound):
    """No such cart, or one the caller may not use (another customer's): never told apart."""

    code = "CART_NOT_FOUND"


class CartLineNotFound(NotFound):
    code = "CART_LINE_NOT_FOUND"


class CartAlreadyExpired(Conflict):
    code = "CART_EXPIRED"


class CartAlreadyCompleted(Conflict):
    code = "CART_COMPLETED"


class CartEmpty(Conflict):
    code = "CART_EMPTY"


class CartLineUnavailable(Conflict):
    """A line's variant can no longer be bought (unpublished, deleted, no price): checkout
    refuses until the line is removed."""

    code = "CART_LINE_UNAVAILABLE"


class UnknownVariant(Invalid):
    """The variant is not one this tenant sells (another tenant's, or of an unpublished
    product)."""

    code = "UNKNOWN_VARIANT"


class VariantNotPriced(Invalid):
    """The variant has no price in the cart's currency."""

    code = "VARIANT_NOT_PRICED"


class CartLimitExceeded(Invalid):
    """More units in a line, or more lines in a cart, than the settings allow."""

    code = "CART_LIMIT_EXCEEDED"


class UnknownRegion(Invalid):
    code = "UNKNOWN_REGION"


class RegionCurrencyMismatch(Invalid):
    """The region sells in another currency than the cart's."""

    code = "CURRENCY_MISMATCH"
