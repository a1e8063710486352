"""Structured logs: structlog and the standard library share one handler and one renderer.

Our code logs with `structlog.get_logger(__name__)`; libraries (uvicorn, SQLAlchemy, ...)
log through `logging`. Both end in a single handler on the root logger whose formatter
renders JSON (one object per line, via orjson) or a readable console line, and both carry
the request-scoped context bound with `structlog.contextvars` (request_id, correlation_id,
tenant, user).
"""

from __future__ import annotations

import contextlib
import logging
import sys
from typing import IO, TYPE_CHECKING, Any

import orjson
import structlog

from rustok.core.settings import Environment, LogFormat

if TYPE_CHECKING:
    from structlog.typing import Processor

    from rustok.core.settings import Settings

_HANDLER_NAME = "rustok"
# uvicorn installs its own handlers on these (without propagation); we take them over.
_UVICORN_LOGGERS = ("uvicorn", "uvicorn.error", "uvicorn.access")
# Our access-log middleware writes one richer line per request, so uvicorn's own access
# line is only a duplicate unless somebody asks for it in `log_levels`.
_DEFAULT_LEVELS = {"uvicorn.access": "WARNING"}

_levels_set_by_us: set[str] = set()

ACCESS_LOGGER = "rustok.access"


def _orjson_dumps(value: Any, **_: Any) -> str:
    # default=str: a stray UUID, datetime or exception in a log call must not break logging.
    return orjson.dumps(value, default=str).decode()


def _renderers(settings: Settings, stream: IO[str]) -> list[Processor]:
    # `==`, not `is`: settings copied with model_copy(update=...) hold plain strings.
    if settings.effective_log_format == LogFormat.JSON:
        return [
            structlog.processors.format_exc_info,
            structlog.processors.JSONRenderer(serializer=_orjson_dumps),
        ]
    # No local variables in tracebacks: they may hold passwords or tokens.
    return [
        structlog.dev.ConsoleRenderer(
            colors=stream.isatty(),
            exception_formatter=structlog.dev.RichTracebackFormatter(show_locals=False),
        )
    ]


class AccessLog:
    """Writes the access log's one line per request.

    In the JSON format it renders the line itself, with the same fields, level check and
    renderer as any other line, and writes it to the shared handler's stream under the
    handler's lock: going through structlog's stdlib chain (a `LogRecord`, the handler, the
    `ProcessorFormatter`) cost about as much as the rest of a trivial request together
    (bench/README.md). In the console format, or before logging is configured, it logs
    through structlog as any other logger does.
    """

    def __init__(self) -> None:
        self._logger = logging.getLogger(ACCESS_LOGGER)
        self._root = logging.getLogger()
        self._fallback = structlog.get_logger(ACCESS_LOGGER)
        self._stamp = structlog.processors.TimeStamper(fmt="iso", utc=True)
        self._handler: logging.StreamHandler[IO[str]] | None = None

    def attach(self, handler: logging.StreamHandler[IO[str]] | None) -> None:
        """Write JSON lines straight to `handler`'s stream (None: through structlog)."""
        self._handler = handler

    def __call__(self, level: int, event: str, **fields: Any) -> None:
        handler = self._handler
        # The handler may have been taken off the root logger since (tests put theirs back).
        if handler is None or handler not in self._root.handlers:
            emit = self._fallback.warning if level >= logging.WARNING else self._fallback.info
            emit(event, **fields)
            return
        if not self._logger.isEnabledFor(level):
            return
        line: dict[str, Any] = {
            **structlog.contextvars.get_contextvars(),
            "event": event,
            **fields,
            "logger": ACCESS_LOGGER,
            "level": logging.getLevelName(level).lower(),
        }
        self._stamp(None, "", line)
        text = _orjson_dumps(line) + handler.terminator
        with handler.lock or contextlib.nullcontext():
            handler.stream.write(text)
            handler.flush()


ACCESS_LOG = AccessLog()


def configure_logging(settings: Settings, *, stream: IO[str] | None = None) -> None:
    """Route every log record through one renderer; safe to call again (it replaces itself).

    `stream` defaults to standard output. Levels: `log_level` on the root logger, then
    `log_levels` per logger name (e.g. `{"rustok.auth": "DEBUG"}`).
    """
    output = stream if stream is not None else sys.stdout
    shared: list[Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_logger_name,
        structlog.stdlib.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.processors.StackInfoRenderer(),
    ]
    structlog.configure(
        processors=[
            structlog.stdlib.filter_by_level,
            *shared,
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        # Caching is faster, but a cached logger ignores later reconfiguration (and
        # structlog's test helpers), so only production, which configures once, caches.
        cache_logger_on_first_use=settings.env == Environment.PRODUCTION,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared,
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            *_renderers(settings, output),
        ],
    )
    handler = logging.StreamHandler(output)
    handler.set_name(_HANDLER_NAME)
    handler.setFormatter(formatter)

    root = logging.getLogger()
    for existing in list(root.handlers):
        if existing.get_name() == _HANDLER_NAME:
            root.removeHandler(existing)
    root.addHandler(handler)
    json_lines = settings.effective_log_format == LogFormat.JSON
    ACCESS_LOG.attach(handler if json_lines else None)
    root.setLevel(settings.log_level)

    for name in _UVICORN_LOGGERS:
        library_logger = logging.getLogger(name)
        library_logger.handlers.clear()
        library_logger.propagate = True

    for name in _levels_set_by_us:
        logging.getLogger(name).setLevel(logging.NOTSET)
    levels = {**_DEFAULT_LEVELS, **settings.log_levels}
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)
    _levels_set_by_us.clear()
    _levels_set_by_us.update(levels)
