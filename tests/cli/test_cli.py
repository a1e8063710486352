"""The `rustok` command as a user runs it: exit codes and every output line.

Commands run in this process (`run_rustok`: the console script's Typer app with a clean
environment); the tests under "the console script" start the installed `rustok` as a process,
for what only a process shows: the entry point, `serve`, real exit statuses 0, 1 and 2.

Each test gets a fresh database: `database_url` (migrated, SQLite and PostgreSQL) or
`empty_database_url` (never migrated). Expected failures print an `error:` line, and a `next:`
hint when there is something to do, on standard error; never a traceback.
"""

from __future__ import annotations

import asyncio
import errno
import json
import re
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from rustok.auth.models import User
from rustok.core.db import write_transaction
from rustok.core.migrations import alembic_config
from rustok.events.dlq import DeadLetterFilter
from rustok.events.outbox import row_envelope
from rustok.tenancy.identifiers import SLUG_PATTERN
from rustok.tenancy.models import Tenant
from rustok.testing.app import client_for, running_container, settings_for_tests
from rustok.testing.events import outbox_rows
from rustok.testing.factories import make_tenant
from rustok.testing.services import need, postgres_url
from tests.cli.running import (
    Result,
    cli_environment,
    empty_postgres_database,
    run_rustok,
    run_rustok_process,
)

if TYPE_CHECKING:
    from collections.abc import Iterator


UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
POSTGRES_HINT = (
    "next: check that PostgreSQL is running and RUSTOK_DATABASE_URL is right "
    "(postgresql+asyncpg://user@host:5432/dbname), then run `rustok db migrate`"
)
SETTINGS_HINT = "next: fix the variables above (the README lists every RUSTOK_* setting)"
MIGRATE_HINT = "next: run `rustok db migrate` first"
DEMO_LINES = [
    "  admin e-mail:    admin@demo.rustok.dev",
    "  admin password:  rustok-demo-admin",
    "  send X-Tenant-ID: demo (or call http://localhost:3000, its domain)",
]


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config("sqlite+aiosqlite://")).get_current_head()
    assert head is not None
    return head


def table_rows(output: str) -> list[list[str]]:
    """The cells of every row of a rich table (header included), stripped."""
    return [
        [cell.strip() for cell in line.strip("│┃").split(line[0])]
        for line in output.splitlines()
        if line[:1] in {"│", "┃"}
    ]


def env_for(database_url: str, **settings: str) -> dict[str, str]:
    """The environment of a CLI call in a test: cheap password hashing, otherwise as shipped."""
    cheap = {"argon2_time_cost": "1", "argon2_memory_kib": "64", "argon2_parallelism": "1"}
    return cli_environment(database_url, **(cheap | settings))


async def row_counts(database_url: str) -> tuple[int, int]:
    """How many tenants and users the database holds."""
    engine = create_async_engine(database_url, poolclass=NullPool)
    try:
        async with engine.connect() as connection:
            tenants = await connection.scalar(select(func.count()).select_from(Tenant))
            users = await connection.scalar(select(func.count()).select_from(User))
    finally:
        await engine.dispose()
    return tenants or 0, users or 0


def assert_ok(result: Result) -> None:
    """Exit code 0 and no traceback (standard error may carry log lines)."""
    assert result.code == 0, result
    assert "Traceback" not in result.stderr, result.stderr


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database nobody has migrated: a new SQLite file, or a new PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'rustok.db'}"
        return
    need("PostgreSQL", postgres_url(), 5432)
    with empty_postgres_database(postgres_url()) as url:
        yield url


def _migrate(env: dict[str, str]) -> None:
    result = run_rustok("db", "migrate", env=env)
    assert (result.code, result.out_lines) == (0, [f"database at {head_revision()} (head)"])
    # Standard error holds only the progress line (its width is the terminal's, so not checked).
    assert re.fullmatch(r"(\S )?migrating \S+.*\n", result.stderr), result


# --- db ---------------------------------------------------------------------------------------


def test_migrate_an_empty_database_then_current_is_head(empty_database_url: str) -> None:
    env = env_for(empty_database_url)

    before = run_rustok("db", "current", env=env)
    _migrate(env)
    after = run_rustok("db", "current", env=env)

    assert (before.code, before.stdout, before.stderr) == (0, "base (not migrated)\n", "")
    assert (after.code, after.stdout, after.stderr) == (0, f"{head_revision()} (head)\n", "")


