"""Settings from the environment (`RUSTOK_*`) and an optional TOML file (`RUSTOK_CONFIG_FILE`)."""

from __future__ import annotations

import os
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Self

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

DEFAULT_JWT_SECRET = "dev-insecure-secret-change-me-0123456789"  # noqa: S105 - refused in production
DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///var/rustok.db"


class Environment(StrEnum):
    DEVELOPMENT = "development"
    TEST = "test"
    PRODUCTION = "production"


class LogFormat(StrEnum):
    JSON = "json"
    CONSOLE = "console"


class EventTransportKind(StrEnum):
    MEMORY = "memory"
    NATS = "nats"


class RateLimit:
    """A limit written `N/SECONDS` (for example `100/60`): N requests per sliding window."""

    __slots__ = ("requests", "window_seconds")

    def __init__(self, requests: int, window_seconds: int) -> None:
        self.requests = requests
        self.window_seconds = window_seconds

    @classmethod
    def parse(cls, text: str) -> RateLimit:
        try:
            requests_text, window_text = text.split("/", 1)
            requests, window = int(requests_text), int(window_text)
        except ValueError:
            raise ValueError(f"{text!r} is not of the form N/SECONDS, e.g. 100/60") from None
        if requests < 1 or window < 1:
            raise ValueError(f"{text!r}: both numbers must be at least 1")
        return cls(requests, window)

    def __str__(self) -> str:
        return f"{self.requests}/{self.window_seconds}"

    def most_in(self, seconds: int) -> int:
        """The most requests this limit lets through in any stretch of `seconds`."""
        return self.requests * -(-seconds // self.window_seconds)


RateLimitText = Annotated[str, Field(pattern=r"^\d+/\d+$")]


class Settings(BaseSettings):
    """Every setting of the platform; the README lists them with their defaults."""

    model_config = SettingsConfigDict(
        env_prefix="RUSTOK_", extra="forbid", frozen=True, env_nested_delimiter="__"
    )

    env: Environment = Environment.DEVELOPMENT
    modules: dict[str, dict[str, object]] = Field(default_factory=dict)
    """Each module's own settings (`ModuleDescriptor.settings`), by its key (the slug with `_`
    for `.`): `RUSTOK_MODULES__CONTENT__BODY_MAX_BYTES=2000000`, or a `[modules.content]`
    table in the config file. Checked against the module's model when the container is built."""
    host: str = "127.0.0.1"
    port: int = Field(default=3000, ge=1, le=65535)

    database_url: str = DEFAULT_DATABASE_URL
    db_pool_size: int = Field(default=20, ge=1)
    db_max_overflow: int = Field(default=10, ge=0)
    db_pool_timeout: float = Field(default=10.0, gt=0)
    db_connect_timeout: float = Field(default=5.0, gt=0)
    db_echo: bool = False
    db_pool_pre_ping: bool = False
    # PostgreSQL: the role the application works as (SET ROLE on connect), one that owns no
    # table, so row-level security holds for it. Empty: work as the connecting user.
    db_role: str = Field(default="rustok_app", pattern=r"^([a-z_][a-z0-9_]{0,62})?$")
    allow_sqlite_in_production: bool = False

    redis_url: str | None = None
    redis_namespace: str | None = Field(default=None, pattern=r"^[A-Za-z0-9_.:-]{1,64}$")
    event_transport: EventTransportKind = EventTransportKind.MEMORY
    nats_url: str = "nats://127.0.0.1:4222"
    nats_stream: str = Field(default="RUSTOK_EVENTS", pattern=r"^[A-Za-z0-9_-]{1,64}$")
    nats_subject_prefix: str = Field(default="rustok.events", pattern=r"^[a-z0-9_.-]{1,64}$")
    nats_duplicate_window_seconds: float = Field(default=120.0, gt=0)
    nats_ack_wait_seconds: float = Field(default=30.0, gt=0)
    nats_max_deliver: int = Field(default=10, ge=1)
    embedded_workers: bool = True
    memory_queue_size: int = Field(default=1000, ge=1)
    relay_batch_size: int = Field(default=500, ge=1, le=10_000)
    relay_poll_interval_seconds: float = Field(default=1.0, gt=0)
    relay_lease_seconds: float = Field(default=6.0, gt=0)
    dispatcher_lanes: int = Field(default=2, ge=1, le=256)
    handler_max_attempts: int = Field(default=5, ge=1)
    handler_retry_base_seconds: float = Field(default=0.5, gt=0)
    handler_retry_cap_seconds: float = Field(default=60.0, gt=0)
    outbox_retention_hours: float = Field(default=72.0, gt=0)
    outbox_lag_degraded_seconds: float = Field(default=30.0, gt=0)
    # Operations (ADR 0007, docs/deploy.md): order guard, relay recovery, worker metrics, tracing.
    dispatcher_order_wait_seconds: float = Field(default=120.0, gt=0)
    consumer_backlog_degraded: int = Field(default=1000, ge=0)
    relay_retry_base_seconds: float = Field(default=0.2, gt=0)
    relay_retry_cap_seconds: float = Field(default=5.0, gt=0)
    otel_exporter_otlp_endpoint: str | None = None
    otel_service_name: str = "rustok"

    jwt_secret: str = Field(default=DEFAULT_JWT_SECRET, min_length=32)
    jwt_issuer: str = "rustok"
    jwt_audience: str = "rustok-api"
    access_token_ttl_seconds: int = Field(default=900, ge=30)
    refresh_token_ttl_seconds: int = Field(default=30 * 24 * 3600, ge=60)
    # Two tabs refreshing with one token at once: the second gets the pair the first got.
    refresh_reuse_grace_seconds: float = Field(default=10.0, ge=0, le=60)
    argon2_time_cost: int = Field(default=3, ge=1)
    argon2_memory_kib: int = Field(default=65536, ge=8)
    argon2_parallelism: int = Field(default=4, ge=1)

    default_tenant: str | None = None
    tenant_cache_ttl_seconds: float = Field(default=300.0, gt=0)
    tenant_negative_cache_ttl_seconds: float = Field(default=60.0, gt=0)
    tenant_cache_max_entries: int = Field(default=10_000, ge=1)

    auth_session_cache_seconds: float = Field(default=30.0, ge=0)
    """How long a replica may answer from a session's cached state (0 = always ask the
    database); changes made through the app reach every replica at once regardless."""

    rate_limit_enabled: bool = True
    rate_limit_default: RateLimitText = "100/60"
    rate_limit_auth: RateLimitText = "20/60"
    rate_limit_login: RateLimitText = "5/60"
    rate_limit_tenant: RateLimitText = "6000/60"
    rate_limit_register: RateLimitText = "10/3600"
    trusted_proxies: list[str] = Field(default_factory=list)

    max_body_bytes: int = Field(default=1_048_576, ge=1024)
    request_timeout_seconds: float = Field(default=30.0, gt=0)
    max_header_bytes: int = Field(default=32_768, ge=1024)
    max_headers: int = Field(default=100, ge=16)
    header_read_timeout_seconds: float = Field(default=10.0, gt=0)
    body_read_timeout_seconds: float = Field(default=15.0, gt=0)
    keep_alive_timeout_seconds: int = Field(default=5, ge=1)
    idempotency_key_ttl_seconds: int = Field(default=24 * 3600, ge=60)
    """How long an `Idempotency-Key` replays its first answer (ADR 0011)."""
    idempotency_in_flight_seconds: float = Field(default=60.0, gt=0)
    """How long a claimed key whose request never finished refuses repeats (409
    IDEMPOTENCY_KEY_IN_FLIGHT); longer than `request_timeout_seconds`, so a request still
    running is never overtaken."""
    metrics_token: str | None = Field(default=None, min_length=16)
    metrics_port: int | None = Field(default=None, ge=1, le=65535)
    health_check_timeout_seconds: float = Field(default=2.0, gt=0)

    graphql_max_tokens: int = Field(default=5000, ge=100)
    graphql_max_depth: int = Field(default=12, ge=1)
    graphql_max_fields: int = Field(default=1000, ge=1)
    graphql_max_aliases: int = Field(default=50, ge=0)
    graphql_max_repeated_fields: int = Field(default=20, ge=1)
    graphql_max_cost: int = Field(default=200, ge=1)
    graphql_io_field_cost: int = Field(default=10, ge=1)
    graphql_introspection: bool | None = None
    graphql_ide: bool | None = None
    graphql_suggestions: bool | None = None

    log_format: LogFormat | None = None
    log_level: str = "INFO"
    log_levels: dict[str, str] = Field(default_factory=dict)

    demo_admin_email: str = "admin@demo.rustok.dev"
    demo_admin_password: str = Field(default="rustok-demo-admin", min_length=8)

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        upper = value.upper()
        if upper not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
            raise ValueError("must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL")
        return upper

    @field_validator("log_levels")
    @classmethod
    def _known_levels(cls, value: dict[str, str]) -> dict[str, str]:
        return {name: cls._known_level(level) for name, level in value.items()}

    @field_validator("trusted_proxies")
    @classmethod
    def _networks(cls, value: list[str]) -> list[str]:
        import ipaddress

        for entry in value:
            try:
                ipaddress.ip_network(entry, strict=False)
            except ValueError:
                raise ValueError(f"{entry!r} is not an IP address or network (CIDR)") from None
        return value

    @field_validator("database_url")
    @classmethod
    def _supported_database(cls, value: str) -> str:
        if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError(
                "must start with sqlite+aiosqlite:// or postgresql+asyncpg:// "
                "(for example postgresql+asyncpg://user@127.0.0.1:5432/rustok)"
            )
        return value

    @model_validator(mode="after")
    def _one_client_cannot_drain_a_tenant(self) -> Self:
        # Per-IP budgets are what stop one client; they only protect the tenant's other
        # callers if, together, they let one address spend at most half the tenant budget.
        if not self.rate_limit_enabled:
            return self
        limits = [
            RateLimit.parse(text)
            for text in (self.rate_limit_default, self.rate_limit_auth, self.rate_limit_tenant)
        ]
        default, auth, tenant = limits
        window = tenant.window_seconds
        per_ip = default.most_in(window) + auth.most_in(window)
        if 2 * per_ip > tenant.requests:
            raise ValueError(
                f"RUSTOK_RATE_LIMIT_TENANT: one client IP may send {per_ip} requests per "
                f"{window} s (RUSTOK_RATE_LIMIT_DEFAULT + RUSTOK_RATE_LIMIT_AUTH); the tenant "
                f"budget must allow at least twice that ({2 * per_ip}/{window}), or one client "
                "could lock the tenant out"
            )
        return self

    @model_validator(mode="after")
    def _production_is_safe(self) -> Self:
        if self.env is Environment.PRODUCTION:
            if self.jwt_secret == DEFAULT_JWT_SECRET:
                raise ValueError(
                    "RUSTOK_JWT_SECRET: production refuses the default secret; "
                    "set a random value of at least 32 characters"
                )
            if self.is_sqlite and not self.allow_sqlite_in_production:
                raise ValueError(
                    "RUSTOK_DATABASE_URL: production refuses SQLite; use PostgreSQL "
                    "or set RUSTOK_ALLOW_SQLITE_IN_PRODUCTION=true"
                )
        return self

    @property
    def effective_redis_namespace(self) -> str:
        """Prefix of every Redis key and channel: deployments on different databases that
        share one Redis never see each other's tenants or counters."""
        if self.redis_namespace:
            return self.redis_namespace
        import hashlib

        database = hashlib.sha256(self.database_url.encode()).hexdigest()[:12]
        return f"rustok-{database}"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def effective_log_format(self) -> LogFormat:
        if self.log_format is not None:
            return self.log_format
        return LogFormat.CONSOLE if self.env is Environment.DEVELOPMENT else LogFormat.JSON

    # Introspection, GraphiQL and "Did you mean ...?" suggestions help a developer and show an
    # attacker the schema: unless set, they are on everywhere but in production.
    @property
    def effective_graphql_introspection(self) -> bool:
        return self._outside_production(self.graphql_introspection)

    @property
    def effective_graphql_ide(self) -> bool:
        return self._outside_production(self.graphql_ide)

    @property
    def effective_graphql_suggestions(self) -> bool:
        return self._outside_production(self.graphql_suggestions)

    def _outside_production(self, setting: bool | None) -> bool:
        return setting if setting is not None else self.env is not Environment.PRODUCTION

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        config_file = os.environ.get("RUSTOK_CONFIG_FILE")
        if config_file:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=Path(config_file)))
        return tuple(sources)


class SettingsError(Exception):
    """Invalid settings, with one line per bad variable naming it and what it accepts."""


def load_settings(**overrides: object) -> Settings:
    """Read settings; turn pydantic's report into lines that name the `RUSTOK_*` variable."""
    config_file = os.environ.get("RUSTOK_CONFIG_FILE")
    if config_file and not Path(config_file).is_file():
        raise SettingsError(f"RUSTOK_CONFIG_FILE: no such file {config_file!r}")
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        lines = []
        for error in exc.errors():
            location = [str(part) for part in error["loc"]]
            message = error["msg"].removeprefix("Value error, ")
            lines.append(f"RUSTOK_{location[0].upper()}: {message}" if location else message)
        raise SettingsError("\n".join(lines)) from None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return load_settings()
