"""The OpenAPI document tells the truth about errors: every operation lists its problem answers;
and every REST operation carries what clients are built from (id, tag, summary, examples)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Annotated, Any, get_args

import jsonschema_rs
import pytest
from fastapi import APIRouter
from pydantic import BaseModel, TypeAdapter, ValidationError

from rustok.api.app import create_app
from rustok.api.openapi import rest_operations
from rustok.api.problems import Problem
from rustok.api.routes import mounted_routes
from rustok.core.permissions import Action
from rustok.rbac.permissions import ROLES
from rustok.testing.factories import auth_headers, user_token
from rustok.web.access import Access, access_rule_of, require

if TYPE_CHECKING:
    import httpx
    from fastapi import FastAPI

    from rustok.bootstrap import Container
    from rustok.tenancy.schemas import TenantDetail

PROBLEM = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
UNLIMITED = {"/api/health/live", "/api/health/ready", "/metrics"}
TENANTLESS = ("/api/health", "/metrics")


class Thing(BaseModel):
    name: str


def _schemas(response: dict[str, Any]) -> dict[str, Any]:
    """The content of a response without its examples."""
    return {
        media: {"schema": body["schema"]} if "schema" in body else {}
        for media, body in response.get("content", {}).items()
    }


def _expected(path: str, method: str, operation: dict[str, Any], rule: str) -> set[str]:
    """What the middleware, the access rule and the inputs can answer, worked out on its own."""
    expected = {"431"}
    if path not in UNLIMITED:
        expected.add("429")
    if not path.startswith(TENANTLESS):
        expected |= {"400", "403", "404", "503"}
        if method != "get":
            expected.add("409")
    if "requestBody" in operation:
        expected |= {"400", "408", "413", "422"}
    if operation.get("parameters"):
        expected.add("422")
    if rule != "public":
        expected.add("401")
    if rule not in {"public", "authenticated"}:
        expected.add("403")
    return expected


def _missing(app: FastAPI) -> list[str]:
    document = app.openapi()
    # Per method: a path may be public to read and need a permission to write.
    rules = {
        (m.path, method.lower()): str(access_rule_of(m.route))
        for m in mounted_routes(app)
        for method in m.methods
    }
    missing = []
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            for status in sorted(
                _expected(path, method, operation, rules[path, method]) - set(responses)
            ):
                missing.append(f"{method.upper()} {path}: {status}")
            for status, response in responses.items():
                documented_body = path.startswith("/api/health") and status == "503"
                if status[0] in "45" and not documented_body and _schemas(response) != PROBLEM:
                    missing.append(f"{method.upper()} {path}: {status} is not a problem")
    return missing


def test_every_operation_documents_its_problem_answers(container: Container) -> None:
    app = create_app(container, manage_container=False)

    assert len(app.openapi()["paths"]) >= 25
    assert _missing(app) == []


def test_a_new_route_inherits_its_problem_answers(container: Container) -> None:
    app = create_app(container, manage_container=False)
    extra = APIRouter()

    @extra.post("/api/things/{thing_id}")
    async def create_thing(
        thing_id: int, body: Thing, _: Annotated[Access, require(ROLES, Action.CREATE)]
    ) -> Thing:
        return body

    app.include_router(extra)

    responses = app.openapi()["paths"]["/api/things/{thing_id}"]["post"]["responses"]
    assert sorted(responses) == [
        "200", "400", "401", "403", "404", "408", "409", "413", "422", "429", "431", "503"
    ]  # fmt: skip
    assert _schemas(responses["403"]) == PROBLEM
    assert "roles:create" in responses["403"]["description"]
    assert _missing(app) == []
    operation = app.openapi()["paths"]["/api/things/{thing_id}"]["post"]
    assert operation["operationId"] == "platform_create_thing"
    assert operation["parameters"][0]["example"] == 1
    assert operation["requestBody"]["content"]["application/json"]["example"] == {"name": "example"}
    assert responses["200"]["content"]["application/json"]["example"] == {"name": "example"}
    assert responses["403"]["content"]["application/problem+json"]["example"]["code"] == "FORBIDDEN"


def test_the_problem_schema_is_what_errors_answer(container: Container) -> None:
    app = create_app(container, manage_container=False)
    schema = app.openapi()["components"]["schemas"]

    assert set(schema["Problem"]["properties"]) == {
        "type", "title", "status", "detail", "code", "errors", "request_id"
    }  # fmt: skip
    assert set(schema["Problem"]["required"]) == set(schema["Problem"]["properties"])
    assert set(schema["FieldProblem"]["properties"]) == {"field", "message"}
    assert "HTTPValidationError" not in schema


async def test_an_error_body_validates_against_the_problem_schema(
    client: httpx.AsyncClient, tenant: TenantDetail
) -> None:
    response = await client.post(
        "/api/auth/login", json={"email": "not-an-email"}, headers=auth_headers(tenant)
    )

    assert response.status_code == 422
    problem = Problem.model_validate(response.json())
    assert [error.field for error in problem.errors] == ["body.email", "body.password"]


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("DELETE", "/api/admin/tenants", "GET, POST"),
        ("POST", "/api/admin/roles/7f3b1c2e-0000-4000-8000-000000000001", "DELETE, GET, PATCH"),
        (
            "GET",
            "/api/admin/tenants/7f3b1c2e-0000-4000-8000-000000000001/locales/en",
            "DELETE, PUT",
        ),
    ],
)
async def test_405_allows_every_method_of_the_path(
    client: httpx.AsyncClient, tenant: TenantDetail, method: str, path: str, allow: str
) -> None:
    response = await client.request(method, path, headers=auth_headers(tenant))

    assert response.status_code == 405
    assert response.headers["allow"] == allow
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "METHOD_NOT_ALLOWED"


def test_formats_are_documented(container: Container) -> None:
    schemas = create_app(container, manage_container=False).openapi()["components"]["schemas"]

    email = schemas["LoginRequest"]["properties"]["email"]
    assert (email["format"], email["maxLength"]) == ("email", 320)
    assert re.fullmatch(email["pattern"].strip("^$"), "ada.lovelace+x@example.co.uk")
    assert not re.fullmatch(email["pattern"].strip("^$"), "ada@localhost")
    permission = schemas["PermissionGrant"]["properties"]["permission"]
    assert {"roles:update", "events:read", "users:manage"} <= set(permission["enum"])
    assert "tenants:manage" not in permission["enum"]  # a platform power, never a grant
    assert all(re.fullmatch(r"[a-z_]+:[a-z_]+", value) for value in permission["enum"])
    domain = schemas["TenantCreate"]["properties"]["domain"]["anyOf"][0]
    assert re.fullmatch(domain["pattern"], "shop.example.com")
    assert not re.fullmatch(domain["pattern"], "shop.example.com:8080")
    assert not re.fullmatch(domain["pattern"], "-shop.example.com")
    locale = schemas["TenantCreate"]["properties"]["default_locale"]["pattern"]
    assert re.fullmatch(locale, "pt-BR")
    assert not re.fullmatch(locale, "english")
    name = schemas["TenantCreate"]["properties"]["name"]
    assert name["allOf"] == [{"pattern": r"\S"}]
    assert not re.fullmatch(name["pattern"], "a\x00b")


@pytest.mark.parametrize("value", [1, 0, "true", "false", "1"])
async def test_booleans_in_bodies_are_strict(
    client: httpx.AsyncClient, container: Container, tenant: TenantDetail, value: object
) -> None:
    token = await user_token(client, container, tenant, email="operator@example.com", operator=True)
    headers = auth_headers(tenant, token)

    patched = await client.patch(
        f"/api/admin/tenants/{tenant.id}", json={"is_active": value}, headers=headers
    )
    locale = await client.put(
        f"/api/admin/tenants/{tenant.id}/locales/de",
        json={"is_enabled": value},
        headers=headers,
    )
    after = await client.get(f"/api/admin/tenants/{tenant.id}", headers=headers)

    assert (patched.status_code, locale.status_code) == (422, 422)
    assert [e["field"] for e in patched.json()["errors"]] == ["body.is_active"]
    assert [e["field"] for e in locale.json()["errors"]] == ["body.is_enabled"]
    assert after.json()["is_active"] is True
    assert [loc["locale"] for loc in after.json()["locales"]] == ["en"]


def _models(annotation: Any) -> list[type[BaseModel]]:
    pending, found = [annotation], []
    while pending:
        item = pending.pop()
        if isinstance(item, type) and issubclass(item, BaseModel):
            if item not in found:
                found.append(item)
                pending.extend(field.annotation for field in item.model_fields.values())
        else:
            pending.extend(get_args(item))
    return found


def test_every_boolean_input_is_strict(container: Container) -> None:
    app = create_app(container, manage_container=False)
    lax = []
    for mounted in mounted_routes(app):
        if mounted.route.body_field is None:
            continue
        for model in _models(mounted.route.body_field.field_info.annotation):
            document = model.model_json_schema()
            # A model that contains itself (a menu item's children) is a $ref to its $defs.
            properties = (
                document.get("properties") or document["$defs"][model.__name__]["properties"]
            )
            for name in model.model_fields:
                schema = properties[name]
                is_bool = schema.get("type") == "boolean" or {"type": "boolean"} in schema.get(
                    "anyOf", []
                )
                if is_bool and not _accepts_only_booleans(model, name):
                    lax.append(f"{model.__name__}.{name}")
        # Query strings have no JSON types; a boolean there would take "1", "on", "yes".
        # None exists: a new one must be a deliberate choice, so it fails here.
        lax.extend(
            f"query {param.name} of {mounted.path}"
            for param in mounted.route.dependant.query_params
            if param.field_info.annotation is bool
        )

    assert lax == []


def _accepts_only_booleans(model: type[BaseModel], name: str) -> bool:
    for value in (1, "true"):
        try:
            model.__pydantic_validator__.validate_assignment(model.model_construct(), name, value)
        except ValidationError:
            continue
        return False
    return True


def _broken_examples(document: dict[str, Any], where: str, media: dict[str, Any]) -> list[str]:
    if "schema" not in media:
        return []
    if "example" not in media:
        return [f"{where}: no example"]
    schema = {**media["schema"], "components": document["components"]}
    validator = jsonschema_rs.Draft202012Validator(schema, validate_formats=True)
    return [f"{where}: {error.message}" for error in validator.iter_errors(media["example"])]


def _breaches(app: FastAPI) -> list[str]:
    """Every REST operation without an id, one tag, a summary of its own, or valid examples."""
    document = app.openapi()
    summaries = {
        (method.lower(), m.path): m.route.summary
        for m in mounted_routes(app)
        for method in m.methods
    }
    breaches = []
    for path, method, operation in rest_operations(document):
        label = f"{method.upper()} {path}"
        if not re.fullmatch(r"[a-z]+_[a-z0-9_]+", operation.get("operationId", "")):
            breaches.append(f"{label}: operationId {operation.get('operationId')!r}")
        if len(operation.get("tags", [])) != 1:
            breaches.append(f"{label}: tags {operation.get('tags')}")
        if not summaries[method, path]:  # FastAPI would make one up from the function's name
            breaches.append(f"{label}: no summary")
        for parameter in operation.get("parameters", []):
            breaches += _broken_examples(
                document,
                f"{label} {parameter['name']}",
                {"schema": parameter["schema"], **parameter},
            )
        for media_type, media in operation.get("requestBody", {}).get("content", {}).items():
            breaches += _broken_examples(document, f"{label} {media_type}", media)
        for status, response in operation["responses"].items():
            if status[0] == "2" and "content" in response and not response["content"]:
                breaches.append(f"{label} {status}: no media type")
            for media_type, media in response.get("content", {}).items():
                if "schema" not in media and "example" not in media:
                    breaches.append(f"{label} {status} {media_type}: no example")
                breaches += _broken_examples(document, f"{label} {status} {media_type}", media)
    ids = [operation.get("operationId") for _, _, operation in rest_operations(document)]
    breaches += [f"operationId {name} is not unique" for name in set(ids) if ids.count(name) > 1]
    return breaches


def test_every_rest_operation_holds_the_api_contract(container: Container) -> None:
    app = create_app(container, manage_container=False)

    assert len(rest_operations(app.openapi())) >= 35
    assert _breaches(app) == []


def test_operation_ids_and_tags_name_the_module(container: Container) -> None:
    app = create_app(container, manage_container=False)
    document = app.openapi()
    slugs = {
        id(route): module.slug
        for module in container.registry
        for router in module.load_routers()
        for route in router.routes
    }
    checked = 0
    for mounted in mounted_routes(app):
        slug = slugs.get(id(mounted.route))
        for method in mounted.methods if slug is not None else ():
            operation = document["paths"][mounted.path][method.lower()]
            assert operation["tags"] == [slug], f"{method} {mounted.path}"
            assert operation["operationId"] == f"{slug.replace('.', '_')}_{mounted.route.name}"
            checked += 1

    assert checked >= 27
    operations = {(m, p): o for p, m, o in rest_operations(document)}
    assert operations["post", "/api/admin/roles"]["operationId"] == "rbac_create_role"
    assert operations["get", "/api/admin/events/dlq"]["operationId"] == "events_list_dead_letters"
    assert operations["post", "/api/auth/login"]["tags"] == ["auth"]


def test_request_examples_are_accepted_by_the_body_models(container: Container) -> None:
    """A schema cannot say everything a model checks (e.g. reserved slugs): the model must take
    every example the document shows."""
    app = create_app(container, manage_container=False)
    document = app.openapi()
    refused = []
    for mounted in mounted_routes(app):
        if mounted.route.body_field is None:
            continue
        for method in mounted.methods:
            body = document["paths"][mounted.path][method.lower()]["requestBody"]
            if "application/json" not in body["content"]:
                continue  # a multipart upload: its file is checked by the service, not a model
            example = body["content"]["application/json"]["example"]
            model = TypeAdapter(mounted.route.body_field.field_info.annotation)
            try:
                model.validate_python(example)
            except ValidationError as error:
                refused.append(f"{method} {mounted.path}: {error}")

    assert refused == []
