"""The auth service called directly: users, hashing, authentication and what it logs."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import jwt
import pytest
import structlog
from argon2 import PasswordHasher
from sqlalchemy import event, text, update

from rustok.auth.errors import (
    EmailTaken,
    InvalidCredentials,
    SessionExpired,
    SessionRevoked,
    TokenTenantMismatch,
    UserInactive,
)
from rustok.auth.models import AuthSession, RefreshToken, User
from rustok.auth.service import AuthService
from rustok.core.clock import utcnow
from rustok.core.errors import Invalid
from rustok.rbac.errors import RoleNotFound
from rustok.stores.sessions import SessionGenerations
from rustok.testing.factories import DEFAULT_PASSWORD
from rustok.testing.services import wait_until_async

if TYPE_CHECKING:
    from rustok.bootstrap import Container
    from rustok.core.tenant import TenantSnapshot
    from rustok.tenancy.schemas import TenantDetail
    from tests.auth.conftest import Db

EMAIL = "ada@example.com"


async def _login(container: Container, tenant: TenantDetail, **overrides: Any) -> Any:
    values: dict[str, Any] = {"tenant_id": tenant.id, "email": EMAIL, "password": DEFAULT_PASSWORD}
    values.update(overrides)
    return await container.auth.login(**values)


# --- creating users ------------------------------------------------------------------------


async def test_create_user_stores_a_lower_cased_email_hashed_password_and_roles(
    container: Container, tenant: TenantDetail, db: Db
) -> None:
    user = await container.auth.create_user(
        tenant_id=tenant.id,
        email="Ada@Example.com",
        password=DEFAULT_PASSWORD,
        name=" Ada Lovelace ",
        roles=("manager", "customer", "manager"),
    )

    assert user.email == EMAIL
    assert user.name == "Ada Lovelace"
    assert user.roles == ["customer", "manager"]
    assert (user.status, user.tenant_id, user.last_login_at) == ("active", tenant.id, None)
    row = await db.one(User)
    assert row.id == user.id
    assert row.password_hash.startswith("$argon2id$")
    assert DEFAULT_PASSWORD not in row.password_hash


async def test_create_user_with_a_taken_email_raises_and_writes_nothing(
    container: Container, tenant: TenantDetail, db: Db
) -> None:
    await container.auth.create_user(tenant_id=tenant.id, email=EMAIL, password=DEFAULT_PASSWORD)

    with pytest.raises(EmailTaken) as caught:
        await container.auth.create_user(
            tenant_id=tenant.id, email="ADA@example.com", password="other-password"
        )

    assert caught.value.code == "EMAIL_TAKEN"
    assert [field.field for field in caught.value.fields] == ["body.email"]
    assert await db.count(User) == 1


async def test_create_user_with_an_unknown_role_raises_and_writes_nothing(
    container: Container, tenant: TenantDetail, db: Db
) -> None:
    with pytest.raises(RoleNotFound):
        await container.auth.create_user(
            tenant_id=tenant.id, email=EMAIL, password=DEFAULT_PASSWORD, roles=("wizard",)
        )

    assert await db.count(User) == 0


@pytest.mark.parametrize(
    ("overrides", "fields"),
    [
        ({"email": "nope"}, ["body.email"]),
        ({"password": "short"}, ["body.password"]),
        ({"password": "p" * 129}, ["body.password"]),
        ({"name": "n" * 201}, ["body.name"]),
        ({"name": "bell\x07"}, ["body.name"]),
        ({"email": "nope", "name": "\x00"}, ["body.email", "body.name"]),
    ],
)
async def test_create_user_applies_the_input_rules(
    container: Container,
    tenant: TenantDetail,
    db: Db,
    overrides: dict[str, Any],
    fields: list[str],
) -> None:
    values: dict[str, Any] = {"tenant_id": tenant.id, "email": EMAIL, "password": DEFAULT_PASSWORD}
    values.update(overrides)

    with pytest.raises(Invalid) as caught:
        await container.auth.create_user(**values)

    assert caught.value.code == "VALIDATION_ERROR"
    assert [field.field for field in caught.value.fields] == fields
    assert await db.count(User) == 0


async def test_create_user_in_belongs_to_the_callers_unit_of_work(
    container: Container, tenant: TenantDetail, db: Db
) -> None:
    async with container.uow.platform() as uow:
        await container.auth.create_user_in(
            uow, tenant_id=tenant.id, email=EMAIL, password=DEFAULT_PASSWORD
        )
    assert await db.count(User) == 0

    async with container.uow.platform() as uow:
        user = await container.auth.create_user_in(
            uow, tenant_id=tenant.id, email=EMAIL, password=DEFAULT_PASSWORD, roles=("admin",)
        )
        await uow.commit()

    assert (await db.one(User)).id == user.id
    async with container.platform_sessions() as session:
        assert await container.roles.role_slugs_of(session, tenant.id, user.id) == ("admin",)


async def _waiting_on_a_lock(container: Container) -> bool:
    # Lock waits from pg_locks: the application's role may not read others' wait events.
    async with container.engine.connect() as connection:
        waiting = await connection.scalar(
            text(
                "SELECT count(*) FROM pg_locks AS l JOIN pg_stat_activity AS a ON a.pid = l.pid "
                "WHERE NOT l.granted AND a.datname = current_database()"
            )
        )
    return bool(waiting)


async def test_two_sign_ups_racing_for_one_email_create_one_user(
    container: Container, tenant: TenantDetail, db: Db, backend: str
) -> None:
    async with container.uow.platform() as uow:
        await container.auth.create_user_in(
            uow, tenant_id=tenant.id, email=EMAIL, password=DEFAULT_PASSWORD
        )
        racer = asyncio.create_task(
            container.auth.create_user(tenant_id=tenant.id, email=EMAIL, password="other-pass")
        )
        if backend == "postgres":
            # The racer checked before our commit, so it finds the e-mail free and its INSERT
            # waits on our uncommitted row; the unique constraint must turn that into EmailTaken.
            await wait_until_async(lambda: _waiting_on_a_lock(container), timeout=10)
        await uow.commit()

    with pytest.raises(EmailTaken):
        await racer
    assert await db.count(User) == 1


# --- login ---------------------------------------------------------------------------------


async def test_login_rehashes_a_password_hashed_with_old_parameters(
    container: Container, tenant: TenantDetail, db: Db
) -> None:
    stronger = container.settings.model_copy(update={"argon2_time_cost": 2})
    older = AuthService(
        stronger,
        container.uow,
        container.session_factory,
        container.roles,
        SessionGenerations(container.stores.generations),
    )
    await older.create_user(tenant_id=tenant.id, email=EMAIL, password=DEFAULT_PASSWORD)
    assert ",t=2," in (await db.one(User)).password_hash

    await _login(container, tenant)

    rehashed = (await db.one(User)).password_hash
    assert ",t=1," in rehashed
    await _login(container, tenant)
    assert (await db.one(User)).password_hash == rehashed


@pytest.fixture
def verifications(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Counts argon2 verifications, whoever runs them."""
    calls: list[str] = []
    original = PasswordHasher.verify

    def counting(self: PasswordHasher, hash: str | bytes, password: str | bytes) -> bool:
        calls.append("verify")
        return original(self, hash, password)

    monkeypatch.setattr(PasswordHasher, "verify", counting)
    return calls


