"""The flat list of API routes of an assembled app, with their full paths."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from fastapi.routing import APIRoute, iter_route_contexts

if TYPE_CHECKING:
    from fastapi import FastAPI


@dataclass(frozen=True, slots=True)
class MountedRoute:
    path: str
    methods: frozenset[str]
    route: APIRoute


def mounted_routes(app: FastAPI) -> list[MountedRoute]:
    """Every APIRoute with the path it answers on (FastAPI mounts included routers lazily)."""
    found = []
    for context in iter_route_contexts(app.routes):
        original = context.original_route
        if isinstance(original, APIRoute) and context.path is not None:
            found.append(MountedRoute(context.path, frozenset(context.methods or ()), original))
    return found
