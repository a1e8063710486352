"""GraphQL documents that ask for too much are refused with a code before they are validated."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from graphql import parse

from rustok.api.graphql.limits import Limits, check, field_costs
from rustok.api.graphql.schema import build_schema
from rustok.testing.factories import auth_headers, user_token

if TYPE_CHECKING:
    import httpx

    from rustok.bootstrap import Container
    from rustok.tenancy.schemas import TenantDetail


async def post(client: httpx.AsyncClient, query: str, headers: dict[str, str]) -> dict[str, Any]:
    response = await client.post("/api/graphql", json={"query": query}, headers=headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def refusal(body: dict[str, Any]) -> tuple[str, str]:
    assert body["data"] is None
    [error] = body["errors"]
    return error["extensions"]["code"], error["message"]


def fragment_fan_out(levels: int) -> str:
    """~1 KB for 24 levels: each fragment spreads the one below three times (3^24 fields)."""
    lines = ["fragment F0 on Query { apiVersion }"]
    lines += [
        f"fragment F{i} on Query {{ ...F{i - 1} ...F{i - 1} ...F{i - 1} }}"
        for i in range(1, levels + 1)
    ]
    lines.append(f"{{ ...F{levels} }}")
    return "\n".join(lines)


async def test_an_anonymous_fragment_fan_out_is_refused_not_expanded(
    client: httpx.AsyncClient,
) -> None:
    document = fragment_fan_out(24)

    code, message = refusal(await post(client, document, {}))

    assert len(document) < 1200
    assert code == "QUERY_TOO_COMPLEX"
    assert message == (
        "The query selects one field more than 20 times in one place "
        "(fragments and same-named fields merged)."
    )
    assert (await client.get("/api/health/live")).status_code == 200


async def test_830_aliased_database_reads_are_refused_before_any_runs(
    client: httpx.AsyncClient, container: Container, tenant: TenantDetail
) -> None:
    token = await user_token(client, container, tenant, email="jo@acme.test")
    document = "{ " + " ".join(f"m{i}: me {{ id }}" for i in range(830)) + " }"

    code, message = refusal(await post(client, document, auth_headers(tenant, token)))

    assert code == "QUERY_TOO_COMPLEX"
    assert message == (
        "The query costs more than 200 (an object 1, a field that reads the database 10, once "
        "per item of its list where it reads per item); ask for smaller pages."
    )


async def test_830_aliases_are_refused(client: httpx.AsyncClient) -> None:
    document = "{ " + " ".join(f"v{i}: apiVersion" for i in range(830)) + " }"

    code, message = refusal(await post(client, document, {}))

    assert code == "TOO_MANY_ALIASES"
    assert message == "The query uses more than 50 aliases once its fragments are expanded."


async def test_aliases_in_a_fragment_are_counted_at_each_spread(
    client: httpx.AsyncClient,
) -> None:
    aliases = " ".join(f"v{i}: apiVersion" for i in range(10))
    document = f"fragment A on Query {{ {aliases} }} {{ ...A ...A ...A ...A ...A ...A }}"

    code, message = refusal(await post(client, document, {}))

    assert code == "TOO_MANY_ALIASES"
    assert message == "The query uses more than 50 aliases once its fragments are expanded."


async def test_fields_nested_past_the_depth_limit_are_refused(client: httpx.AsyncClient) -> None:
    deep = "{ " + "a { " * 12 + "b" + " }" * 12 + " }"
    through_fragments = (
        "fragment Six on Query { " + "a { " * 6 + "b" + " }" * 6 + " } "
        "{ x { ...Six } y { " + "a { " * 6 + "...Six }" + " }" * 6 + " }"
    )

    deep_code, deep_message = refusal(await post(client, deep, {}))
    fragment_code, _ = refusal(await post(client, through_fragments, {}))

    assert deep_code == fragment_code == "QUERY_TOO_DEEP"
    assert deep_message == "The query nests fields more than 12 levels deep."


async def test_more_fields_than_the_limit_once_expanded_are_refused(
    client: httpx.AsyncClient,
) -> None:
    tenant_fields = " ".join(["id name slug defaultLocale"] * 20)  # 80 fields, each 20 times
    document = (
        "{ " + " ".join(f"t{i}: currentTenant {{ {tenant_fields} }}" for i in range(13)) + " }"
    )

    code, message = refusal(await post(client, document, {}))

    assert code == "QUERY_TOO_LARGE"
    assert message == ("The query selects more than 1000 fields once its fragments are expanded.")


async def test_one_object_selected_more_times_than_the_limit_is_refused(
    client: httpx.AsyncClient,
) -> None:
    # graphql-core compares same-named fields pairwise, their selections included.
    document = "{ currentTenant { " + "locales { locale } " * 21 + "} }"

    code, _ = refusal(await post(client, document, {}))

    assert code == "QUERY_TOO_COMPLEX"


async def test_fields_that_read_the_database_cost_more(
    client: httpx.AsyncClient, container: Container, tenant: TenantDetail
) -> None:
    token = await user_token(client, container, tenant, email="jo@acme.test")
    headers = auth_headers(tenant, token)

    def users(count: int) -> str:
        return "{ " + " ".join(f"m{i}: me {{ email }}" for i in range(count)) + " }"

    allowed = await post(client, users(20), headers)
    code, message = refusal(await post(client, users(21), headers))

    assert [user["email"] for user in allowed["data"].values()] == ["jo@acme.test"] * 20
    assert code == "QUERY_TOO_COMPLEX"
    assert message == (
        "The query costs more than 200 (an object 1, a field that reads the database 10, once "
        "per item of its list where it reads per item); ask for smaller pages."
    )


async def test_a_fragment_cycle_is_refused_by_name(client: httpx.AsyncClient) -> None:
    document = "fragment A on Query { apiVersion ...B } fragment B on Query { ...A } { ...A }"

    code, message = refusal(await post(client, document, {}))

    assert code == "GRAPHQL_VALIDATION_FAILED"
    assert message == "Cannot spread fragment 'A' within itself via 'B'."


async def test_a_long_fragment_chain_is_refused_not_a_crash(client: httpx.AsyncClient) -> None:
    links = 600  # each fragment spreads the next: deeper than the interpreter's stack
    document = " ".join(f"fragment F{i} on Query {{ ...F{i + 1} }}" for i in range(links))
    document += f" fragment F{links} on Query {{ apiVersion }} {{ ...F0 }}"

    code, _ = refusal(await post(client, document, {}))

    assert code == "QUERY_TOO_DEEP"


async def test_more_tokens_than_the_limit_are_refused(client: httpx.AsyncClient) -> None:
    document = "{ apiVersion" + " __typename" * 5000 + " }"

    code, message = refusal(await post(client, document, {}))

    assert code == "QUERY_TOO_LARGE"
    assert message == "The query has more than 5000 tokens."


async def test_a_query_just_under_every_limit_runs(
    client: httpx.AsyncClient, tenant: TenantDetail
) -> None:
    versions = " ".join(f"v{i}: apiVersion" for i in range(50))  # 50 aliases
    tenants = "currentTenant { slug } " * 20  # one object 20 times
    deep = '__type(name: "Query") { name } '  # introspection, on outside production
    document = f"fragment T on Query {{ {tenants} }} {{ {versions} ...T {deep} }}"

    body = await post(client, document, auth_headers(tenant))

    assert "errors" not in body
    assert len(body["data"]) == 50 + 2
    assert body["data"]["currentTenant"] == {"slug": "acme"}


async def test_a_nul_in_the_document_or_the_variables_is_refused_before_any_field_runs(
    client: httpx.AsyncClient, tenant: TenantDetail
) -> None:
    # On PostgreSQL a NUL reaching a text argument was a 500 from the driver (nodeBySlug).
    headers = {"X-Tenant-ID": tenant.slug}
    by_slug = "query($slug: String!) { nodeBySlug(slug: $slug) { id } }"
    bodies = [
        {"query": '{ nodeBySlug(slug: "a\\u0000b") { id } }'},
        {"query": by_slug, "variables": {"slug": "a\x00b"}},
        {"query": '{ nodeBySlug(slug: "a\x00b") { id } }'},
    ]

    answers = [
        (await client.post("/api/graphql", json=body, headers=headers)).json() for body in bodies
    ]

    assert [(a["data"], a["errors"][0]["extensions"]) for a in answers] == [
        (None, {"code": "NUL_IN_REQUEST", "field": "query"}),
        (None, {"code": "NUL_IN_REQUEST", "field": "variables"}),
        (None, {"code": "NUL_IN_REQUEST", "field": "query"}),
    ]


POSTS_WITH_COMMENTS = (
    "query($posts: Int!, $comments: Int!) { posts(first: $posts) { edges { node { id "
    "comments(first: $comments) { items { id } } } } } }"
)


def test_a_field_read_once_per_parent_costs_once_per_item_of_its_list(
    container: Container,
) -> None:
    schema = build_schema(container.registry)._schema
    costs = field_costs(schema)
    limits = Limits.of(container.settings)

    def verdict(document: str, **variables: object) -> str | None:
        refused = check(schema, parse(document), costs=costs, limits=limits, variables=variables)
        return refused.code if refused is not None else None

    assert "Post.comments" in costs.per_parent
    assert "Post.author" in costs.io
    assert "Post.author" not in costs.per_parent
    # 20 posts, each reading its comments once: 20 reads of 11 and the page, over 200.
    assert verdict(POSTS_WITH_COMMENTS, posts=20, comments=5) == "QUERY_TOO_COMPLEX"
    assert verdict(POSTS_WITH_COMMENTS, posts=5, comments=20) is None
    literal = "{ posts(first: 20) { edges { node { id comments(first: 1) { items { id } } } } } }"
    assert verdict(literal) == "QUERY_TOO_COMPLEX"
    # A variable the request does not give counts as the largest page.
    assert verdict(POSTS_WITH_COMMENTS, comments=1) == "QUERY_TOO_COMPLEX"
    # Fields a loader batches cost once, however long the page.
    assert verdict("{ posts(first: 100) { edges { node { id author { name } } } } }") is None


async def test_a_page_of_posts_with_their_comments_past_the_cost_is_refused_over_http(
    client: httpx.AsyncClient, tenant: TenantDetail
) -> None:
    response = await client.post(
        "/api/graphql",
        json={"query": POSTS_WITH_COMMENTS, "variables": {"posts": 100, "comments": 100}},
        headers=auth_headers(tenant),
    )

    code, message = refusal(response.json())
    assert code == "QUERY_TOO_COMPLEX"
    assert message.endswith("ask for smaller pages.")