async def test_unknown_email_costs_the_same_hashing_work_as_a_wrong_password(
    container: Container, tenant: TenantDetail, verifications: list[str]
) -> None:
    await container.auth.create_user(tenant_id=tenant.id, email=EMAIL, password=DEFAULT_PASSWORD)

    with pytest.raises(InvalidCredentials) as unknown:
        await _login(container, tenant, email="nobody@example.com", password="guess-1234")
    after_unknown = len(verifications)
    with pytest.raises(InvalidCredentials) as wrong:
        await _login(container, tenant, password="guess-1234")

    assert after_unknown == 1
    assert len(verifications) == 2
    assert (unknown.value.code, unknown.value.message) == (wrong.value.code, wrong.value.message)


async def test_login_with_a_malformed_email_fails_like_an_unknown_one(
    container: Container, tenant: TenantDetail, verifications: list[str]
) -> None:
    with pytest.raises(InvalidCredentials):
        await _login(container, tenant, email="not an email")

    assert verifications == ["verify"]


async def test_login_fails_when_the_password_changes_during_verification(
    container: Container, tenant: TenantDetail, db: Db, monkeypatch: pytest.MonkeyPatch
) -> None:
    await container.auth.create_user(tenant_id=tenant.id, email=EMAIL, password=DEFAULT_PASSWORD)
    original = PasswordHasher.verify

    def verify_then_change(self: PasswordHasher, hash: str | bytes, password: str | bytes) -> bool:
        result = original(self, hash, password)
        # A concurrent change-password lands between our check and our write.
        asyncio.run_coroutine_threadsafe(
            db.execute(update(User).values(password_hash="$argon2id$changed")), loop
        ).result()
        return result

    loop = asyncio.get_running_loop()
    monkeypatch.setattr(PasswordHasher, "verify", verify_then_change)

    with pytest.raises(InvalidCredentials):
        await _login(container, tenant)

    assert await db.count(AuthSession) == 0
    assert (await db.one(User)).last_login_at is None


