"""Access and refresh tokens, password hashing and input rules: unit level and over HTTP."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import jwt
import pytest
from argon2 import PasswordHasher

from rustok.auth.errors import TokenExpired, TokenInvalid
from rustok.auth.passwords import Passwords
from rustok.auth.schemas import check_password, normalise_email
from rustok.auth.tokens import (
    REQUIRED_CLAIMS,
    AccessTokens,
    hash_refresh_token,
    new_refresh_token,
)
from rustok.core.clock import utcnow
from rustok.core.settings import Settings
from rustok.testing.factories import auth_headers, login, make_user

if TYPE_CHECKING:
    import httpx

    from rustok.bootstrap import Container
    from rustok.tenancy.schemas import TenantDetail

SECRET = "unit-test-secret-0123456789-0123456789"
OTHER_SECRET = "another-secret-9876543210-9876543210-xyz"
USER_ID = uuid.UUID("01890000-0000-7000-8000-000000000001")
TENANT_ID = uuid.UUID("01890000-0000-7000-8000-000000000002")
SESSION_ID = uuid.UUID("01890000-0000-7000-8000-000000000003")


def unit_settings(**overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "env": "test",
        "jwt_secret": SECRET,
        "argon2_time_cost": 1,
        "argon2_memory_kib": 64,
        "argon2_parallelism": 1,
    }
    values.update(overrides)
    return Settings(**values)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def forge(alg: str, claims: dict[str, Any], secret: str, digest: str = "sha256") -> str:
    """A JWT whose header names `alg`, HMAC-signed with `secret` and `digest` whatever `alg` says.

    Built by hand because PyJWT refuses HS512 with a secret shorter than 64 bytes.
    """
    header = {"alg": alg, "typ": "JWT"}
    signing_input = f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(claims).encode())}"
    signature = hmac.new(secret.encode(), signing_input.encode(), digest).digest()
    return f"{signing_input}.{_b64(signature)}"


def valid_claims(
    *,
    user_id: uuid.UUID = USER_ID,
    tenant_id: uuid.UUID = TENANT_ID,
    session_id: uuid.UUID = SESSION_ID,
    **overrides: Any,
) -> dict[str, Any]:
    now = int(utcnow().timestamp())
    claims: dict[str, Any] = {
        "sub": str(user_id),
        "tenant_id": str(tenant_id),
        "session_id": str(session_id),
        "roles": ["customer"],
        "iat": now,
        "exp": now + 900,
        "iss": "rustok",
        "aud": "rustok-api",
        "jti": uuid.uuid4().hex,
    }
    claims.update(overrides)
    return claims


TokenMaker = Callable[[dict[str, Any], str], str]


def _signed(**changes: Any) -> TokenMaker:
    """A correctly HS256-signed token whose claims differ by `changes` (None drops a claim)."""

    def make(claims: dict[str, Any], secret: str) -> str:
        changed = {**claims, **changes}
        return jwt.encode(
            {key: value for key, value in changed.items() if value is not None},
            secret,
            algorithm="HS256",
        )

    return make


# Each maker gets the valid claims of a real session and the secret the service trusts, and
# returns a token that must be refused for exactly one flaw.
BAD_TOKENS: dict[str, TokenMaker] = {
    "garbage": lambda _claims, _secret: "not-a-token",
    "three garbage segments": lambda _claims, _secret: "a.b.c",
    "wrong signature": lambda claims, _secret: jwt.encode(claims, OTHER_SECRET, algorithm="HS256"),
    "alg none": lambda claims, _secret: jwt.encode(claims, None, algorithm="none"),
    "HS512 with the right secret": lambda claims, secret: forge("HS512", claims, secret, "sha512"),
    "RS256 header": lambda claims, secret: forge("RS256", claims, secret),
    "wrong audience": _signed(aud="someone-else"),
    "wrong issuer": _signed(iss="evil"),
    "roles not a list": _signed(roles="admin"),
    "roles not strings": _signed(roles=[1, 2]),
    "session id not a uuid": _signed(session_id="abc"),
    "tenant id not a uuid": _signed(tenant_id=7),
    "sub not a uuid": _signed(sub="root"),
    **{f"missing {claim}": _signed(**{claim: None}) for claim in REQUIRED_CLAIMS},
}


# --- access tokens -------------------------------------------------------------------------


def test_issued_token_round_trips() -> None:
    tokens = AccessTokens(unit_settings())

    token = tokens.issue(
        user_id=USER_ID, tenant_id=TENANT_ID, session_id=SESSION_ID, roles=["admin", "customer"]
    )
    claims = tokens.verify(token)

    assert claims.user_id == USER_ID
    assert claims.tenant_id == TENANT_ID
    assert claims.session_id == SESSION_ID
    assert claims.roles == ("admin", "customer")


def test_issued_token_is_hs256_with_every_claim_and_the_configured_ttl() -> None:
    tokens = AccessTokens(unit_settings(access_token_ttl_seconds=600))

    token = tokens.issue(user_id=USER_ID, tenant_id=TENANT_ID, session_id=SESSION_ID, roles=[])

    assert jwt.get_unverified_header(token) == {"alg": "HS256", "typ": "JWT"}
    payload = jwt.decode(token, options={"verify_signature": False})
    assert set(payload) == set(REQUIRED_CLAIMS)
    assert payload["exp"] - payload["iat"] == 600
    assert (payload["iss"], payload["aud"]) == ("rustok", "rustok-api")


def test_every_token_has_its_own_id() -> None:
    tokens = AccessTokens(unit_settings())

    issued = [
        tokens.issue(user_id=USER_ID, tenant_id=TENANT_ID, session_id=SESSION_ID, roles=[])
        for _ in range(3)
    ]

    assert len({tokens.verify(token).token_id for token in issued}) == 3


def test_expired_token_is_refused_as_expired() -> None:
    tokens = AccessTokens(unit_settings())
    past = int((utcnow() - timedelta(hours=2)).timestamp())
    token = jwt.encode(valid_claims(iat=past, exp=past + 900), SECRET, algorithm="HS256")

    with pytest.raises(TokenExpired) as caught:
        tokens.verify(token)

    assert caught.value.code == "TOKEN_EXPIRED"


def test_a_token_verified_before_is_refused_once_it_expires() -> None:
    now = [0.0]
    tokens = AccessTokens(unit_settings(access_token_ttl_seconds=600), clock=lambda: now[0])
    token = tokens.issue(user_id=USER_ID, tenant_id=TENANT_ID, session_id=SESSION_ID, roles=[])
    expires_at = jwt.decode(token, options={"verify_signature": False})["exp"]

    now[0] = expires_at - 0.5
    assert tokens.verify(token).user_id == USER_ID
    assert tokens.verify(token).user_id == USER_ID  # answered again from what was verified
    now[0] = expires_at
    with pytest.raises(TokenExpired):
        tokens.verify(token)


@pytest.mark.parametrize("make", BAD_TOKENS.values(), ids=BAD_TOKENS.keys())
def test_bad_token_is_refused_as_invalid(make: TokenMaker) -> None:
    tokens = AccessTokens(unit_settings())

    with pytest.raises(TokenInvalid) as caught:
        tokens.verify(make(valid_claims(), SECRET))

    assert caught.value.code == "TOKEN_INVALID"


def test_a_token_signed_for_other_settings_is_refused() -> None:
    issued = AccessTokens(unit_settings(jwt_audience="rustok-admin")).issue(
        user_id=USER_ID, tenant_id=TENANT_ID, session_id=SESSION_ID, roles=[]
    )

    with pytest.raises(TokenInvalid):
        AccessTokens(unit_settings()).verify(issued)


# --- refresh tokens ------------------------------------------------------------------------


def test_refresh_tokens_are_random_url_safe_and_stored_as_sha256() -> None:
    issued = {new_refresh_token() for _ in range(50)}

    assert len(issued) == 50
    token = issued.pop()
    assert len(token) == 43
    assert set(token) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    assert hash_refresh_token(token) == hashlib.sha256(token.encode()).hexdigest()


# --- passwords -----------------------------------------------------------------------------


async def test_password_hash_is_argon2id_with_the_configured_parameters() -> None:
    passwords = Passwords(unit_settings(argon2_time_cost=2, argon2_memory_kib=128))

    hashed = await passwords.hash("correct-horse")

    assert hashed.startswith("$argon2id$v=19$m=128,t=2,p=1$")
    assert "correct-horse" not in hashed


async def test_password_verifies_only_itself() -> None:
    passwords = Passwords(unit_settings())
    hashed = await passwords.hash("correct-horse")

    assert await passwords.verify(hashed, "correct-horse") is True
    assert await passwords.verify(hashed, "Correct-horse") is False
    assert await passwords.verify(hashed, "") is False


async def test_same_password_gets_a_fresh_salt_each_time() -> None:
    passwords = Passwords(unit_settings())

    assert await passwords.hash("correct-horse") != await passwords.hash("correct-horse")


@pytest.mark.parametrize("stored", ["", "plain-text", "$argon2id$v=19$m=64,t=1,p=1$broken"])
async def test_malformed_stored_hash_never_verifies(stored: str) -> None:
    passwords = Passwords(unit_settings())

    assert await passwords.verify(stored, "plain-text") is False
    assert passwords.needs_rehash(stored) is True


async def test_hash_needs_rehash_only_when_parameters_changed() -> None:
    hashed = await Passwords(unit_settings(argon2_time_cost=1)).hash("correct-horse")

    assert Passwords(unit_settings(argon2_time_cost=1)).needs_rehash(hashed) is False
    assert Passwords(unit_settings(argon2_time_cost=2)).needs_rehash(hashed) is True
    assert Passwords(unit_settings(argon2_memory_kib=128)).needs_rehash(hashed) is True


async def test_dummy_verification_runs_a_real_verification_at_the_configured_cost(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    passwords = Passwords(unit_settings(argon2_time_cost=2, argon2_memory_kib=128))
    verified: list[tuple[str, str]] = []
    real_verify = PasswordHasher.verify

    def recording_verify(hasher: PasswordHasher, password_hash: str, password: str) -> bool:
        verified.append((password_hash, password))
        return real_verify(hasher, password_hash, password)

    monkeypatch.setattr(PasswordHasher, "verify", recording_verify)

    results = [await passwords.verify_dummy("whatever"), await passwords.verify_dummy("")]

    # One argon2id verification per call, against one hash made with the same parameters as
    # stored ones, so an unknown e-mail costs what a known one does; nothing is raised.
    assert results == [None, None]
    assert [password for _, password in verified] == ["whatever", ""]
    assert verified[0][0] == verified[1][0]
    assert verified[0][0].startswith("$argon2id$v=19$m=128,t=2,p=1$")


# --- input rules ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("ada@example.com", "ada@example.com"),
        ("  Ada.Lovelace@Example.COM ", "ada.lovelace@example.com"),
        ("o'brien+shop@mail.example.co.uk", "o'brien+shop@mail.example.co.uk"),
        ("x@a-b.io", "x@a-b.io"),
    ],
)
def test_email_is_trimmed_and_lower_cased(given: str, stored: str) -> None:
    assert normalise_email(given) == stored


@pytest.mark.parametrize(
    "given",
    [
        "",
        "ada",
        "ada@",
        "@example.com",
        "ada@example",
        "ada@@example.com",
        "ada@exa mple.com",
        "ada lovelace@example.com",
        ".ada@example.com",
        "ada.@example.com",
        "a..da@example.com",
        "ada@-example.com",
        "ada@example-.com",
        "ada@example..com",
        "ädä@example.com",
        "ada@exämple.com",
        "ada@exam\nple.com",
        "\u212aelvin@example.com",
        "a" * 65 + "@example.com",
        "ada@" + "a" * 64 + ".com",
    ],
)
def test_malformed_email_is_refused(given: str) -> None:
    with pytest.raises(ValueError, match=r"must|part before"):
        normalise_email(given)


def test_email_may_be_320_characters_long_but_no_longer() -> None:
    longest = "a" * 64 + "@" + ".".join(["b" * 63, "c" * 63, "d" * 63, "e" * 63])
    too_long = "a" * 64 + "@" + ".".join(["b" * 63, "c" * 63, "d" * 63, "e" * 62, "f"])

    assert (len(longest), len(too_long)) == (320, 321)
    assert normalise_email(longest) == longest
    with pytest.raises(ValueError, match="at most 320 characters"):
        normalise_email(too_long)


@pytest.mark.parametrize("length", [8, 9, 127, 128])
def test_password_policy_accepts_8_to_128_characters(length: int) -> None:
    assert check_password("p" * length) == "p" * length


@pytest.mark.parametrize("password", ["", "p" * 7, "p" * 129, "\ud800" * 8])
def test_password_policy_refuses_the_rest(password: str) -> None:
    with pytest.raises(ValueError, match="must be"):
        check_password(password)


# --- over HTTP ------------------------------------------------------------------------------


async def _logged_in(
    client: httpx.AsyncClient, container: Container, tenant: TenantDetail
) -> dict[str, Any]:
    user = await make_user(container, tenant, email="ada@example.com")
    body = await login(client, tenant, "ada@example.com")
    claims = jwt.decode(body["access_token"], options={"verify_signature": False})
    return valid_claims(
        user_id=user.id,
        tenant_id=tenant.id,
        session_id=uuid.UUID(claims["session_id"]),
    )


async def test_genuine_token_opens_the_door(
    client: httpx.AsyncClient, container: Container, tenant: TenantDetail
) -> None:
    claims = await _logged_in(client, container, tenant)
    token = jwt.encode(claims, container.settings.jwt_secret, algorithm="HS256")

    response = await client.get("/api/auth/me", headers=auth_headers(tenant, token))

    assert response.status_code == 200
    assert response.json()["email"] == "ada@example.com"


@pytest.mark.parametrize("make", BAD_TOKENS.values(), ids=BAD_TOKENS.keys())
async def test_bad_token_is_401_token_invalid(
    client: httpx.AsyncClient,
    container: Container,
    tenant: TenantDetail,
    make: TokenMaker,
) -> None:
    claims = await _logged_in(client, container, tenant)
    token = make(claims, container.settings.jwt_secret)

    response = await client.get("/api/auth/me", headers=auth_headers(tenant, token))

    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.json()["code"] == "TOKEN_INVALID"


async def test_expired_token_is_401_token_expired(
    client: httpx.AsyncClient, container: Container, tenant: TenantDetail
) -> None:
    claims = await _logged_in(client, container, tenant)
    past = int((utcnow() - timedelta(hours=1)).timestamp())
    token = jwt.encode(
        {**claims, "iat": past - 900, "exp": past},
        container.settings.jwt_secret,
        algorithm="HS256",
    )

    response = await client.get("/api/auth/me", headers=auth_headers(tenant, token))

    assert response.status_code == 401
    assert response.json()["code"] == "TOKEN_EXPIRED"


@pytest.mark.parametrize(
    ("header", "code"),
    [
        ("Basic YWRhOnNlY3JldA==", "INVALID_AUTHORIZATION_HEADER"),
        ("Bearer", "INVALID_AUTHORIZATION_HEADER"),
        ("Bearer    ", "INVALID_AUTHORIZATION_HEADER"),
        ("Bearer not.a.jwt", "TOKEN_INVALID"),
    ],
)
async def test_malformed_authorization_header_is_401(
    client: httpx.AsyncClient, tenant: TenantDetail, header: str, code: str
) -> None:
    response = await client.get(
        "/api/auth/me", headers={**auth_headers(tenant), "Authorization": header}
    )

    assert response.status_code == 401
    assert response.json()["code"] == code
