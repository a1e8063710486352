"""Knows every module that declares tables or events, so Alembic, the test set-up and the event
catalog see all of them."""

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


EVENT_MODULES = (
    "rustok.tenancy.events",
    "rustok.auth.events",
    "rustok.rbac.events",
)


def import_all_events() -> None:
    for name in EVENT_MODULES:
        importlib.import_module(name)
