"""GraphQL over HTTP: a request that cannot run is a 4xx of JSON GraphQL errors with a code."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from rustok.core.settings import Environment

if TYPE_CHECKING:
    from collections.abc import Callable
    from contextlib import AbstractAsyncContextManager

    import httpx

    MakeClient = Callable[..., AbstractAsyncContextManager[httpx.AsyncClient]]

JSON = {"Content-Type": "application/json"}


def request_error(response: httpx.Response, status: int) -> tuple[str, str]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    body: dict[str, Any] = response.json()
    assert set(body) == {"errors"}
    [error] = body["errors"]
    assert error["extensions"]["request_id"] == response.headers["x-request-id"]
    return error["extensions"]["code"], error["message"]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b'"x"', "A GraphQL request (and its variables) is a JSON object; got a string."),
        (b"null", "A GraphQL request (and its variables) is a JSON object; got null."),
        (b"42", "A GraphQL request (and its variables) is a JSON object; got a number."),
    ],
)
async def test_a_json_body_that_is_not_an_object_is_a_400(
    client: httpx.AsyncClient, body: bytes, message: str
) -> None:
    response = await client.post("/api/graphql", content=body, headers=JSON)

    assert request_error(response, 400) == ("BAD_REQUEST", message)


@pytest.mark.parametrize(
    "body",
    [
        b"[" * 50_000,
        b'{"query": "{ apiVersion }", "variables": {"v": ' + b"[" * 50_000 + b"}}",
        b'{"query": ',
    ],
    ids=["nested-body", "nested-variables", "truncated"],
)
async def test_json_that_cannot_be_parsed_is_a_400(client: httpx.AsyncClient, body: bytes) -> None:
    response = await client.post("/api/graphql", content=body, headers=JSON)

    code, message = request_error(response, 400)
    assert code == "MALFORMED_JSON"
    assert message.startswith("The body is not valid JSON: ")


async def test_deeply_nested_variables_in_a_get_are_a_400(client: httpx.AsyncClient) -> None:
    response = await client.get(
        "/api/graphql", params={"query": "{ apiVersion }", "variables": "[" * 2_000}
    )

    assert request_error(response, 400)[0] == "MALFORMED_JSON"


async def test_a_body_that_is_not_json_is_a_415(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/graphql", content=b"{ apiVersion }", headers={"Content-Type": "text/plain"}
    )

    assert request_error(response, 415) == (
        "UNSUPPORTED_MEDIA_TYPE",
        "Send the GraphQL request as JSON (Content-Type: application/json), "
        "or a query as GET parameters.",
    )


async def test_a_batch_is_refused(client: httpx.AsyncClient) -> None:
    response = await client.post("/api/graphql", json=[{"query": "{ apiVersion }"}] * 2)

    assert request_error(response, 400) == (
        "BATCHING_NOT_SUPPORTED",
        "Send one operation per request: a JSON object, not an array.",
    )


async def test_a_request_without_a_query_is_a_400(client: httpx.AsyncClient) -> None:
    response = await client.post("/api/graphql", json={"variables": {}})

    assert request_error(response, 400) == (
        "QUERY_MISSING",
        'The request has no GraphQL query; send {"query": "..."}.',
    )


async def test_a_query_that_is_not_a_string_is_a_400(client: httpx.AsyncClient) -> None:
    response = await client.post("/api/graphql", json={"query": 42})

    assert request_error(response, 400)[0] == "BAD_REQUEST"


async def test_a_mutation_over_get_is_a_405_naming_post(client: httpx.AsyncClient) -> None:
    response = await client.get(
        "/api/graphql", params={"query": 'mutation { enableModule(slug: "blog") { slug } }'}
    )

    assert request_error(response, 405) == (
        "METHOD_NOT_ALLOWED",
        "Mutations need POST; GET runs queries only.",
    )
    assert response.headers["allow"] == "POST"


INTROSPECTION = "{ __schema { queryType { name } } }"
MISSPELT = "{ apiVersin }"


async def graphiql(client: httpx.AsyncClient) -> httpx.Response:
    return await client.get("/api/graphql", headers={"Accept": "text/html"})


async def test_outside_production_introspection_graphiql_and_suggestions_are_on(
    client: httpx.AsyncClient,
) -> None:
    introspection = await client.post("/api/graphql", json={"query": INTROSPECTION})
    misspelt = await client.post("/api/graphql", json={"query": MISSPELT})
    ide = await graphiql(client)

    assert introspection.json() == {"data": {"__schema": {"queryType": {"name": "Query"}}}}
    assert misspelt.json()["errors"][0]["message"] == (
        "Cannot query field 'apiVersin' on type 'Query'. Did you mean 'apiVersion'?"
    )
    assert ide.status_code == 200
    assert "graphiql" in ide.text.lower()


async def test_production_turns_introspection_graphiql_and_suggestions_off(
    make_client: MakeClient,
) -> None:
    async with make_client(env=Environment.PRODUCTION) as client:
        introspection = await client.post("/api/graphql", json={"query": INTROSPECTION})
        misspelt = await client.post("/api/graphql", json={"query": MISSPELT})
        ide = await graphiql(client)

    assert introspection.json()["data"] is None
    assert introspection.json()["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert "introspection" in introspection.json()["errors"][0]["message"]
    assert misspelt.json()["errors"][0]["message"] == (
        "Cannot query field 'apiVersin' on type 'Query'."
    )
    assert request_error(ide, 404)[0] == "NOT_FOUND"


async def test_production_can_turn_each_back_on(make_client: MakeClient) -> None:
    async with make_client(
        env=Environment.PRODUCTION,
        graphql_introspection=True,
        graphql_ide=True,
        graphql_suggestions=True,
    ) as client:
        introspection = await client.post("/api/graphql", json={"query": INTROSPECTION})
        misspelt = await client.post("/api/graphql", json={"query": MISSPELT})
        ide = await graphiql(client)

    assert introspection.json() == {"data": {"__schema": {"queryType": {"name": "Query"}}}}
    assert "Did you mean 'apiVersion'?" in misspelt.json()["errors"][0]["message"]
    assert ide.status_code == 200