def test_downgrade_to_base_then_migrate_again(empty_database_url: str) -> None:
    env = env_for(empty_database_url)
    _migrate(env)

    down = run_rustok("db", "downgrade", "base", env=env)
    current = run_rustok("db", "current", env=env)

    assert (down.code, down.stdout, down.stderr) == (0, "database at base\n", "")
    assert (current.code, current.stdout, current.stderr) == (0, "base (not migrated)\n", "")
    _migrate(env)


def test_an_unmigrated_database_says_to_migrate(empty_database_url: str) -> None:
    result = run_rustok("tenant", "list", env=env_for(empty_database_url))

    missing = (
        "no such table: tenants"
        if empty_database_url.startswith("sqlite")
        else 'relation "tenants" does not exist'
    )
    assert (result.code, result.stdout) == (1, "")
    assert result.err_lines == [f"error: database: {missing}", MIGRATE_HINT]


# --- tenant -----------------------------------------------------------------------------------


def test_tenant_create_then_list_shows_every_tenant_in_full(database_url: str) -> None:
    env = env_for(database_url)

    acme = run_rustok(
        "tenant", "create", "--name", "Acme", "--slug", "acme", "--domain", "shop.acme.test",
        env=env,
    )  # fmt: skip
    globex = run_rustok("tenant", "create", "--name", "Globex", "--slug", "globex", env=env)
    listed = run_rustok("tenant", "list", env=env)

    assert_ok(acme)
    assert_ok(globex)
    acme_match = re.fullmatch(rf"created tenant acme \(({UUID})\)\n", acme.stdout)
    globex_match = re.fullmatch(rf"created tenant globex \(({UUID})\)\n", globex.stdout)
    assert acme_match is not None, acme.stdout
    assert globex_match is not None, globex.stdout
    assert_ok(listed)
    # Ids are what the admin API takes: the list must show them whole, even in a pipe.
    assert table_rows(listed.stdout) == [
        ["slug", "name", "domain", "active", "id"],
        ["acme", "Acme", "shop.acme.test", "True", acme_match.group(1)],
        ["globex", "Globex", "", "True", globex_match.group(1)],
    ]


async def test_a_taken_slug_is_one_line_and_exit_code_1(database_url: str) -> None:
    async with running_container(settings_for_tests(database_url)) as container:
        await make_tenant(container, slug="acme")

    result = await asyncio.to_thread(
        run_rustok, "tenant", "create", "--name", "Other", "--slug", "acme",
        env=env_for(database_url),
    )  # fmt: skip

    assert (result.code, result.stdout) == (1, "")
    assert result.err_lines == ["error: The slug 'acme' is taken. (slug: taken)"]
    assert await row_counts(database_url) == (1, 0)


def test_a_bad_slug_is_exit_code_2_naming_the_option(tmp_path: Path) -> None:
    env = env_for(f"sqlite+aiosqlite:///{tmp_path / 'never-created.db'}")

    result = run_rustok("tenant", "create", "--name", "Bad", "--slug", "Bad_Slug", env=env)

    assert (result.code, result.stdout) == (2, "")
    assert result.err_lines == [
        f"error: --slug: String should match pattern '{SLUG_PATTERN}'",
        "next: fix the options above",
    ]
    assert not (tmp_path / "never-created.db").exists()


# --- user -------------------------------------------------------------------------------------


async def test_user_create_with_roles(database_url: str) -> None:
    async with running_container(settings_for_tests(database_url)) as container:
        await make_tenant(container, slug="acme")

    result = await asyncio.to_thread(
        run_rustok, "user", "create", "--tenant", "acme", "--email", "ada@example.com",
        "--password", "correct-horse", "--role", "admin", "--role", "manager",
        env=env_for(database_url),
    )  # fmt: skip

    assert_ok(result)
    assert re.fullmatch(
        rf"created user ada@example\.com \({UUID}\) with roles admin, manager\n", result.stdout
    ), result.stdout
    async with (
        running_container(settings_for_tests(database_url)) as container,
        client_for(container) as client,
    ):
        login = await client.post(
            "/api/auth/login",
            json={"email": "ada@example.com", "password": "correct-horse"},
            headers={"X-Tenant-ID": "acme"},
        )
    assert login.status_code == 200, login.text
    assert login.json()["user"]["roles"] == ["admin", "manager"]