# --- authenticate --------------------------------------------------------------------------


async def test_authenticate_answers_the_principal_with_roles_from_the_database(
    container: Container, tenant: TenantDetail, tenant_snapshot: TenantSnapshot
) -> None:
    user = await container.auth.create_user(
        tenant_id=tenant.id, email=EMAIL, password=DEFAULT_PASSWORD
    )
    tokens = await _login(container, tenant)
    await container.roles.set_user_roles(tenant.id, user.id, ["admin", "manager"], caller_id=None)

    principal = await container.auth.authenticate(tokens.access_token, tenant_snapshot)

    assert principal.user_id == user.id
    assert principal.tenant_id == tenant.id
    assert principal.email == EMAIL
    assert principal.roles == ("admin", "manager")
    claims = jwt.decode(tokens.access_token, options={"verify_signature": False})
    assert str(principal.session_id) == claims["session_id"]
    assert claims["roles"] == ["customer"]


async def test_authenticate_reads_the_database_exactly_once(
    container: Container, tenant: TenantDetail, tenant_snapshot: TenantSnapshot, backend: str
) -> None:
    user = await container.auth.create_user(
        tenant_id=tenant.id, email=EMAIL, password=DEFAULT_PASSWORD, roles=("admin", "customer")
    )
    tokens = await _login(container, tenant)
    statements: list[str] = []
    this_task = asyncio.current_task()

    def record(*args: Any) -> None:
        # Only our own statements: background tasks of the container (the outbox relay) share
        # the engine and may query at any moment.
        if asyncio.current_task() is this_task:
            statements.append(args[2])

    event.listen(container.engine.sync_engine, "before_cursor_execute", record)
    try:
        principal = await container.auth.authenticate(tokens.access_token, tenant_snapshot)
    finally:
        event.remove(container.engine.sync_engine, "before_cursor_execute", record)

    queries = [s for s in statements if not s.lstrip().upper().startswith(("BEGIN", "ROLLBACK"))]
    # On PostgreSQL the transaction first sets its tenant wall (row-level security).
    walls = [q for q in queries if "set_config('rustok.tenant_id'" in q]
    assert len(walls) == (1 if backend == "postgres" else 0), queries
    assert len(queries) - len(walls) == 1, queries
    assert principal.user_id == user.id
    assert principal.roles == ("admin", "customer")


async def test_authenticate_refuses_a_token_of_another_tenant(
    container: Container, tenant: TenantDetail, other_snapshot: TenantSnapshot
) -> None:
    await container.auth.create_user(tenant_id=tenant.id, email=EMAIL, password=DEFAULT_PASSWORD)
    tokens = await _login(container, tenant)

    with pytest.raises(TokenTenantMismatch) as caught:
        await container.auth.authenticate(tokens.access_token, other_snapshot)

    assert caught.value.code == "TOKEN_TENANT_MISMATCH"
    assert EMAIL not in caught.value.message


