"""Every route declares who may call it, and docs/permissions.md says the same as the code."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from fastapi.routing import APIRoute

from rustok.api.app import create_app
from rustok.api.deps import access_rule_of
from rustok.api.matrix import permission_matrix, render_markdown

if TYPE_CHECKING:
    from rustok.bootstrap import Container

DOCS = Path(__file__).resolve().parents[2] / "docs" / "permissions.md"


def test_every_route_declares_its_access_rule(container: Container) -> None:
    app = create_app(container, manage_container=False)

    undeclared = [
        f"{sorted(route.methods)} {route.path}"
        for route in app.routes
        if isinstance(route, APIRoute) and access_rule_of(route) is None
    ]

    assert undeclared == []


def test_the_permissions_document_matches_the_code(container: Container) -> None:
    app = create_app(container, manage_container=False)

    expected = render_markdown(permission_matrix(app))

    assert DOCS.read_text(encoding="utf-8") == expected, (
        "docs/permissions.md is stale: run `make matrix`"
    )