async def test_user_create_in_an_unknown_tenant_points_to_tenant_list(database_url: str) -> None:
    result = await asyncio.to_thread(
        run_rustok, "user", "create", "--tenant", "nope", "--email", "ada@example.com",
        "--password", "correct-horse", "--role", "admin",
        env=env_for(database_url),
    )  # fmt: skip

    assert (result.code, result.stdout) == (1, "")
    assert result.err_lines == ["error: No tenant 'nope'; see `rustok tenant list`."]
    assert await row_counts(database_url) == (0, 0)


async def test_user_create_with_an_unknown_role_is_refused(database_url: str) -> None:
    async with running_container(settings_for_tests(database_url)) as container:
        await make_tenant(container, slug="acme")

    result = await asyncio.to_thread(
        run_rustok, "user", "create", "--tenant", "acme", "--email", "ada@example.com",
        "--password", "correct-horse", "--role", "wizard",
        env=env_for(database_url),
    )  # fmt: skip

    assert (result.code, result.stdout) == (1, "")
    assert result.err_lines == [
        "error: No role wizard in this tenant. (roles: unknown role 'wizard')"
    ]
    assert await row_counts(database_url) == (1, 0)


# --- seed -------------------------------------------------------------------------------------


async def test_seed_demo_twice_then_the_demo_admin_logs_in(database_url: str) -> None:
    env = env_for(database_url)

    first = await asyncio.to_thread(run_rustok, "seed", "--demo", env=env)
    second = await asyncio.to_thread(run_rustok, "seed", "--demo", env=env)

    assert_ok(first)
    assert first.out_lines == ["demo tenant demo created", *DEMO_LINES]
    assert_ok(second)
    assert second.out_lines == ["demo tenant demo already there", *DEMO_LINES]
    async with (
        running_container(settings_for_tests(database_url)) as container,
        client_for(container) as client,
    ):
        login = await client.post(
            "/api/auth/login",
            json={"email": "admin@demo.rustok.dev", "password": "rustok-demo-admin"},
            headers={"X-Tenant-ID": "demo"},
        )
        tenants, total = await container.tenants.list_tenants(offset=0, limit=10)
    assert login.status_code == 200, login.text
    assert login.json()["user"]["roles"] == ["admin"]
    assert login.json()["user"]["is_platform_operator"] is True
    assert ([tenant.slug for tenant in tenants], total) == (["demo"], 1)


def test_seed_without_demo_says_what_to_pass(tmp_path: Path) -> None:
    result = run_rustok("seed", env=env_for(f"sqlite+aiosqlite:///{tmp_path / 'x.db'}"))

    assert (result.code, result.stdout) == (2, "")
    assert result.err_lines == ["error: nothing to seed", "next: pass --demo"]


# --- rbac, events, dlq -------------------------------------------------------------------------


# The committed docs are the reviewed record of the matrix and the catalog (tests/api/test_routes.py
# and tests/events/test_catalog.py keep them in step with the code), so they are what the CLI
# must print, and a few rows are spelled out by hand besides.
DOCS = Path(__file__).resolve().parents[2] / "docs"
KNOWN_MATRIX_ROWS = [
    ["GET", "/api/admin/roles", "roles:list", "Roles of this tenant"],
    ["POST", "/api/admin/tenants", "operator", "Create a tenant"],
    ["POST", "/api/auth/login", "public", "Log in with e-mail and password"],
]


def _committed_matrix() -> list[list[str]]:
    text = (DOCS / "permissions.md").read_text(encoding="utf-8")
    lines = text.partition("## Resources")[0].splitlines()  # the routes' table only
    table = [line for line in lines if line.startswith("| ") and not line.startswith("| Method")]
    return [[cell.strip().strip("`") for cell in line.strip("|").split(" | ")] for line in table]


def test_rbac_matrix_as_a_table(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'x.db'}"
    env = env_for(url) | {"COLUMNS": "250"}  # a wide terminal: nothing to truncate

    result = run_rustok("rbac", "matrix", env=env)

    assert_ok(result)
    rows = table_rows(result.stdout)
    assert rows[0] == ["method", "path", "requires", "what"]
    assert rows[1:] == _committed_matrix()
    assert all(row in rows for row in KNOWN_MATRIX_ROWS)


