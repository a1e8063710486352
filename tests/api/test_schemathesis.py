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
NOT_APPLICABLE = {"POST /api/auth/change-password": [positive_data_acceptance]}
# Rules between fields or over a whole value that JSON Schema cannot state are valid requests
# refused with 422 naming the field: a compare-at price below the price, a percentage over
# 100 %, a tier ending below its start, the window's end before its start, one value of every
# option per variant, SKUs and currencies once per request, ids of this tenant's rows (a
# parent category, never under itself), no NUL anywhere in a JSON metadata value (PostgreSQL's
# JSONB refuses it), a cursor this list handed out (docs/commerce.md).
NOT_APPLICABLE.update(
    {
        f"{method} /api/commerce/{path}": [positive_data_acceptance]
        for method, path in (
            ("GET", "products"),
            ("POST", "products"),
            ("PATCH", "products/{product_id}"),
            ("POST", "products/{product_id}/variants"),
            ("PATCH", "variants/{variant_id}"),
            ("PUT", "variants/{variant_id}/prices"),
            ("POST", "price-lists"),
            ("PATCH", "price-lists/{price_list_id}"),
            ("POST", "categories"),
            ("PATCH", "categories/{category_id}"),
        )
    }
)
# The same NUL rule holds for a tenant's JSON `settings`: with the commerce operations in the
# run, the generator reaches a NUL deep inside one (on main it happened not to).
NOT_APPLICABLE["POST /api/admin/tenants"] = [positive_data_acceptance]
NOT_APPLICABLE["PATCH /api/admin/tenants/{tenant_id}"] = [positive_data_acceptance]


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
    # No relay or consumers in this second app: the fixture's container runs them already, and
    # two relays on one database only add background writers to what is tested here.
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
