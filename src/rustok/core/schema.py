"""Knows every module that declares tables, so Alembic and test set-up see the whole schema."""

from __future__ import annotations

import importlib

MODEL_MODULES = (
    "rustok.tenancy.models",
    "rustok.auth.models",
    "rustok.rbac.models",
    "rustok.events.models",
)


def import_all_models() -> None:
    for name in MODEL_MODULES:
        importlib.import_module(name)