def test_rbac_matrix_as_markdown_to_stdout_and_to_a_file(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'x.db'}"
    env = env_for(url)
    target = tmp_path / "permissions.md"

    printed = run_rustok("rbac", "matrix", "--format", "markdown", env=env)
    written = run_rustok(
        "rbac", "matrix", "--format", "markdown", "--output", str(target), env=env, cwd=tmp_path
    )

    expected = (DOCS / "permissions.md").read_text(encoding="utf-8")
    assert_ok(printed)
    assert printed.stdout == expected
    assert "| POST | `/api/auth/login` | `public` | Log in with e-mail and password |" in expected
    assert_ok(written)
    assert written.out_lines == [f"wrote {target}"]
    assert target.read_text(encoding="utf-8") == expected


def test_rbac_matrix_with_an_unknown_format_is_exit_code_2(tmp_path: Path) -> None:
    env = env_for(f"sqlite+aiosqlite:///{tmp_path / 'x.db'}")

    result = run_rustok("rbac", "matrix", "--format", "nope", env=env)

    assert (result.code, result.stdout) == (2, "")
    assert result.err_lines == [
        "error: unknown format 'nope'",
        "next: use --format table or --format markdown",
    ]


def test_events_catalog_writes_the_catalog_asyncapi_and_readme(tmp_path: Path) -> None:
    target = tmp_path / "events"

    result = run_rustok(
        "events", "catalog", "--output", str(target),
        env=env_for(f"sqlite+aiosqlite:///{tmp_path / 'x.db'}"),
    )  # fmt: skip

    assert_ok(result)
    names = ["catalog.json", "asyncapi.json", "README.md"]
    assert result.out_lines == [f"wrote {target / name}" for name in names]
    assert sorted(path.name for path in target.iterdir()) == sorted(names)
    for name in names:
        assert (target / name).read_text(encoding="utf-8") == (DOCS / "events" / name).read_text(
            encoding="utf-8"
        )
    events = {
        e["event_type"]: e for e in json.loads((target / "catalog.json").read_text())["events"]
    }
    logged_in = events["auth.user.logged_in"]
    assert (logged_in["aggregate_type"], logged_in["schema_version"]) == ("user", 1)
    assert logged_in["payload_schema"]["required"] == ["user_id", "session_id"]
    assert json.loads((target / "asyncapi.json").read_text())["asyncapi"].startswith("3.")


def test_events_status_of_a_fresh_database(database_url: str) -> None:
    result = run_rustok("events", "status", env=env_for(database_url))

    assert_ok(result)
    assert result.out_lines[0] == "outbox pending: 0 (oldest 0.0s)   open dead letters: 0"
    assert table_rows(result.stdout) == [["consumer", "backlog", "dead letters"]]


def test_dlq_list_of_a_fresh_database_is_empty(database_url: str) -> None:
    result = run_rustok("dlq", "list", env=env_for(database_url))

    assert_ok(result)
    assert table_rows(result.stdout) == [
        ["id", "consumer", "event type", "reason", "error", "attempts", "status", "last failure"]
    ]
    assert result.out_lines[-1] == "0 of 0"


async def _dead_letters(database_url: str) -> dict[str, str]:
    """Two open dead letters of real events, one per built-in consumer: consumer -> id."""
    async with running_container(settings_for_tests(database_url)) as container:
        await make_tenant(container, slug="acme")  # emits tenancy.tenant.created, rbac.role.changed
        rows = {row.event_type: row for row in await outbox_rows(container)}
        letters = {
            "tenancy.cache_invalidation": row_envelope(rows["tenancy.tenant.created"]),
            "rbac.cache_invalidation": row_envelope(rows["rbac.role.changed"]),
        }
        async with write_transaction(container.platform_sessions) as session:
            for consumer, envelope in letters.items():
                await container.events.dead_letters.record(
                    session,
                    consumer=consumer,
                    envelope=envelope,
                    error=TimeoutError("cache server away"),
                    reason="max_attempts",
                    attempts=5,
                )
        items, _ = await container.events.dead_letters.list(DeadLetterFilter(status="open"))
    return {item.consumer: str(item.id) for item in items}


