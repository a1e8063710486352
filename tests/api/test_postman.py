"""The Postman collection generated from the OpenAPI document: every REST operation once, each
request testing its status and content type, in an order that can run on a fresh demo.

newman runs it against a live server in `make contract`; here the collection itself is checked.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import pytest

from rustok.api.app import create_app
from rustok.api.openapi import rest_operations
from rustok.api.postman import COLLECTION_SCHEMA, SESSION_ENDING, build_collection

if TYPE_CHECKING:
    from rustok.bootstrap import Container

STATUS_TEST = re.compile(r"pm\.response\.to\.have\.status\((\d{3})\)")
CONTENT_TYPE_TEST = re.compile(
    r'headers\.get\("Content-Type"\).*\.to\.include\("([^"]+)"\)'
    r'|headers\.has\("Content-Type"\)\)\.to\.be\.false'
)
VARIABLE = re.compile(r"\{\{(\w+)\}\}")


@pytest.fixture
def document(container: Container) -> dict[str, Any]:
    return create_app(container, manage_container=False).openapi()


@pytest.fixture
def collection(document: dict[str, Any]) -> dict[str, Any]:
    return build_collection(
        document,
        base_url="http://127.0.0.1:3000",
        tenant="demo",
        email="admin@demo.rustok.dev",
        password="rustok-demo-admin",
    )


def _script(item: dict[str, Any]) -> str:
    [event] = item["event"]
    assert event["listen"] == "test"
    return "\n".join(event["script"]["exec"])


def _headers(item: dict[str, Any]) -> dict[str, str]:
    return {header["key"]: header["value"] for header in item["request"]["header"]}


def test_every_rest_operation_is_one_request(
    document: dict[str, Any], collection: dict[str, Any]
) -> None:
    operations = {operation["operationId"] for _, _, operation in rest_operations(document)}
    ids = [item["id"] for item in collection["item"]]

    assert collection["info"]["schema"] == COLLECTION_SCHEMA
    assert len(ids) == len(set(ids)) == len(operations) >= 35
    assert set(ids) == operations


def test_every_request_tests_a_documented_status_and_its_content_type(
    document: dict[str, Any], collection: dict[str, Any]
) -> None:
    operations = {
        operation["operationId"]: operation for _, _, operation in rest_operations(document)
    }
    untested = []
    for item in collection["item"]:
        script = _script(item)
        statuses = STATUS_TEST.findall(script)
        content_types = CONTENT_TYPE_TEST.findall(script)
        responses = operations[item["id"]]["responses"]
        if len(statuses) != 1 or statuses[0] not in responses or len(content_types) != 1:
            untested.append(item["id"])
            continue
        documented = [media.split(";")[0] for media in responses[statuses[0]].get("content", {})]
        if content_types[0] not in (documented or [""]):
            untested.append(f"{item['id']}: {content_types[0]!r} is not {documented}")

    assert untested == []


def test_the_run_logs_in_first_and_ends_the_session_last(collection: dict[str, Any]) -> None:
    items = collection["item"]
    login = items[0]
    variables = {v["key"]: v["value"] for v in collection["variable"]}

    assert set(variables) == {"baseUrl", "tenant", "token", "email", "password"}
    assert (variables["tenant"], variables["token"]) == ("demo", "")
    assert login["id"] == "auth_login"
    assert '"email": "{{email}}"' in login["request"]["body"]["raw"]
    assert '"password": "{{password}}"' in login["request"]["body"]["raw"]
    assert 'pm.collectionVariables.set("token", body["access_token"]);' in _script(login)
    assert [item["id"] for item in items[-len(SESSION_ENDING) :]] == list(SESSION_ENDING)


def test_requests_send_the_tenant_and_token_where_the_operation_needs_them(
    document: dict[str, Any], collection: dict[str, Any]
) -> None:
    operations = {
        operation["operationId"]: (path, operation)
        for path, _, operation in rest_operations(document)
    }
    wrong = []
    for item in collection["item"]:
        path, operation = operations[item["id"]]
        headers = _headers(item)
        wants_tenant = not path.startswith(("/api/health", "/metrics"))
        wants_token = "security" in operation
        if (headers.get("X-Tenant-ID") == "{{tenant}}") != wants_tenant:
            wrong.append(f"{item['id']}: X-Tenant-ID")
        if (headers.get("Authorization") == "Bearer {{token}}") != wants_token:
            wrong.append(f"{item['id']}: Authorization")

    assert wrong == []
    assert "security" in operations["rbac_create_role"][1]
    assert "security" not in operations["auth_login"][1]


def test_every_variable_is_set_before_a_request_uses_it(collection: dict[str, Any]) -> None:
    known = {variable["key"] for variable in collection["variable"]}
    unset = []
    for item in collection["item"]:
        used = VARIABLE.findall(
            item["request"]["url"]["raw"] + item["request"].get("body", {}).get("raw", "")
        )
        unset += [f"{item['id']}: {name}" for name in used if name not in known]
        known |= set(re.findall(r'collectionVariables\.set\("(\w+)"', _script(item)))

    assert unset == []
    assert (
        "{{role_id}}"
        in next(i for i in collection["item"] if i["id"] == "rbac_get_role")["request"]["url"][
            "raw"
        ]
    )
