"""Schemathesis against the assembled app, in process: every operation, every check, four callers.

The callers are anonymous, a customer, the tenant's admin and a platform operator (an admin
that `rustok operator grant` made one). For each, every operation gets generated valid and
invalid requests, and every answer must pass all of Schemathesis's checks: no 5xx, only
documented statuses, content types and headers, bodies matching their schemas, invalid input
refused and valid input accepted.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import CHECKS, is_check_class, load_all_checks
from schemathesis.core.failures import FailureGroup
from schemathesis.generation import GenerationMode
from schemathesis.python.asgi import shutdown_lifespans
from schemathesis.specs.openapi.checks import positive_data_acceptance

from rustok.api.app import create_app
from rustok.bootstrap import build_container
from rustok.testing.app import settings_for_tests
from rustok.testing.factories import auth_headers, user_token

if TYPE_CHECKING:
    import httpx

    from rustok.bootstrap import Container
    from rustok.core.settings import Settings
    from rustok.tenancy.schemas import TenantDetail

ROLES: dict[str, tuple[str, ...] | None] = {
    "anonymous": None,
    "customer": ("customer",),
    "admin": ("admin",),
    "operator": ("admin",),
}
# Examples per operation and caller: enough to hit every documented answer, cheap enough to
# keep the four callers' runs under a minute together.
EXAMPLES = {GenerationMode.POSITIVE: 8, GenerationMode.NEGATIVE: 5}
GRAPHQL = "/api/graphql"
# Run last: they end the caller's session, after which every call is a (documented) 401.
SESSION_ENDING = ("/api/auth/logout", "/api/auth/change-password", "/api/auth/sessions/revoke-all")


@pytest.fixture
def settings(database_url: str) -> Settings:
    """No relay or consumers in the fixture's container either: nothing here waits for an
    event, and its event loop stands still while the (synchronous) test runs, so a relay
    there stops mid-transaction and at teardown waits out its 10 s grace on its own row locks
    (10 s per caller, measured)."""
    return settings_for_tests(database_url, embedded_workers=False)


@pytest.fixture
async def callers(
    client: httpx.AsyncClient, container: Container, tenant: TenantDetail
) -> dict[str, dict[str, str]]:
    headers = {}
    for role, roles in ROLES.items():
        token = None
        if roles is not None:
            token = await user_token(
                client,
                container,
                tenant,
                email=f"{role}@example.com",
                roles=roles,
                operator=role == "operator",
            )
        headers[role] = auth_headers(tenant, token)
    return headers


# A schema cannot know the caller's password: a wrong one is a valid request refused with 422
# (CURRENT_PASSWORD_INCORRECT), which is right, not a schema that is too loose.
# Likewise a schema cannot say what the bytes of an uploaded file are (an empty or
# unrecognised file is refused with 422/415).
NOT_APPLICABLE = {
    "POST /api/auth/change-password": [positive_data_acceptance],
    # `after` is a cursor the list handed out; any other string is INVALID_CURSOR (422).
    "GET /api/admin/users": [positive_data_acceptance],
    "GET /api/commerce/inventory/movements": [positive_data_acceptance],
    "GET /api/content/media": [positive_data_acceptance],
    "PATCH /api/content/media/{media_id}": [positive_data_acceptance],
    "POST /api/content/media": [positive_data_acceptance],
}
# Nor can it know which locales a tenant has enabled, which node kinds the modules registered,
# which cursors a list handed out, or what time it is (publish_at must be in the future): each
# a 422 naming its field, tested in tests/content.
NOT_APPLICABLE |= {
    f"{method} /api/content/{path}": [positive_data_acceptance]
    for method, path in (
        ("GET", "nodes"),
        ("POST", "nodes"),
        ("GET", "nodes/{node_id}"),
        ("PATCH", "nodes/{node_id}"),
        ("GET", "nodes/by-slug/{node_slug}"),
        ("POST", "nodes/{node_id}/schedule"),
        ("GET", "categories"),
        ("POST", "categories"),
        ("GET", "categories/{content_category_id}"),
        ("PATCH", "categories/{content_category_id}"),
        ("GET", "tags"),
        ("POST", "tags"),
        ("GET", "tags/{tag_id}"),
        ("PATCH", "tags/{tag_id}"),
    )
}
# The blog, like content: locales, cursors and publish_at as above, and a comment's guest fields
# depend on who sends it (a guest must give them, a signed-in reader must not); each a 422
# naming its field, tested in tests/blog.
NOT_APPLICABLE |= {
    f"{method} /api/blog/{path}": [positive_data_acceptance]
    for method, path in (
        ("GET", "posts"),
        ("POST", "posts"),
        ("GET", "posts/{post_id}"),
        ("PATCH", "posts/{post_id}"),
        ("GET", "posts/by-slug/{post_slug}"),
        ("GET", "posts/{post_id}/comments"),
        ("POST", "posts/{post_id}/comments"),
        ("GET", "comments"),
    )
}
# Forum: the same locales and cursors, and which forum categories and replies exist (a topic's
# category and a reply's parent are 422s naming the field), tested in tests/forum.
NOT_APPLICABLE |= {
    f"{method} /api/forum/{path}": [positive_data_acceptance]
    for method, path in (
        ("GET", "categories"),
        ("POST", "categories"),
        ("GET", "categories/{forum_category_id}"),
        ("PATCH", "categories/{forum_category_id}"),
        ("GET", "topics"),
        ("POST", "topics"),
        ("GET", "topics/{topic_id}"),
        ("PATCH", "topics/{topic_id}"),
        ("GET", "topics/{topic_id}/replies"),
        ("POST", "topics/{topic_id}/replies"),
    )
}
# Commerce: handles are lower-case letters and digits of any script joined by '-' (a JSON Schema
# pattern cannot name Unicode letter classes), lists take only the cursors they handed out, and
# some rules bind two fields (compare-at not below the amount, a tier's max not below its min);
# each a 422 naming the field, tested in tests/commerce.
NOT_APPLICABLE |= {
    f"{method} /api/commerce/{path}": [positive_data_acceptance]
    for method, path in (
        ("GET", "products"),
        ("POST", "products"),
        ("PATCH", "products/{product_id}"),
        ("POST", "products/{product_id}/variants"),
        ("PATCH", "variants/{variant_id}"),
        ("PUT", "variants/{variant_id}/prices"),
        ("POST", "collections"),
        ("PATCH", "collections/{collection_id}"),
        ("POST", "categories"),
        ("PATCH", "categories/{category_id}"),
        ("POST", "price-lists"),
        ("PATCH", "price-lists/{price_list_id}"),
        ("POST", "regions"),
        ("PATCH", "regions/{region_id}"),
        ("GET", "orders"),
    )
}
# Nor which payment providers a deployment runs besides `manual` (422 on `body.provider`).
NOT_APPLICABLE["POST /api/commerce/orders/{order_id}/pay"] = [positive_data_acceptance]


# A new cart names a region the tenant must have (422 UNKNOWN_REGION otherwise), and an
# Idempotency-Key sent again with another body is refused (422 IDEMPOTENCY_KEY_REUSED): the
# generator repeats keys across examples. Both tested in tests/commerce/test_cart_*.py.
NOT_APPLICABLE["POST /api/commerce/carts"] = [positive_data_acceptance]

# Pages: locales a tenant enabled, cursors a list handed out, templates and block types of the
# registries, each block type's data schema (`data` is any object in the document), and page ids
# a menu item may link to; each a 422 naming its field, tested in tests/pages.
NOT_APPLICABLE |= {
    f"{method} /api/{path}": [positive_data_acceptance]
    for method, path in (
        ("GET", "pages"),
        ("POST", "pages"),
        ("GET", "pages/by-slug/{page_slug}"),
        ("GET", "pages/{page_id}"),
        ("PATCH", "pages/{page_id}"),
        ("GET", "pages/{page_id}/blocks"),
        ("POST", "pages/{page_id}/blocks"),
        ("PATCH", "pages/{page_id}/blocks/{block_id}"),
        ("GET", "menus"),
        ("POST", "menus"),
        ("GET", "menus/{menu_id}"),
        ("PUT", "menus/{menu_id}/items"),
        ("POST", "menus/{menu_id}/items"),
        ("PATCH", "menus/{menu_id}/items/{menu_item_id}"),
    )
}


def _all_checks() -> list[Any]:
    load_all_checks()
    return [check for check in CHECKS.get_all() if not is_check_class(check)]


# On PostgreSQL only, which refuses more than SQLite (NULs, invalid Unicode): the run costs
# about 10 s per caller, and the rest of the suite covers both databases.
@pytest.mark.backends("postgres")
@pytest.mark.parametrize("role", ROLES)
def test_every_operation_holds_its_contract(
    role: str, settings: Settings, callers: dict[str, dict[str, str]]
) -> None:
    # Rate limits off: a 429 is documented everywhere and would only hide the code under test.
    # No relay or consumers in this second app either (see `settings`).
    app = create_app(
        build_container(
            settings.model_copy(update={"rate_limit_enabled": False, "embedded_workers": False})
        )
    )
    headers = callers[role]
    checks = _all_checks()
    schema = schemathesis.openapi.from_asgi("/api/openapi.json", app)
    operations = sorted(
        (
            result.ok()
            for result in schema.get_all_operations()
            # GraphQL has one path for every query; OpenAPI cannot describe it.
            if not result.ok().path.startswith(GRAPHQL)
        ),
        key=lambda operation: (operation.path in SESSION_ENDING, operation.label),
    )
    cases = 0
    failures: list[str] = []
    try:
        for operation in operations:
            for mode, examples in EXAMPLES.items():

                @given(case=operation.as_strategy(generation_mode=mode))
                @hypothesis_settings(
                    max_examples=examples,
                    deadline=None,
                    database=None,
                    derandomize=True,
                    phases=[Phase.explicit, Phase.generate],
                    suppress_health_check=list(HealthCheck),
                )
                def run(case: Any) -> None:
                    nonlocal cases
                    cases += 1
                    # In the case itself, not only in the call: the check that an operation
                    # declaring the bearer scheme refuses a request without it (ST401) resends
                    # the case minus its credentials, and the tenant header must stay.
                    case.headers = {**(case.headers or {}), **headers}
                    response = case.call()
                    case.validate_response(
                        response,
                        checks=checks,
                        excluded_checks=NOT_APPLICABLE.get(case.operation.label, []),
                        headers=headers,
                    )

                try:
                    run()
                except Unsatisfiable:
                    if mode is GenerationMode.NEGATIVE:
                        continue  # nothing to get wrong: no inputs, or any string is valid
                    failures.append(f"{operation.label}: no valid request can be generated")
                except (Exception, FailureGroup) as error:
                    failures.append(f"{operation.label} [{mode.value}]: {error}")
    finally:
        shutdown_lifespans()

    assert len(operations) >= 30
    assert cases >= len(operations)
    assert failures == [], (
        f"{len(failures)} of {len(operations)} operations failed:\n" + "\n\n".join(failures)
    )