def _listed(env: dict[str, str], status: str) -> list[tuple[str, str]]:
    result = run_rustok("dlq", "list", "--status", status, env=env | {"COLUMNS": "250"})
    assert_ok(result)
    return [(row[0], row[1]) for row in table_rows(result.stdout)[1:]]


@pytest.mark.parametrize("action", ["replay", "discard"])
async def test_dlq_replay_and_discard_need_a_selection(database_url: str, action: str) -> None:
    ids = await _dead_letters(database_url)
    env = env_for(database_url)

    bare = await asyncio.to_thread(run_rustok, "dlq", action, env=env)
    both = await asyncio.to_thread(
        run_rustok, "dlq", action, ids["rbac.cache_invalidation"], "--all", env=env
    )

    assert (bare.code, bare.stdout) == (2, "")
    assert bare.err_lines == [
        f"error: say which dead letters to {action}",
        "next: pass an id, --consumer/--type/--tenant, or --all for every open one",
    ]
    assert (both.code, both.stdout) == (2, "")
    assert both.err_lines[0] == "error: a dead letter id and a selection were both given"
    assert sorted(await asyncio.to_thread(_listed, env, "open")) == sorted(
        (letter, consumer) for consumer, letter in ids.items()
    )


async def test_dlq_show_replay_by_id_and_discard_by_consumer(database_url: str) -> None:
    ids = await _dead_letters(database_url)
    env = env_for(database_url)
    tenancy, rbac = ids["tenancy.cache_invalidation"], ids["rbac.cache_invalidation"]

    shown = await asyncio.to_thread(run_rustok, "dlq", "show", tenancy, env=env)
    replayed = await asyncio.to_thread(run_rustok, "dlq", "replay", tenancy, env=env)
    again = await asyncio.to_thread(run_rustok, "dlq", "replay", tenancy, env=env)
    discarded = await asyncio.to_thread(
        run_rustok, "dlq", "discard", "--consumer", "rbac.cache_invalidation", env=env
    )

    assert_ok(shown)
    assert shown.out_lines[:3] == [
        "tenancy.tenant.created for tenancy.cache_invalidation: open",
        "reason: max_attempts  error: TimeoutError: cache server away",
        shown.out_lines[2],
    ]
    assert shown.out_lines[2].startswith("attempts: 5  first: ")
    assert '"event_type": "tenancy.tenant.created"' in shown.stdout
    assert_ok(replayed)
    assert replayed.out_lines == ["replayed 1"]
    assert again.code == 1
    assert again.out_lines == ["replayed 0"]
    assert again.err_lines == [f"{tenancy}: The dead letter is already replayed."]
    assert_ok(discarded)
    assert discarded.out_lines == ["discarded 1"]
    assert await asyncio.to_thread(_listed, env, "open") == []
    assert await asyncio.to_thread(_listed, env, "replayed") == [
        (tenancy, "tenancy.cache_invalidation")
    ]
    assert await asyncio.to_thread(_listed, env, "discarded") == [(rbac, "rbac.cache_invalidation")]


# --- the console script: a process each ---------------------------------------------------------


def test_the_console_script_lists_every_command_group() -> None:
    result = run_rustok_process("--help", env=cli_environment("sqlite+aiosqlite:///unused.db"))

    assert_ok(result)
    assert result.stderr == ""
    commands = {line.split()[1] for line in result.out_lines if line.startswith("│ ")}
    assert {"serve", "seed", "stack", "db", "tenant", "user", "rbac", "operator"} <= commands
    assert {"events", "dlq", "worker", "openapi"} <= commands


def test_an_invalid_environment_stops_serve_with_exit_code_2(tmp_path: Path) -> None:
    env = env_for(f"sqlite+aiosqlite:///{tmp_path / 'x.db'}", env="prod")

    result = run_rustok_process("serve", "--port", "1", env=env)

    assert (result.code, result.stdout) == (2, "")
    assert result.err_lines == [
        "error: invalid settings:",
        "  RUSTOK_ENV: Input should be 'development', 'test' or 'production'",
        SETTINGS_HINT,
    ]


def test_an_unreachable_postgresql_is_one_error_line_and_a_hint() -> None:
    env = env_for("postgresql+asyncpg://postgres@127.0.0.1:1/rustok", db_connect_timeout="2")

    result = run_rustok_process("tenant", "list", env=env)

    assert (result.code, result.stdout) == (1, "")
    assert result.err_lines == [
        f"error: database: [Errno {errno.ECONNREFUSED}] Connect call failed ('127.0.0.1', 1)",
        POSTGRES_HINT,
    ]


