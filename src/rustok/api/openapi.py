"""The OpenAPI document: every operation lists the problem answers it can give, and carries
the contract clients are generated from (a stable `operationId`, examples of every body).

What a route can answer is mostly decided outside it: by the middleware (limits, tenant
resolution, rate limits), by its access rule, by whether it takes parameters or a body. So the
problem responses are derived here from those facts for every mounted route, and a module
gains them without declaring anything. A route declares only what its own domain adds beyond
these (e.g. `401` for a wrong password on public login) with `responses={status: {...}}`; any
4xx/5xx response without a body schema is given the `Problem` schema here.

The same walk gives every operation its `operationId`, `<tag>_<route function>` (the tag is the
module's slug), the bearer scheme when its access rule needs a token, and an example of every
parameter, request and response body, made from the schema (`rustok.api.examples`) unless the
model declares one; a problem's example carries the first code its description names.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, get_args

from fastapi.dependencies.utils import get_flat_params
from pydantic import BaseModel

from rustok.api.examples import example_of
from rustok.api.problems import PROBLEM_JSON, Problem, problem_body
from rustok.api.rest.paths import RATE_LIMIT_EXEMPT, needs_tenant
from rustok.api.routes import mounted_routes
from rustok.core import errors
from rustok.core.permissions import all_permissions
from rustok.web.access import access_rule_of

if TYPE_CHECKING:
    from fastapi import FastAPI
    from fastapi.routing import APIRoute

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# The access rules that need the caller's access token (`rustok.web.access`).
NEEDS_TOKEN = frozenset({"authenticated", "permission", "operator"})
_PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
BEARER = "bearerAuth"
_BEARER_SCHEME = {
    "type": "http",
    "scheme": "bearer",
    "bearerFormat": "JWT",
    "description": "The `access_token` that login, sign-up and refresh answer.",
}
# GraphQL has one path for every query; its contract is the GraphQL schema, not this document.
NOT_REST_TAGS = frozenset({"graphql"})
_CODE_IN_DESCRIPTION = re.compile(r"`([A-Z][A-Z0-9_]+)`")
EXAMPLE_REQUEST_ID = "01JH8Z3K4Q9V7W2X5Y6B8C0D1E"
_RETRY_AFTER = {
    "Retry-After": {
        "description": "Seconds to wait before retrying.",
        "schema": {"type": "integer", "minimum": 1},
    }
}


def problem_statuses(path: str, method: str, route: APIRoute) -> dict[int, str]:
    """The problem statuses a route can answer, whatever it does, each with why."""
    statuses = {431: "Too many header fields, or too large (`HEADERS_TOO_LARGE`)."}
    if route.body_field is not None:
        statuses[400] = "The body is not valid JSON (`MALFORMED_JSON`)."
        statuses[408] = "The body did not arrive in time (`REQUEST_TIMEOUT`)."
        statuses[413] = "The body is too large (`PAYLOAD_TOO_LARGE`)."
    if route.body_field is not None or get_flat_params(route.dependant):
        statuses[422] = "Invalid input; `errors` names each field (`VALIDATION_ERROR`)."
    if path not in RATE_LIMIT_EXEMPT:
        statuses[429] = "Over a rate limit (`RATE_LIMITED`); see `Retry-After`."
    if needs_tenant(path):
        statuses[400] = statuses.get(400, "") + (
            " No tenant named, or a malformed tenant identifier "
            "(`TENANT_REQUIRED`, `TENANT_IDENTIFIER_MALFORMED`)."
        )
        statuses[403] = "The tenant is deactivated (`TENANT_INACTIVE`)."
        statuses[404] = "Unknown tenant (`TENANT_NOT_FOUND`), or what the path names is not found."
        statuses[503] = "The database is unreachable (`DATABASE_UNAVAILABLE`); retry."
    rule = access_rule_of(route)
    if rule is not None and rule.kind in NEEDS_TOKEN:
        statuses[401] = "No valid access token of this tenant (`UNAUTHENTICATED`, ...)."
    if rule is not None and rule.kind == "permission":
        statuses[403] = f"Deactivated tenant, or the caller lacks `{rule}` (`FORBIDDEN`)."
    if rule is not None and rule.kind == "operator":
        statuses[403] = "Deactivated tenant, or the caller is no platform operator (`FORBIDDEN`)."
    if method in WRITE_METHODS and needs_tenant(path):
        statuses[409] = "The change conflicts with the current state (`*_TAKEN`, ...)."
    return {status: statuses[status].strip() for status in sorted(statuses)}


def problem_example(status: int, description: str) -> dict[str, Any]:
    """A problem body this status can answer: with the first code the description names."""
    found = _CODE_IN_DESCRIPTION.search(description)
    fields = [errors.FieldError("body.name", "Field required")] if status == 422 else None
    return problem_body(
        status,
        code=found.group(1) if found else None,
        detail=description,
        fields=fields,
        request_id=EXAMPLE_REQUEST_ID,
    )


def _problem_response(description: str, status: int) -> dict[str, Any]:
    response: dict[str, Any] = {
        "description": description,
        "content": {
            PROBLEM_JSON: {"schema": _PROBLEM_REF, "example": problem_example(status, description)}
        },
    }
    if status in {429, 503}:
        response["headers"] = _RETRY_AFTER
    return response


def document_problems(app: FastAPI, schema: dict[str, Any]) -> None:
    """Add the problem responses and the `Problem` schema to a generated document, in place."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    problem_schema = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    components.update(problem_schema.pop("$defs", {}))
    components["Problem"] = problem_schema
    for mounted in mounted_routes(app):
        for method in mounted.methods:
            operation = schema["paths"].get(mounted.path, {}).get(method.lower())
            if operation is None:
                continue  # hidden from the document (`include_in_schema=False`)
            responses = operation.setdefault("responses", {})
            for status, description in problem_statuses(
                mounted.path, method, mounted.route
            ).items():
                declared = responses.get(str(status), {})
                if "content" in declared and status != 422:
                    continue  # the route documents its own body (e.g. the health report)
                if "content" not in declared:  # the route's own words, if it has any
                    description = declared.get("description", description)
                responses[str(status)] = _problem_response(description, status)
            for status, declared in responses.items():
                if status[0] in "45" and "content" not in declared:
                    responses[status] = _problem_response(declared["description"], int(status))
            operation["responses"] = dict(sorted(responses.items()))
    _document_formats(app, components)
    # FastAPI's own validation error shape is never answered: ours is a problem.
    for unused in ("HTTPValidationError", "ValidationError"):
        components.pop(unused, None)


