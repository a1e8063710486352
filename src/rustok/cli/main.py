"""`rustok`: serve the platform, migrate, manage tenants and users, seed demo data."""

from __future__ import annotations

import asyncio
import sys
import uuid
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, ParamSpec, TypeVar

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import Progress, SpinnerColumn, TaskID, TextColumn
from rich.table import Table
from sqlalchemy.exc import DBAPIError, OperationalError

from rustok.cli.openapi import openapi_app
from rustok.cli.stack import stack as stack_command
from rustok.core.errors import DomainError
from rustok.core.settings import Settings, SettingsError, load_settings

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from rustok.bootstrap import Container

P = ParamSpec("P")
R = TypeVar("R")

app = typer.Typer(
    help="RusToK: multi-tenant headless platform for content and commerce.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="Database migrations.", no_args_is_help=True)
tenant_app = typer.Typer(help="Tenants.", no_args_is_help=True)
user_app = typer.Typer(help="Users.", no_args_is_help=True)
rbac_app = typer.Typer(help="Roles and permissions.", no_args_is_help=True)
operator_app = typer.Typer(
    help="Platform operators: the users who manage tenants.", no_args_is_help=True
)
events_app = typer.Typer(help="The event spine: catalog, outbox.", no_args_is_help=True)
dlq_app = typer.Typer(help="Dead letters: events a consumer gave up on.", no_args_is_help=True)
worker_app = typer.Typer(help="Background workers for distributed mode.", no_args_is_help=True)
app.add_typer(events_app, name="events")
app.add_typer(dlq_app, name="dlq")
app.add_typer(worker_app, name="worker")
app.add_typer(db_app, name="db")
app.add_typer(tenant_app, name="tenant")
app.add_typer(user_app, name="user")
app.add_typer(rbac_app, name="rbac")
app.add_typer(operator_app, name="operator")
app.add_typer(openapi_app, name="openapi")
app.command("stack")(stack_command)

# In a pipe, tables keep their natural width: nothing is cut to 80 columns.
out = Console(soft_wrap=True, width=None if sys.stdout.isatty() else 10_000)
err = Console(stderr=True, soft_wrap=True)


def fail(message: str, hint: str | None = None, code: int = 1) -> typer.Exit:
    err.print(f"[bold red]error:[/] {escape(message)}")
    if hint:
        err.print(f"[yellow]next:[/] {escape(hint)}")
    return typer.Exit(code)


JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


def print_json(data: object) -> None:
    """Machine-readable output for scripts (`--json`): one document on stdout."""
    import orjson

    sys.stdout.write(
        orjson.dumps(data, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS, default=str).decode()
        + "\n"
    )


def _database_hint(settings: Settings | None) -> str:
    if settings is None or settings.is_sqlite:
        return "check that the directory of RUSTOK_DATABASE_URL exists and is writable"
    return (
        "check that PostgreSQL is running and RUSTOK_DATABASE_URL is right "
        "(postgresql+asyncpg://user@host:5432/dbname), then run `rustok db migrate`"
    )


def _settings_or_none() -> Settings | None:
    try:
        return load_settings()
    except SettingsError:
        return None


def settings_or_exit() -> Settings:
    try:
        return load_settings()
    except SettingsError as error:
        raise fail(
            "invalid settings:\n  " + str(error).replace("\n", "\n  "),
            "fix the variables above (the README lists every RUSTOK_* setting)",
            code=2,
        ) from None


def friendly_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Turn expected failures into one line of what went wrong and what to do next."""

    @wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except DomainError as error:
            fields = "; ".join(
                f"{f.field.removeprefix('body.')}: {f.message}" for f in error.fields
            )
            raise fail(f"{error.message}" + (f" ({fields})" if fields else "")) from None
        except (OperationalError, DBAPIError, OSError) as error:
            reason = str(getattr(error, "orig", None) or error).splitlines()[0]
            missing_database = reason.startswith('database "') and "does not exist" in reason
            missing_table = "no such table" in reason or "does not exist" in reason
            if missing_database:
                hint = "create it first (createdb -h HOST -U USER NAME), then `rustok db migrate`"
            elif missing_table:
                hint = "run `rustok db migrate` first"
            else:
                hint = _database_hint(_settings_or_none())
            raise fail(f"database: {reason}", hint) from None

    return wrapper


def run_with_container(work: Callable[[Container], Awaitable[R]]) -> R:
    from rustok.bootstrap import build_container
    from rustok.observability.logging import configure_logging

    settings = settings_or_exit()
    configure_logging(settings, stream=sys.stderr)

    async def main() -> R:
        container = build_container(settings)
        try:
            return await work(container)
        finally:
            await container.close()

    return asyncio.run(main())


def _ensure_sqlite_directory(settings: Settings) -> None:
    if settings.is_sqlite and ":memory:" not in settings.database_url:
        path = settings.database_url.split(":///", 1)[1]
        Path(path).parent.mkdir(parents=True, exist_ok=True)


@app.command()
@friendly_errors
def serve(
    host: Annotated[str | None, typer.Option(help="Bind address [RUSTOK_HOST].")] = None,
    port: Annotated[int | None, typer.Option(help="Port [RUSTOK_PORT].")] = None,
    processes: Annotated[int, typer.Option(help="HTTP server processes.", min=1)] = 1,
    no_workers: Annotated[
        bool,
        typer.Option(
            "--no-workers",
            help="API only: run no outbox relay or consumer groups in this process "
            "(run `rustok worker relay` and `rustok worker dispatch` elsewhere).",
        ),
    ] = False,
) -> None:
    """Serve the HTTP API (REST, OpenAPI at /api/docs, /metrics, health probes)."""
    import os
    import signal

    import uvicorn

    if no_workers:
        os.environ["RUSTOK_EMBEDDED_WORKERS"] = "false"
    # uvicorn re-raises SIGTERM after its graceful shutdown; make that a clean exit.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    settings = settings_or_exit()
    if processes > 1 and not settings.redis_url:
        # In-process generations are not shared between processes: a logout served by one
        # must not leave the others answering from their cached sessions.
        os.environ["RUSTOK_AUTH_SESSION_CACHE_SECONDS"] = "0"
    from rustok.observability.logging import configure_logging

    configure_logging(settings)
    _ensure_sqlite_directory(settings)
    bind_host = host or settings.host
    bind_port = port or settings.port
    if settings.metrics_port is not None:
        if processes > 1:
            # Each process has its own registry, and only one can hold the port.
            raise fail(
                "RUSTOK_METRICS_PORT serves the metrics of one process",
                hint="use --processes 1 (scale out with replicas), or unset RUSTOK_METRICS_PORT",
            )
        from rustok.api.rest.metrics import serve_metrics_port

        try:
            serve_metrics_port(bind_host, settings.metrics_port, settings.metrics_token)
        except OSError as error:
            raise fail(
                f"cannot listen on {bind_host}:{settings.metrics_port} for metrics: {error}",
                hint="choose a free RUSTOK_METRICS_PORT",
            ) from None
        out.print(f"Metrics on http://{bind_host}:{settings.metrics_port}/metrics")
    out.print(f"RusToK serving on http://{bind_host}:{bind_port} (docs: /api/docs)")
    from rustok.api.server import LimitedHttpToolsProtocol

    uvicorn.run(
        "rustok.api.asgi:make_app",
        factory=True,
        host=bind_host,
        port=bind_port,
        workers=processes,
        loop="uvloop",
        http=LimitedHttpToolsProtocol,
        timeout_keep_alive=settings.keep_alive_timeout_seconds,
        log_config=None,
        access_log=False,
        proxy_headers=False,
    )


@db_app.command("migrate")
@friendly_errors
def db_migrate(
    revision: Annotated[str, typer.Argument(help="Target revision.")] = "head",
) -> None:
    """Apply migrations up to REVISION (default: the newest)."""
    from rustok.core import migrations

    settings = settings_or_exit()
    _ensure_sqlite_directory(settings)
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), console=err) as progress:
        progress.add_task(f"migrating {_redacted(settings.database_url)} to {revision}")
        asyncio.run(migrations.upgrade(settings.database_url, revision))
    out.print(f"database at {asyncio.run(migrations.current(settings.database_url)) or 'base'}")
    if revision == "head":
        changed = _sync_builtin_roles()
        if changed:
            out.print(f"built-in roles brought up to date in {changed} tenant(s)")


def _sync_builtin_roles() -> int:
    """Every tenant's built-in roles as this version defines them, with a progress bar."""
    progress = Progress(console=err, transient=True)
    tasks: list[TaskID] = []

    def advance(done: int, total: int) -> None:
        if total == 0:
            return  # no tenant yet (a fresh database): nothing to show
        if not tasks:
            progress.start()
            tasks.append(progress.add_task("built-in roles", total=total))
        progress.update(tasks[0], completed=done)

    try:
        return run_with_container(lambda c: c.roles.sync_builtin_roles(progress=advance))
    finally:
        if tasks:
            progress.stop()


@rbac_app.command("sync-roles")
@friendly_errors
def rbac_sync_roles() -> None:
    """Bring every tenant's built-in roles to what this version defines (`db migrate` does it)."""
    changed = _sync_builtin_roles()
    out.print(f"built-in roles brought up to date in {changed} tenant(s)")


@db_app.command("downgrade")
@friendly_errors
def db_downgrade(
    revision: Annotated[str, typer.Argument(help="Target revision, e.g. -1.")],
) -> None:
    """Revert migrations down to REVISION (`base` empties the schema)."""
    from rustok.core import migrations

    settings = settings_or_exit()
    asyncio.run(migrations.downgrade(settings.database_url, revision))
    out.print(f"database at {asyncio.run(migrations.current(settings.database_url)) or 'base'}")


@db_app.command("current")
@friendly_errors
def db_current() -> None:
    """Print the revision the database is at."""
    from rustok.core import migrations

    settings = settings_or_exit()
    out.print(asyncio.run(migrations.current(settings.database_url)) or "base (not migrated)")


def _redacted(url: str) -> str:
    if "@" not in url:
        return url
    scheme, rest = url.split("://", 1)
    credentials, host = rest.rsplit("@", 1)
    user = credentials.split(":", 1)[0]
    return f"{scheme}://{user}@{host}"


@tenant_app.command("create")
@friendly_errors
def tenant_create(
    name: Annotated[str, typer.Option(help="Display name.")],
    slug: Annotated[str, typer.Option(help="URL-safe identifier (a-z, 0-9, -).")],
    domain: Annotated[str | None, typer.Option(help="Host name that selects it.")] = None,
    locale: Annotated[str, typer.Option(help="Default locale.")] = "en",
) -> None:
    """Create a tenant with its default locale and built-in roles."""
    from pydantic import ValidationError

    from rustok.tenancy.schemas import TenantCreate

    try:
        data = TenantCreate(name=name, slug=slug, domain=domain, default_locale=locale)
    except ValidationError as error:
        problems = "; ".join(f"--{e['loc'][0]}: {e['msg']}" for e in error.errors())
        raise fail(problems, "fix the options above", code=2) from None
    tenant = run_with_container(lambda c: c.tenants.create_tenant(data))
    out.print(f"created tenant [bold]{tenant.slug}[/] ({tenant.id})")


@tenant_app.command("list")
@friendly_errors
def tenant_list(as_json: JsonOption = False) -> None:
    """List every tenant."""

    async def work(container: Container) -> list[Any]:
        items, _ = await container.tenants.list_tenants(offset=0, limit=1000)
        return items

    if as_json:
        print_json([tenant.model_dump(mode="json") for tenant in run_with_container(work)])
        return
    table = Table("slug", "name", "domain", "active", "id")
    for tenant in run_with_container(work):
        table.add_row(
            tenant.slug, tenant.name, tenant.domain or "", str(tenant.is_active), str(tenant.id)
        )
    out.print(table)


async def _tenant_id(container: Container, slug: str) -> uuid.UUID:
    from rustok.tenancy.errors import TenantNotFound
    from rustok.tenancy.repository import TenantRepository

    async with container.uow.platform() as uow:
        found = await TenantRepository(uow.session).get_by_slug(slug)
        if found is None:
            raise TenantNotFound(f"No tenant {slug!r}; see `rustok tenant list`.")
        return found.id


def _set_tenant_active(slug: str, *, active: bool) -> None:
    async def work(container: Container) -> Any:
        tenant_id = await _tenant_id(container, slug)
        return await container.tenants.set_active(tenant_id, active=active)

    tenant = run_with_container(work)
    out.print(f"tenant [bold]{tenant.slug}[/] is {'active' if tenant.is_active else 'inactive'}")


@tenant_app.command("activate")
@friendly_errors
def tenant_activate(slug: Annotated[str, typer.Argument(help="Tenant slug.")]) -> None:
    """Reactivate a tenant (its requests are served again)."""
    _set_tenant_active(slug, active=True)


@tenant_app.command("deactivate")
@friendly_errors
def tenant_deactivate(slug: Annotated[str, typer.Argument(help="Tenant slug.")]) -> None:
    """Deactivate a tenant (every request of it then gets 403 TENANT_INACTIVE)."""
    _set_tenant_active(slug, active=False)


@user_app.command("create")
@friendly_errors
def user_create(
    tenant: Annotated[str, typer.Option(help="Tenant slug.")],
    email: Annotated[str, typer.Option(help="E-mail (unique in the tenant).")],
    password: Annotated[str, typer.Option(help="Password (8-128 characters).")],
    role: Annotated[list[str] | None, typer.Option(help="Role slug; repeat for several.")] = None,
) -> None:
    """Create a user in a tenant with the given roles (default: customer)."""

    async def work(container: Container) -> Any:
        return await container.auth.create_user(
            tenant_id=await _tenant_id(container, tenant),
            email=email,
            password=password,
            roles=role or ("customer",),
        )

    user = run_with_container(work)
    out.print(f"created user [bold]{user.email}[/] ({user.id}) with roles {', '.join(user.roles)}")


def _set_operator(tenant: str, email: str, *, operator: bool) -> None:
    async def work(container: Container) -> Any:
        return await container.auth.set_platform_operator(
            tenant_id=await _tenant_id(container, tenant), email=email, operator=operator
        )

    user = run_with_container(work)
    state = "is now" if user.is_platform_operator else "is no longer"
    out.print(f"[bold]{user.email}[/] of {tenant} {state} a platform operator")


UserTenant = Annotated[str, typer.Option("--tenant", help="Slug of the tenant the user is in.")]
UserEmail = Annotated[str, typer.Option("--email", help="The user's e-mail.")]


@operator_app.command("grant")
@friendly_errors
def operator_grant(tenant: UserTenant, email: UserEmail) -> None:
    """Let a user manage tenants (create, update, (de)activate) from its own tenant's API."""
    _set_operator(tenant, email, operator=True)


@operator_app.command("revoke")
@friendly_errors
def operator_revoke(tenant: UserTenant, email: UserEmail) -> None:
    """Take platform authority away; its next request is refused."""
    _set_operator(tenant, email, operator=False)


@operator_app.command("list")
@friendly_errors
def operator_list(as_json: JsonOption = False) -> None:
    """Every platform operator, with its tenant."""

    async def work(container: Container) -> list[tuple[str, Any]]:
        operators = await container.auth.list_platform_operators()
        tenants, _ = await container.tenants.list_tenants(offset=0, limit=100_000)
        slugs = {tenant.id: tenant.slug for tenant in tenants}
        return [(slugs.get(user.tenant_id, str(user.tenant_id)), user) for user in operators]

    found = run_with_container(work)
    if as_json:
        print_json([{"tenant": slug, **user.model_dump(mode="json")} for slug, user in found])
        return
    table = Table("tenant", "email", "roles", "status", "id")
    for slug, user in found:
        table.add_row(slug, user.email, ", ".join(user.roles), user.status, str(user.id))
    out.print(table)


@app.command()
@friendly_errors
def seed(
    demo: Annotated[bool, typer.Option("--demo", help="Seed the demo tenant and admin.")] = False,
) -> None:
    """Seed data (idempotent: running it twice changes nothing)."""
    from rustok.cli.seed import seed_demo
    from rustok.core.settings import Environment

    if not demo:
        raise fail("nothing to seed", "pass --demo", code=2)
    if settings_or_exit().env is Environment.PRODUCTION:
        raise fail("refusing to seed demo data in production", code=2)
    result = run_with_container(seed_demo)
    state = "created" if result.created else "already there"
    out.print(f"demo tenant [bold]{result.tenant_slug}[/] {state}")
    out.print(f"  admin e-mail:    [bold]{result.admin_email}[/]")
    out.print(f"  admin password:  [bold]{result.admin_password}[/]")
    port = settings_or_exit().port
    out.print(f"  send [bold]X-Tenant-ID: demo[/] (or call http://localhost:{port}, its domain)")


@rbac_app.command("matrix")
def rbac_matrix(
    fmt: Annotated[str, typer.Option("--format", help="table or markdown.")] = "table",
    output: Annotated[Path | None, typer.Option(help="Write to this file.")] = None,
) -> None:
    """Print every endpoint with the permission it requires."""
    from rustok.api.app import create_app
    from rustok.api.matrix import permission_matrix, render_markdown
    from rustok.bootstrap import build_container
    from rustok.rbac.policy import builtin_roles

    container = build_container(settings_or_exit())
    rows = permission_matrix(create_app(container))
    asyncio.run(container.engine.dispose())
    if fmt == "markdown":
        text = render_markdown(rows, builtin_roles(container.registry))
        if output is not None:
            output.write_text(text, encoding="utf-8")
            out.print(f"wrote {output}")
        else:
            sys.stdout.write(text)
        return
    if fmt != "table":
        raise fail(f"unknown format {fmt!r}", "use --format table or --format markdown", code=2)
    table = Table("method", "path", "requires", "what")
    for row in rows:
        table.add_row(row.method, row.path, row.rule, row.summary)
    out.print(table)


def _serve_forever(
    start: Callable[[Container], Awaitable[None]],
    what: str,
    *,
    consumers: list[str] | None = None,
) -> None:
    """Run a worker until SIGINT/SIGTERM, then stop it gracefully; serve `/metrics` on
    RUSTOK_METRICS_PORT when set. `consumers` (dispatch): refuse names the deployment lacks."""
    import signal

    import structlog

    from rustok.bootstrap import build_container, freeze_startup_heap
    from rustok.observability.logging import configure_logging
    from rustok.observability.metrics_server import MetricsServer
    from rustok.observability.tracing import configure_tracing

    settings = settings_or_exit()
    configure_logging(settings)
    configure_tracing(settings)
    log = structlog.get_logger("rustok.worker")

    async def main() -> None:
        container = build_container(settings)
        if consumers is not None:
            known = container.events.groups
            unknown = sorted(set(consumers) - set(known))
            if unknown:
                await container.close()
                raise fail(
                    f"no consumer group named {', '.join(map(repr, unknown))} in this deployment",
                    "known groups: " + (", ".join(known) or "none"),
                    code=2,
                )
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        metrics = (
            MetricsServer(settings.host, settings.metrics_port, token=settings.metrics_token)
            if settings.metrics_port is not None
            else None
        )
        try:
            await start(container)
            freeze_startup_heap()
            if metrics is not None:
                await metrics.start()
            groups = container.events.dispatcher.running
            log.info(
                "worker.started",
                worker=what,
                transport=str(settings.event_transport),
                consumers=groups,
                metrics_port=metrics.port if metrics else None,
            )
            err.print(
                f"{what} running ({settings.event_transport} transport"
                + (f"; consumers: {', '.join(groups)}" if groups else "")
                + "); Ctrl-C stops it"
            )
            await stop.wait()
        finally:
            if metrics is not None:
                await metrics.stop()
            await container.close()

    asyncio.run(main())


@worker_app.command("relay")
@friendly_errors
def worker_relay() -> None:
    """Run the outbox relay: publish committed events to the transport."""
    _serve_forever(lambda c: c.start_with(relay=True, consumers=[]), "outbox relay")


@worker_app.command("dispatch")
@friendly_errors
def worker_dispatch(
    consumer: Annotated[
        list[str] | None, typer.Option(help="Consumer group to run; repeat; default all.")
    ] = None,
) -> None:
    """Run event consumers (all, or the named groups)."""
    _serve_forever(
        lambda c: c.start_with(relay=False, consumers=consumer), "dispatcher", consumers=consumer
    )


@events_app.command("catalog")
def events_catalog(
    output: Annotated[Path, typer.Option(help="Directory to write.")] = Path("docs/events"),
) -> None:
    """Write the event catalog (JSON Schemas) and the AsyncAPI document."""
    from rustok.bootstrap import event_modules, import_all_events
    from rustok.events import catalog
    from rustok.events.registry import EVENTS

    import_all_events()
    for path in catalog.write(EVENTS.declared_in(event_modules()), output):
        out.print(f"wrote {path}")


@events_app.command("prune")
@friendly_errors
def events_prune(
    older_than_hours: Annotated[
        float | None, typer.Option(help="Default: RUSTOK_OUTBOX_RETENTION_HOURS.", min=0)
    ] = None,
) -> None:
    """Delete published outbox rows older than the retention period."""
    from datetime import timedelta

    keep = timedelta(hours=older_than_hours) if older_than_hours is not None else None
    count = run_with_container(lambda c: c.events.prune(older_than=keep))
    out.print(f"pruned {count} published events")


@events_app.command("status")
@friendly_errors
def events_status(as_json: JsonOption = False) -> None:
    """Show the outbox backlog, and per consumer group what the broker holds and the open
    dead letters."""
    status = run_with_container(lambda c: c.events.status())
    if as_json:
        print_json(status.to_dict())
        return
    out.print(
        f"outbox pending: {status.outbox_pending} (oldest {status.outbox_lag_seconds:.1f}s)   "
        f"open dead letters: {sum(status.dead_letters.values())}"
    )
    table = Table("consumer", "backlog", "dead letters")
    for name, dead in sorted(status.dead_letters.items()):
        held = status.backlog.get(name)
        table.add_row(name, "?" if held is None else str(held), str(dead))
    out.print(table)


def _dlq_filter(
    status: str | None, consumer: str | None, event_type: str | None, tenant: str | None
) -> Any:
    from rustok.events.dlq import DeadLetterFilter

    tenant_id = uuid.UUID(tenant) if tenant else None
    return DeadLetterFilter(
        tenant_id=tenant_id, status=status, consumer=consumer, event_type=event_type
    )


StatusOption = Annotated[str | None, typer.Option(help="open, replayed or discarded.")]
ConsumerOption = Annotated[str | None, typer.Option(help="Only this consumer.")]
TypeOption = Annotated[str | None, typer.Option("--type", help="Only this event type.")]
TenantOption = Annotated[str | None, typer.Option(help="Only this tenant (UUID).")]
AllOption = Annotated[
    bool, typer.Option("--all", help="Every open dead letter (when no id or filter is given).")
]


@dlq_app.command("list")
@friendly_errors
def dlq_list(
    status: StatusOption = "open",
    consumer: ConsumerOption = None,
    event_type: TypeOption = None,
    tenant: TenantOption = None,
    limit: Annotated[int, typer.Option(min=1, max=1000)] = 50,
    as_json: JsonOption = False,
) -> None:
    """List dead letters (newest failure first)."""
    where = _dlq_filter(status, consumer, event_type, tenant)
    items, total = run_with_container(lambda c: c.events.dead_letters.list(where, limit=limit))
    if as_json:
        print_json(
            {
                "total": total,
                "items": [item.model_dump(mode="json", exclude={"envelope"}) for item in items],
            }
        )
        return
    table = Table(
        "id", "consumer", "event type", "reason", "error", "attempts", "status", "last failure"
    )
    for item in items:
        table.add_row(
            str(item.id),
            item.consumer,
            item.event_type,
            item.reason,
            f"{item.error_class}: {item.error_message}"[:120],
            str(item.attempts),
            item.status,
            item.last_failed_at.isoformat(timespec="seconds"),
        )
    out.print(table)
    out.print(f"{len(items)} of {total}")


@dlq_app.command("show")
@friendly_errors
def dlq_show(
    dead_letter_id: Annotated[uuid.UUID, typer.Argument(help="Dead letter id.")],
    as_json: JsonOption = False,
) -> None:
    """Show one dead letter with each attempt, its envelope and traceback."""
    import orjson

    item = run_with_container(lambda c: c.events.dead_letters.get(dead_letter_id, tenant_id=None))
    if as_json:
        print_json(item.model_dump(mode="json"))
        return
    out.print(f"[bold]{item.event_type}[/] for [bold]{item.consumer}[/]: {item.status}")
    out.print(f"reason: {item.reason}  error: {item.error_class}: {item.error_message}")
    out.print(
        f"attempts: {item.attempts}  first: {item.first_failed_at}  last: {item.last_failed_at}"
    )
    for number, attempt in enumerate(item.history, start=1):
        out.print(f"  attempt {number} at {attempt.get('at')}: {attempt.get('error')}")
    out.print(orjson.dumps(item.envelope, option=orjson.OPT_INDENT_2).decode())
    if item.traceback:
        out.print(item.traceback, markup=False, highlight=False)


@dlq_app.command("replay")
@friendly_errors
def dlq_replay(
    dead_letter_id: Annotated[uuid.UUID | None, typer.Argument(help="One dead letter.")] = None,
    consumer: ConsumerOption = None,
    event_type: TypeOption = None,
    tenant: TenantOption = None,
    every: AllOption = False,
) -> None:
    """Re-deliver dead letters to their consumer only (one by id, or every open one matching)."""
    _settle_dead_letters("replay", dead_letter_id, consumer, event_type, tenant, every=every)


@dlq_app.command("discard")
@friendly_errors
def dlq_discard(
    dead_letter_id: Annotated[uuid.UUID | None, typer.Argument(help="One dead letter.")] = None,
    consumer: ConsumerOption = None,
    event_type: TypeOption = None,
    tenant: TenantOption = None,
    every: AllOption = False,
) -> None:
    """Give up on dead letters (one by id, or every open one matching)."""
    _settle_dead_letters("discard", dead_letter_id, consumer, event_type, tenant, every=every)


def _settle_dead_letters(
    action: str,
    dead_letter_id: uuid.UUID | None,
    consumer: str | None,
    event_type: str | None,
    tenant: str | None,
    *,
    every: bool,
) -> None:
    from rich.progress import track

    # Replaying or discarding is not undone: a bare command must not touch every dead letter.
    filtered = any(value is not None for value in (consumer, event_type, tenant))
    if dead_letter_id is not None and (filtered or every):
        raise fail(
            "a dead letter id and a selection were both given",
            "pass either the id or --consumer/--type/--tenant/--all",
            code=2,
        )
    if dead_letter_id is None and not (filtered or every):
        raise fail(
            f"say which dead letters to {action}",
            "pass an id, --consumer/--type/--tenant, or --all for every open one",
            code=2,
        )
    where = _dlq_filter("open", consumer, event_type, tenant)

    async def work(container: Container) -> tuple[int, list[str]]:
        known = sorted(container.events.dispatcher.handlers)
        if consumer is not None and consumer not in known and action == "replay":
            raise fail(
                f"no consumer group named {consumer!r} in this deployment",
                "known groups: " + (", ".join(known) or "none"),
                code=2,
            )
        ids = (
            [dead_letter_id]
            if dead_letter_id
            else list(await container.events.dead_letters.ids(where))
        )
        done, failures = 0, []
        for item_id in track(ids, description=f"{action}ing", console=err, disable=len(ids) < 2):
            try:
                if action == "replay":
                    await container.events.replay(item_id, tenant_id=None)
                else:
                    await container.events.dead_letters.discard(item_id, tenant_id=None)
                done += 1
            except DomainError as error:
                failures.append(f"{item_id}: {error.message}")
        return done, failures

    done, failures = run_with_container(work)
    out.print(f"{action}ed {done}")
    for failure in failures:
        err.print(f"[red]{failure}[/]")
    if failures:
        raise typer.Exit(1)


if __name__ == "__main__":
    app()