# --- settings -----------------------------------------------------------------------------------


def test_an_unsupported_database_url_stops_migrate_with_exit_code_2() -> None:
    result = run_rustok("db", "migrate", env=env_for("mysql://x"))

    assert (result.code, result.stdout) == (2, "")
    assert result.err_lines == [
        "error: invalid settings:",
        "  RUSTOK_DATABASE_URL: must start with sqlite+aiosqlite:// or postgresql+asyncpg:// "
        "(for example postgresql+asyncpg://user@127.0.0.1:5432/rustok)",
        SETTINGS_HINT,
    ]


# --- operators and tenant switches ------------------------------------------------------------


async def test_operators_are_made_listed_and_unmade_and_tenants_switched_by_the_cli(
    database_url: str,
) -> None:
    env = env_for(database_url)
    async with running_container(settings_for_tests(database_url)) as container:
        acme = await make_tenant(container, slug="acme")
        await container.auth.create_user(
            tenant_id=acme.id, email="ops@acme.test", password="a-long-secret", roles=["admin"]
        )

    def run(*args: str) -> Result:
        return run_rustok(*args, env=env)

    granted = await asyncio.to_thread(
        run, "operator", "grant", "--tenant", "acme", "--email", "ops@acme.test"
    )
    listed = await asyncio.to_thread(run, "operator", "list")
    unknown = await asyncio.to_thread(
        run, "operator", "grant", "--tenant", "acme", "--email", "x@acme.test"
    )
    revoked = await asyncio.to_thread(
        run, "operator", "revoke", "--tenant", "acme", "--email", "ops@acme.test"
    )
    deactivated = await asyncio.to_thread(run, "tenant", "deactivate", "acme")
    activated = await asyncio.to_thread(run, "tenant", "activate", "acme")
    missing = await asyncio.to_thread(run, "tenant", "activate", "nobody")

    assert_ok(granted)
    assert granted.out_lines == ["ops@acme.test of acme is now a platform operator"]
    rows = table_rows(listed.stdout)
    assert [row[:4] for row in rows[1:]] == [["acme", "ops@acme.test", "admin", "active"]]
    assert unknown.code == 1
    assert "No user 'x@acme.test' in this tenant." in unknown.stderr
    assert revoked.out_lines == ["ops@acme.test of acme is no longer a platform operator"]
    assert deactivated.out_lines == ["tenant acme is inactive"]
    assert activated.out_lines == ["tenant acme is active"]
    assert missing.code == 1
    assert "No tenant 'nobody'; see `rustok tenant list`." in missing.stderr
    async with running_container(settings_for_tests(database_url)) as container:
        assert await container.auth.list_platform_operators() == []
        assert (await container.tenants.get_tenant(acme.id)).is_active is True


def test_openapi_export_writes_the_document_and_its_postman_collection(tmp_path: Path) -> None:
    env = env_for(f"sqlite+aiosqlite:///{tmp_path / 'x.db'}") | {"RUSTOK_PORT": "8123"}
    document, collection = tmp_path / "openapi.json", tmp_path / "rustok.postman_collection.json"

    printed = run_rustok("openapi", "export", env=env)
    written = run_rustok(
        "openapi", "export", "--output", str(document), "--postman", str(collection), env=env
    )

    assert_ok(printed)
    assert_ok(written)
    assert json.loads(document.read_text(encoding="utf-8")) == json.loads(printed.stdout)
    operation = json.loads(printed.stdout)["paths"]["/api/admin/roles"]["post"]
    assert (operation["operationId"], operation["tags"]) == ("rbac_create_role", ["rbac"])
    items = json.loads(collection.read_text(encoding="utf-8"))["item"]
    assert written.err_lines == [f"wrote {document}", f"wrote {collection} ({len(items)} requests)"]
    assert items[0]["request"]["url"]["raw"] == "{{baseUrl}}/api/auth/login"
    variables = json.loads(collection.read_text(encoding="utf-8"))["variable"]
    assert {"key": "baseUrl", "value": "http://localhost:8123", "type": "string"} in variables