def operation_id(route: APIRoute, method: str, tags: list[str]) -> str:
    """`<tag>_<route function>`: stable while the module and the function keep their names. A
    dotted slug (`commerce.catalog`) gives `commerce_catalog_...`: code generators take ids
    as identifiers."""
    suffix = f"_{method.lower()}" if len(route.methods or ()) > 1 else ""
    tag = tags[0].replace(".", "_") if tags else "platform"
    return f"{tag}_{route.name}{suffix}"


def rest_operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    """`(path, method, operation)` of every REST operation of a document, in its order."""
    return [
        (path, method, operation)
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
        if NOT_REST_TAGS.isdisjoint(operation.get("tags", []))
    ]


def document_contract(app: FastAPI, schema: dict[str, Any]) -> None:
    """Give every operation its id and an example of each parameter and body, in place.

    Run after `document_problems`: examples must follow the formats written there (e.g. a
    permission is one of the enumerated ones).
    """
    components = schema["components"]["schemas"]
    schema["components"]["securitySchemes"] = {BEARER: _BEARER_SCHEME}
    for mounted in mounted_routes(app):
        for method in mounted.methods:
            operation = schema["paths"].get(mounted.path, {}).get(method.lower())
            if operation is not None:
                _document_operation(mounted.route, method, operation, components)


def _document_operation(
    route: APIRoute, method: str, operation: dict[str, Any], components: dict[str, Any]
) -> None:
    operation["operationId"] = operation_id(route, method, operation.get("tags", []))
    rule = access_rule_of(route)
    if rule is not None and rule.kind in NEEDS_TOKEN:
        operation["security"] = [{BEARER: []}]
    for parameter in operation.get("parameters", []):
        if "example" not in parameter and "examples" not in parameter:
            parameter["example"] = example_of(parameter.get("schema", {}), components)
    bodies = [*operation.get("requestBody", {}).get("content", {}).values()]
    for response in operation["responses"].values():
        bodies.extend(response.get("content", {}).values())
    for body in bodies:
        if "schema" in body and "example" not in body and "examples" not in body:
            body["example"] = example_of(body["schema"], components)


# A stripped string with a minimum length needs a character that stripping leaves.
NOT_BLANK_PATTERN = r"\S"


def _document_formats(app: FastAPI, components: dict[str, Any]) -> None:
    """Rules that models enforce in code, written where JSON Schema can say them.

    - A field of a model that strips whitespace (`str_strip_whitespace`) and has a minimum
      length must hold a non-space character: `"  "` is refused though it is long enough.
    - `PermissionGrant.permission` is checked by `Permission.parse`; the set of permissions
      is finite, so the document lists it.
    """
    for model in _input_models(app):
        if not model.model_config.get("str_strip_whitespace"):
            continue
        for schema in _components_of(components, model.__name__):
            for prop in schema.get("properties", {}).values():
                for branch in prop.get("anyOf", [prop]):
                    if branch.get("type") == "string" and branch.get("minLength", 0) >= 1:
                        branch["allOf"] = [{"pattern": NOT_BLANK_PATTERN}]
    for schema in _components_of(components, "PermissionGrant"):
        grant = schema.get("properties", {}).get("permission")
        if grant is not None:
            grant["enum"] = all_permissions()
            grant["description"] = "`resource:action`, one of the permissions there are."


def _components_of(components: dict[str, Any], name: str) -> list[dict[str, Any]]:
    # FastAPI names a model used for input and output `<Name>-Input` and `<Name>-Output`.
    return [
        schema
        for key, schema in components.items()
        if key == name or key in {f"{name}-Input", f"{name}-Output"}
    ]


def _input_models(app: FastAPI) -> list[type[BaseModel]]:
    """Every model a request body is made of, nested ones included."""
    pending: list[Any] = [
        mounted.route.body_field.field_info.annotation
        for mounted in mounted_routes(app)
        if mounted.route.body_field is not None
    ]
    found: list[type[BaseModel]] = []
    while pending:
        annotation = pending.pop()
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            if annotation not in found:
                found.append(annotation)
                pending.extend(field.annotation for field in annotation.model_fields.values())
        else:
            pending.extend(get_args(annotation))
    return found


def install_openapi(app: FastAPI) -> None:
    """Make `app.openapi()` (and `/api/openapi.json`) return the document with its problems,
    operation ids and examples."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        schema = generate()  # which FastAPI keeps in `app.openapi_schema`
        document_problems(app, schema)
        document_contract(app, schema)
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