@pytest.mark.parametrize(
    ("change", "error"),
    [
        (update(AuthSession).values(revoked_at=utcnow(), revoked_reason="logout"), SessionRevoked),
        (update(AuthSession).values(expires_at=utcnow() - timedelta(seconds=1)), SessionExpired),
        (update(User).values(status="inactive"), UserInactive),
    ],
)
async def test_authenticate_checks_session_and_user_state(
    container: Container,
    tenant: TenantDetail,
    tenant_snapshot: TenantSnapshot,
    db: Db,
    change: Any,
    error: type[Exception],
) -> None:
    await container.auth.create_user(tenant_id=tenant.id, email=EMAIL, password=DEFAULT_PASSWORD)
    tokens = await _login(container, tenant)
    await db.execute(change)

    with pytest.raises(error):
        await container.auth.authenticate(tokens.access_token, tenant_snapshot)


async def test_authenticate_of_a_deleted_user_is_session_revoked(
    container: Container, tenant: TenantDetail, tenant_snapshot: TenantSnapshot, db: Db
) -> None:
    await container.auth.create_user(tenant_id=tenant.id, email=EMAIL, password=DEFAULT_PASSWORD)
    tokens = await _login(container, tenant)
    async with container.platform_sessions() as session:
        await session.execute(text("DELETE FROM user_roles"))
        await session.execute(text("DELETE FROM users"))
        await session.commit()

    with pytest.raises(SessionRevoked):
        await container.auth.authenticate(tokens.access_token, tenant_snapshot)
    assert await db.count(AuthSession) == 0
    assert await db.count(RefreshToken) == 0


# --- peek_user_id --------------------------------------------------------------------------


async def test_peek_user_id_checks_the_token_but_not_the_database(
    container: Container, tenant: TenantDetail, other_tenant: TenantDetail, db: Db
) -> None:
    user = await container.auth.create_user(
        tenant_id=tenant.id, email=EMAIL, password=DEFAULT_PASSWORD
    )
    tokens = await _login(container, tenant)
    await db.execute(update(AuthSession).values(revoked_at=utcnow(), revoked_reason="logout"))
    claims = jwt.decode(tokens.access_token, options={"verify_signature": False})
    past = int((utcnow() - timedelta(hours=1)).timestamp())
    expired = jwt.encode(
        {**claims, "iat": past - 60, "exp": past}, container.settings.jwt_secret, "HS256"
    )

    assert container.auth.peek_user_id(tokens.access_token, tenant.id) == str(user.id)
    assert container.auth.peek_user_id(tokens.access_token, other_tenant.id) is None
    assert container.auth.peek_user_id(expired, tenant.id) is None
    assert container.auth.peek_user_id("garbage", tenant.id) is None


# --- logging -------------------------------------------------------------------------------


async def test_logs_name_what_happened_but_never_secrets(
    container: Container, tenant: TenantDetail, tenant_snapshot: TenantSnapshot
) -> None:
    secret_password = "hunter2-hunter2"
    new_password = "correct-horse-battery-staple"
    with structlog.testing.capture_logs() as logs:
        registered = await container.auth.register(
            tenant_id=tenant.id, email=EMAIL, password=secret_password
        )
        with pytest.raises(InvalidCredentials):
            await _login(container, tenant, password="wrong-password-1")
        with pytest.raises(InvalidCredentials):
            await _login(container, tenant, email="nobody@example.com")
        tokens = await _login(container, tenant, password=secret_password)
        refreshed = await container.auth.refresh(
            tenant_id=tenant.id, refresh_token=tokens.refresh_token
        )
        principal = await container.auth.authenticate(refreshed.access_token, tenant_snapshot)
        await container.auth.change_password(
            principal, current_password=secret_password, new_password=new_password
        )

    events = [entry["event"] for entry in logs if entry["event"].startswith("auth.")]
    assert events == [
        "auth.user_registered",
        "auth.login_failed",
        "auth.login_failed",
        "auth.login_succeeded",
        "auth.token_refreshed",
        "auth.password_changed",
    ]
    assert [entry.get("reason") for entry in logs if entry["event"] == "auth.login_failed"] == [
        "wrong_password",
        "unknown_email",
    ]
    everything = repr(logs)
    secrets = [
        secret_password,
        new_password,
        "wrong-password-1",
        registered.access_token,
        registered.refresh_token,
        tokens.access_token,
        tokens.refresh_token,
        refreshed.access_token,
        refreshed.refresh_token,
        EMAIL,
    ]
    assert [secret for secret in secrets if secret in everything] == []
