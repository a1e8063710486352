"""Structured logs: JSON lines with the request context, stdlib records alike, levels per logger."""

from __future__ import annotations

import io
import logging
from typing import TYPE_CHECKING, Any

import orjson
import pytest
import structlog

from rustok.observability.logging import configure_logging
from rustok.testing.factories import auth_headers, user_token

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    import httpx

    from rustok.bootstrap import Container
    from rustok.core.settings import Settings
    from rustok.tenancy.schemas import TenantDetail


class LogOutput:
    def __init__(self, stream: io.StringIO) -> None:
        self.stream = stream

    def lines(self) -> list[dict[str, Any]]:
        return [orjson.loads(line) for line in self.stream.getvalue().splitlines() if line]

    def events(self, name: str) -> list[dict[str, Any]]:
        return [line for line in self.lines() if line["event"] == name]


@pytest.fixture
def configure(settings: Settings) -> Iterator[Callable[..., LogOutput]]:
    """Configure logging into a buffer; put logging back as pytest had it afterwards."""
    root = logging.getLogger()
    saved_handlers, saved_level = list(root.handlers), root.level

    def apply(**overrides: Any) -> LogOutput:
        stream = io.StringIO()
        configure_logging(settings.model_copy(update=overrides), stream=stream)
        return LogOutput(stream)

    yield apply
    root.handlers[:] = saved_handlers
    root.setLevel(saved_level)
    for name in ("rustok.test.verbose", "rustok.test.quiet", "uvicorn.access"):
        logging.getLogger(name).setLevel(logging.NOTSET)
    structlog.reset_defaults()
    structlog.contextvars.clear_contextvars()


async def test_each_request_writes_one_access_line_with_its_context(
    configure: Callable[..., LogOutput],
    client: httpx.AsyncClient,
    container: Container,
    tenant: TenantDetail,
) -> None:
    token = await user_token(client, container, tenant, email="ann@example.com")
    user_id = (await client.get("/api/auth/me", headers=auth_headers(tenant, token))).json()["id"]
    output = configure(log_format="json")

    response = await client.get(
        "/api/tenant", headers={**auth_headers(tenant, token), "X-Request-ID": "req-42"}
    )

    assert response.status_code == 200
    [line] = output.events("http.request")
    assert line["method"] == "GET"
    assert line["route"] == "/api/tenant"
    assert line["path"] == "/api/tenant"
    assert line["status"] == 200
    assert isinstance(line["duration_ms"], float)
    assert line["duration_ms"] >= 0
    assert line["tenant"] == "acme"
    assert line["user"] == user_id
    assert line["request_id"] == "req-42"
    assert line["correlation_id"] == "req-42"
    assert line["level"] == "info"
    assert line["logger"] == "rustok.access"
    assert line["timestamp"].endswith("Z")


async def test_refusals_and_unmatched_paths_are_logged_too(
    configure: Callable[..., LogOutput], client: httpx.AsyncClient
) -> None:
    output = configure(log_format="json")

    await client.get("/nowhere")

    [line] = output.events("http.request")
    assert (line["route"], line["status"], line["tenant"], line["user"]) == (
        "unmatched",
        404,
        None,
        None,
    )


async def test_the_access_line_honours_its_logger_level(
    configure: Callable[..., LogOutput], client: httpx.AsyncClient
) -> None:
    output = configure(log_format="json", log_levels={"rustok.access": "WARNING"})

    await client.get("/nowhere")
    assert output.events("http.request") == []

    again = configure(log_format="json")  # a new configuration undoes the level
    await client.get("/nowhere")
    assert len(again.events("http.request")) == 1


def test_library_records_share_the_renderer_and_the_context(
    configure: Callable[..., LogOutput],
) -> None:
    output = configure(log_format="json")
    structlog.contextvars.bind_contextvars(request_id="req-7")

    logging.getLogger("uvicorn.error").info("Started server process [%d]", 42)
    structlog.get_logger("rustok.test").info("thing.happened", count=3)

    uvicorn_line, ours = output.lines()
    assert uvicorn_line["event"] == "Started server process [42]"
    assert uvicorn_line["logger"] == "uvicorn.error"
    assert uvicorn_line["request_id"] == "req-7"
    assert ours["event"] == "thing.happened"
    assert ours["count"] == 3
    assert ours["request_id"] == "req-7"


def test_levels_are_set_per_logger_over_the_default(configure: Callable[..., LogOutput]) -> None:
    output = configure(
        log_format="json",
        log_level="WARNING",
        log_levels={"rustok.test.verbose": "DEBUG"},
    )

    structlog.get_logger("rustok.test.verbose").debug("shown")
    structlog.get_logger("rustok.test.quiet").info("hidden")
    structlog.get_logger("rustok.test.quiet").warning("also.shown")

    assert [line["event"] for line in output.lines()] == ["shown", "also.shown"]


def test_configuring_twice_replaces_instead_of_duplicating(
    configure: Callable[..., LogOutput],
) -> None:
    configure(log_format="json", log_levels={"rustok.test.verbose": "DEBUG"})
    output = configure(log_format="json")

    structlog.get_logger("rustok.test.verbose").debug("dropped")
    structlog.get_logger("rustok.test").info("once")

    assert [line["event"] for line in output.lines()] == ["once"]
    assert [h.get_name() for h in logging.getLogger().handlers].count("rustok") == 1


def test_the_console_format_is_for_people(configure: Callable[..., LogOutput]) -> None:
    output = configure(log_format="console")

    structlog.get_logger("rustok.test").info("thing.happened", count=3)

    text = output.stream.getvalue()
    assert "thing.happened" in text
    assert "count=3" in text
    assert not text.startswith("{")


def test_exceptions_are_rendered_into_the_json_line(configure: Callable[..., LogOutput]) -> None:
    output = configure(log_format="json")

    try:
        raise ValueError("bad value")
    except ValueError:
        structlog.get_logger("rustok.test").exception("thing.failed")

    [line] = output.lines()
    assert line["level"] == "error"
    assert "ValueError: bad value" in line["exception"]
