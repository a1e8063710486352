"""Every route declares who may call it, and docs/permissions.md says the same as the code."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from rustok.api.app import create_app
from rustok.api.matrix import permission_matrix, render_markdown
from rustok.api.routes import mounted_routes
from rustok.rbac.policy import builtin_roles
from rustok.web.access import access_rule_of

if TYPE_CHECKING:
    from rustok.bootstrap import Container

DOCS = Path(__file__).resolve().parents[2] / "docs" / "permissions.md"


def test_every_route_declares_its_access_rule(container: Container) -> None:
    app = create_app(container, manage_container=False)

    routes = mounted_routes(app)
    undeclared = [
        f"{sorted(mounted.methods)} {mounted.path}"
        for mounted in routes
        if access_rule_of(mounted.route) is None
    ]

    assert len(routes) >= 30  # the walk sees every module's routes, not an empty list
    assert {"/api/auth/login", "/api/admin/tenants", "/api/health"} <= {m.path for m in routes}
    assert undeclared == []


def test_every_graphql_field_declares_its_access_rule(container: Container) -> None:
    from rustok.api.graphql.schema import field_rules

    app = create_app(container, manage_container=False)

    rules = field_rules(app.state.graphql_schema)

    assert {"currentTenant", "me", "roles", "tenants", "enableModule"} <= {r.field for r in rules}
    assert [f"{r.operation}.{r.field}" for r in rules if r.rule is None] == []


def test_the_permissions_document_matches_the_code(container: Container) -> None:
    app = create_app(container, manage_container=False)

    expected = render_markdown(permission_matrix(app), builtin_roles(container.registry))

    assert DOCS.read_text(encoding="utf-8") == expected, (
        "docs/permissions.md is stale: run `make matrix`"
    )


def test_a_route_without_a_rule_is_reported(container: Container) -> None:
    from fastapi import APIRouter

    app = create_app(container, manage_container=False)
    rogue = APIRouter()

    @rogue.get("/api/rogue")
    async def handler() -> dict[str, str]:
        return {}

    app.include_router(rogue)

    rows = {row.path: row.rule for row in permission_matrix(app)}
    assert rows["/api/rogue"] == "UNDECLARED"
