"""ASGI entry point for servers that import the app by name (`uvicorn --factory`, workers)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rustok.api.app import create_app
from rustok.bootstrap import build_container, freeze_startup_heap
from rustok.core.settings import get_settings
from rustok.observability.logging import configure_logging

if TYPE_CHECKING:
    from fastapi import FastAPI


def make_app() -> FastAPI:
    settings = get_settings()
    configure_logging(settings)
    return create_app(build_container(settings), after_start=freeze_startup_heap)
