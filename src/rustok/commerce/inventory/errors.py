"""Errors of inventory; each code is stable for clients."""

from __future__ import annotations

from rustok.core.errors import Conflict, Invalid, NotFound


class StockLocationNotFound(NotFound):
    code = "STOCK_LOCATION_NOT_FOUND"


class StockLocationNameTaken(Conflict):
    code = "STOCK_LOCATION_NAME_TAKEN"


class StockLocationInUse(Conflict):
    """The default location, or one that still holds or reserves stock, cannot be deleted."""

    code = "STOCK_LOCATION_IN_USE"


class InsufficientStock(Conflict):
    """Not enough available stock; one field error per short line names what is available."""

    code = "INSUFFICIENT_STOCK"


class InventoryNotManaged(Invalid):
    """The variant's stock is not counted (`manage_inventory` is off)."""

    code = "INVENTORY_NOT_MANAGED"


class SameLocation(Invalid):
    code = "SAME_LOCATION"


class UnknownVariant(NotFound):
    """A line or path names a variant that is not in this tenant's catalog (the catalog's
    code)."""

    code = "VARIANT_NOT_FOUND"
