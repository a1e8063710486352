"""Property tests: whatever a client sends to auth, the answer is a clear 2xx/4xx, never a 500."""

from __future__ import annotations

import itertools
import json
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rustok.auth.errors import TokenExpired, TokenInvalid
from rustok.auth.schemas import EMAIL_MAX_LENGTH, normalise_email
from rustok.auth.tokens import AccessTokens
from rustok.core.settings import Settings
from rustok.testing.factories import DEFAULT_PASSWORD, auth_headers, login, make_user

if TYPE_CHECKING:
    import httpx

    from rustok.bootstrap import Container
    from rustok.tenancy.schemas import TenantDetail

EMAIL = "ada@example.com"
SERIAL = itertools.count()

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=50),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=12,
)
passwords = st.text(max_size=140) | st.just(DEFAULT_PASSWORD)
emails = st.emails() | st.text(max_size=60) | st.just(EMAIL) | st.just(EMAIL.upper())
register_bodies = json_values | st.fixed_dictionaries(
    {"email": emails, "password": passwords}, optional={"name": json_values}
)
login_bodies = json_values | st.fixed_dictionaries({"email": emails, "password": passwords})

http_examples = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


async def post_json(
    client: httpx.AsyncClient, path: str, body: Any, headers: dict[str, str]
) -> httpx.Response:
    # Serialised here, not by httpx: JSON escapes lone surrogates, which httpx cannot encode.
    return await client.post(
        path,
        content=json.dumps(body),
        headers={**headers, "Content-Type": "application/json"},
    )


def assert_clear_answer(response: httpx.Response, allowed: set[int]) -> None:
    assert response.status_code in allowed, response.text
    if response.status_code >= 400:
        assert response.headers["content-type"] == "application/problem+json"
        body = response.json()
        assert isinstance(body["code"], str)
        assert body["status"] == response.status_code


@pytest.fixture
async def known_user(container: Container, tenant: TenantDetail) -> None:
    await make_user(container, tenant, email=EMAIL)


@http_examples
@given(body=register_bodies)
async def test_register_never_fails_with_a_server_error(
    unlimited_client: httpx.AsyncClient, tenant: TenantDetail, known_user: None, body: Any
) -> None:
    response = await post_json(unlimited_client, "/api/auth/register", body, auth_headers(tenant))

    assert_clear_answer(response, {201, 409, 422})


@http_examples
@given(body=login_bodies)
async def test_login_never_fails_with_a_server_error(
    unlimited_client: httpx.AsyncClient, tenant: TenantDetail, known_user: None, body: Any
) -> None:
    response = await post_json(unlimited_client, "/api/auth/login", body, auth_headers(tenant))

    assert_clear_answer(response, {200, 401, 422})


@http_examples
@given(body=json_values | st.fixed_dictionaries({"refresh_token": st.text(max_size=300)}))
async def test_refresh_never_fails_with_a_server_error(
    unlimited_client: httpx.AsyncClient, tenant: TenantDetail, body: Any
) -> None:
    response = await post_json(unlimited_client, "/api/auth/refresh", body, auth_headers(tenant))

    assert_clear_answer(response, {401, 422})


@http_examples
@given(raw=st.binary(max_size=200))
async def test_arbitrary_bytes_are_refused_cleanly(
    unlimited_client: httpx.AsyncClient, tenant: TenantDetail, raw: bytes
) -> None:
    response = await unlimited_client.post(
        "/api/auth/login",
        content=raw,
        headers={**auth_headers(tenant), "Content-Type": "application/json"},
    )

    assert_clear_answer(response, {400, 422})


@http_examples
@given(
    header=st.text(
        alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E), min_size=1, max_size=300
    )
)
async def test_any_authorization_header_is_refused_with_401(
    unlimited_client: httpx.AsyncClient, tenant: TenantDetail, header: str
) -> None:
    response = await unlimited_client.get(
        "/api/auth/me", headers={**auth_headers(tenant), "Authorization": header}
    )

    assert_clear_answer(response, {401})


@http_examples
@given(
    body=json_values
    | st.fixed_dictionaries({"current_password": passwords, "new_password": passwords})
)
async def test_change_password_never_fails_with_a_server_error(
    unlimited_client: httpx.AsyncClient, container: Container, tenant: TenantDetail, body: Any
) -> None:
    # A fresh user per example: a successful change must not spoil the next example's login.
    email = f"user-{next(SERIAL)}@example.com"
    await make_user(container, tenant, email=email)
    tokens = await login(unlimited_client, tenant, email)

    response = await post_json(
        unlimited_client,
        "/api/auth/change-password",
        body,
        auth_headers(tenant, tokens["access_token"]),
    )

    assert_clear_answer(response, {204, 422})


# --- pure functions ------------------------------------------------------------------------


@given(text=st.text(max_size=400))
def test_email_normalisation_is_total_and_idempotent(text: str) -> None:
    try:
        email = normalise_email(text)
    except ValueError:
        return
    assert email == email.lower() == normalise_email(email)
    assert len(email) <= EMAIL_MAX_LENGTH
    assert email.isascii()


@given(email=st.emails())
def test_ordinary_email_addresses_are_accepted(email: str) -> None:
    assert normalise_email(email) == email.lower()


@given(token=st.text(max_size=400) | st.binary(max_size=200).map(lambda raw: raw.hex()))
def test_verifying_any_string_raises_only_token_errors(token: str) -> None:
    tokens = AccessTokens(Settings(env="test", jwt_secret="x" * 40))

    with pytest.raises((TokenInvalid, TokenExpired)):
        tokens.verify(token)
