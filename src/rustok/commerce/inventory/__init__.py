"""Inventory: stock locations, levels per variant and location, reservations, movements."""
