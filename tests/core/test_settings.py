"""Settings: environment, TOML file, and refusals that name the variable."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from rustok.core.settings import DEFAULT_JWT_SECRET, RateLimit, SettingsError, load_settings

if TYPE_CHECKING:
    from pathlib import Path


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    for name in list(os.environ):
        if name.startswith("RUSTOK_"):
            monkeypatch.delenv(name)


def test_defaults_are_the_embedded_stack() -> None:
    settings = load_settings()

    assert settings.database_url == "sqlite+aiosqlite:///var/rustok.db"
    assert (settings.host, settings.port) == ("127.0.0.1", 3000)
    assert settings.event_transport.value == "memory"
    assert settings.redis_url is None
    assert settings.rate_limit_default == "100/60"


def test_environment_variables_override_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RUSTOK_PORT", "8080")
    monkeypatch.setenv("RUSTOK_DB_POOL_SIZE", "25")
    monkeypatch.setenv("RUSTOK_LOG_LEVELS", '{"rustok.auth": "debug"}')

    settings = load_settings()

    assert settings.port == 8080
    assert settings.db_pool_size == 25
    assert settings.log_levels == {"rustok.auth": "DEBUG"}


def test_a_toml_file_is_read_and_the_environment_wins(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    config = tmp_path / "rustok.toml"
    config.write_text('port = 4000\nhost = "127.0.0.2"\n', encoding="utf-8")
    monkeypatch.setenv("RUSTOK_CONFIG_FILE", str(config))
    monkeypatch.setenv("RUSTOK_PORT", "5000")

    settings = load_settings()

    assert (settings.host, settings.port) == ("127.0.0.2", 5000)


def test_a_missing_config_file_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RUSTOK_CONFIG_FILE", "/nonexistent/rustok.toml")

    with pytest.raises(SettingsError, match="RUSTOK_CONFIG_FILE: no such file"):
        load_settings()


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("RUSTOK_ENV", "prod", "RUSTOK_ENV: Input should be 'development', 'test' or 'production'"),
        (
            "RUSTOK_EVENT_TRANSPORT",
            "kafka",
            "RUSTOK_EVENT_TRANSPORT: Input should be 'memory' or 'nats'",
        ),
        ("RUSTOK_DATABASE_URL", "mysql://x", "RUSTOK_DATABASE_URL: must start with"),
        ("RUSTOK_PORT", "70000", "RUSTOK_PORT: Input should be less than or equal to 65535"),
        ("RUSTOK_RATE_LIMIT_DEFAULT", "lots", "RUSTOK_RATE_LIMIT_DEFAULT: String should match"),
        ("RUSTOK_LOG_LEVEL", "chatty", "RUSTOK_LOG_LEVEL: must be one of DEBUG"),
        ("RUSTOK_TRUSTED_PROXIES", '["not-an-ip"]', "RUSTOK_TRUSTED_PROXIES: 'not-an-ip' is not"),
        ("RUSTOK_JWT_SECRET", "short", "RUSTOK_JWT_SECRET: String should have at least 32"),
    ],
)
def test_an_invalid_setting_is_refused_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, message: str
) -> None:
    monkeypatch.setenv(variable, value)

    with pytest.raises(SettingsError) as refused:
        load_settings()

    assert str(refused.value).startswith(message)


def test_production_refuses_the_default_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RUSTOK_ENV", "production")
    monkeypatch.setenv("RUSTOK_DATABASE_URL", "postgresql+asyncpg://u@h/db")

    with pytest.raises(SettingsError, match="RUSTOK_JWT_SECRET: production refuses"):
        load_settings()


def test_production_refuses_sqlite_unless_allowed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RUSTOK_ENV", "production")
    monkeypatch.setenv("RUSTOK_JWT_SECRET", "x" * 40)

    with pytest.raises(SettingsError, match="RUSTOK_DATABASE_URL: production refuses SQLite"):
        load_settings()
    monkeypatch.setenv("RUSTOK_ALLOW_SQLITE_IN_PRODUCTION", "true")
    assert load_settings().is_sqlite
    assert load_settings().jwt_secret != DEFAULT_JWT_SECRET


@pytest.mark.parametrize(("text", "expected"), [("100/60", (100, 60)), ("5/1", (5, 1))])
def test_rate_limits_parse(text: str, expected: tuple[int, int]) -> None:
    limit = RateLimit.parse(text)

    assert (limit.requests, limit.window_seconds) == expected
    assert str(limit) == text


@pytest.mark.parametrize("text", ["0/60", "10/0", "ten/60", "10"])
def test_bad_rate_limits_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match=r"N/SECONDS|at least 1"):
        RateLimit.parse(text)
