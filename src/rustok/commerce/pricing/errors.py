"""Errors of pricing; each code is stable for clients."""

from __future__ import annotations

from rustok.core.errors import Conflict, Invalid, NotFound


class RegionNotFound(NotFound):
    code = "REGION_NOT_FOUND"


class PriceListNotFound(NotFound):
    code = "PRICE_LIST_NOT_FOUND"


class PriceNotFound(NotFound):
    """The variant has no base price in the currency asked for."""

    code = "PRICE_NOT_FOUND"


class RegionNameTaken(Conflict):
    code = "REGION_NAME_TAKEN"


class PriceListStale(Conflict):
    code = "VERSION_CONFLICT"


class RegionCurrencyMismatch(Invalid):
    code = "CURRENCY_MISMATCH"


class UnknownVariant(Invalid):
    """A price list names a variant that is not in this tenant's catalog."""

    code = "UNKNOWN_VARIANT"
