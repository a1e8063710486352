"""The only place that maps errors to HTTP: RFC 9457 problem+json bodies."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import orjson
import structlog
from fastapi.exceptions import RequestValidationError
from fastapi.routing import iter_route_contexts
from pydantic import BaseModel, Field
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from rustok.core import errors
from rustok.core.context import current_context
from rustok.core.db import connection_lost

if TYPE_CHECKING:
    from fastapi import FastAPI
    from starlette.requests import Request

log = structlog.get_logger(__name__)

PROBLEM_JSON = "application/problem+json"

STATUS_BY_ERROR: tuple[tuple[type[errors.DomainError], int], ...] = (
    (errors.NotFound, 404),
    (errors.Conflict, 409),
    (errors.Forbidden, 403),
    (errors.Unauthenticated, 401),
    (errors.Invalid, 422),
    (errors.BadRequest, 400),
    (errors.TooLarge, 413),
    (errors.UnsupportedType, 415),
    (errors.RateLimited, 429),
    (errors.Unavailable, 503),
)

_CODE_BY_STATUS = {
    400: "BAD_REQUEST",
    401: "UNAUTHENTICATED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    406: "NOT_ACCEPTABLE",
    409: "CONFLICT",
    413: "PAYLOAD_TOO_LARGE",
    415: "UNSUPPORTED_MEDIA_TYPE",
    422: "VALIDATION_ERROR",
    429: "RATE_LIMITED",
    500: "INTERNAL_ERROR",
    503: "UNAVAILABLE",
}

_TITLE_BY_STATUS = {
    400: "Bad request",
    401: "Authentication required",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    413: "Payload too large",
    415: "Unsupported media type",
    422: "Invalid input",
    429: "Too many requests",
    500: "Internal server error",
    503: "Service unavailable",
}


class FieldProblem(BaseModel):
    field: str = Field(description="Dotted path of the input at fault, e.g. `body.email`.")
    message: str


class Problem(BaseModel):
    """An RFC 9457 problem: the body of every error answer (`application/problem+json`)."""

    type: str = Field(description="A URI naming the kind of problem; one per `code`.")
    title: str
    status: int = Field(ge=400, le=599)
    detail: str
    code: str = Field(
        pattern=r"^[A-Z][A-Z0-9_]*$", description="Stable machine-readable error code."
    )
    errors: list[FieldProblem] = Field(description="One entry per input at fault; may be empty.")
    request_id: str | None = Field(description="Quote it when reporting a problem.")


def status_of(error: errors.DomainError) -> int:
    for error_type, status in STATUS_BY_ERROR:
        if isinstance(error, error_type):
            return status
    return 400


def problem_body(
    status: int,
    *,
    code: str | None = None,
    detail: str,
    title: str | None = None,
    fields: list[errors.FieldError] | None = None,
    request_id: str | None = None,
) -> dict[str, Any]:
    code = code or _CODE_BY_STATUS.get(status, "ERROR")
    if request_id is None:
        context = current_context()
        request_id = context.request_id if context is not None else None
    return {
        "type": f"https://rustok.dev/problems/{code.lower().replace('_', '-')}",
        "title": title or _TITLE_BY_STATUS.get(status, "Error"),
        "status": status,
        "detail": detail,
        "code": code,
        "errors": [{"field": f.field, "message": f.message} for f in fields or []],
        "request_id": request_id,
    }


def problem_response(
    status: int,
    *,
    code: str | None = None,
    detail: str,
    title: str | None = None,
    fields: list[errors.FieldError] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    body = problem_body(status, code=code, detail=detail, title=title, fields=fields)
    return Response(
        orjson.dumps(body), status_code=status, media_type=PROBLEM_JSON, headers=headers
    )


def _field_path(location: tuple[Any, ...]) -> str:
    return ".".join(str(part) for part in location)


async def _domain_error(_: Request, exc: Exception) -> Response:
    assert isinstance(exc, errors.DomainError)
    status = status_of(exc)
    headers = None
    if isinstance(exc, errors.RateLimited):
        headers = {"Retry-After": str(exc.retry_after_seconds)}
    if isinstance(exc, errors.Unauthenticated):
        headers = {"WWW-Authenticate": "Bearer"}
    return problem_response(
        status,
        code=exc.code,
        title=exc.title,
        detail=exc.message,
        fields=exc.fields,
        headers=headers,
    )


async def _validation_error(_: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    issues = exc.errors()
    if any(issue.get("type") == "json_invalid" for issue in issues):
        issue = next(issue for issue in issues if issue.get("type") == "json_invalid")
        context = issue.get("ctx") or {}
        return problem_response(
            400,
            code="MALFORMED_JSON",
            detail="The request body is not valid JSON.",
            fields=[errors.FieldError("body", str(context.get("error", "invalid JSON")))],
        )
    fields = [
        errors.FieldError(_field_path(tuple(issue.get("loc", ()))), str(issue.get("msg", "")))
        for issue in issues
    ]
    names = ", ".join(f.field for f in fields[:5])
    return problem_response(
        422, code="VALIDATION_ERROR", detail=f"Invalid input: {names}.", fields=fields
    )


def _allowed_methods(request: Request) -> str:
    """Every method some route of this path answers: Starlette's 405 names only the first
    route that matched the path, though a path usually has one route per method."""
    methods: set[str] = set()
    for context in iter_route_contexts(request.app.routes):
        regex = getattr(context, "path_regex", None)
        if regex is not None and regex.match(request.scope["path"]) and context.methods:
            methods |= set(context.methods)
    return ", ".join(sorted(methods))


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    headers = dict(exc.headers) if exc.headers else None
    if exc.status_code == 405:
        headers = {**(headers or {}), "Allow": _allowed_methods(request)}
    detail = exc.detail if isinstance(exc.detail, str) else _TITLE_BY_STATUS.get(exc.status_code)
    return problem_response(exc.status_code, detail=detail or "Error", headers=headers)


async def _database_error(request: Request, exc: Exception) -> Response:
    if not connection_lost(exc):
        raise exc  # a bug, not an outage: the unexpected-error handler answers 500
    # The pool has dropped the broken connections: the same request gets a fresh one.
    request_id = getattr(request.state, "request_id", None)
    log.warning("http.database_connection_lost", request_id=request_id)
    return problem_response(
        503,
        code="DATABASE_UNAVAILABLE",
        detail="The connection to the database was lost; retry the request.",
        headers={"Retry-After": "1"},
    )


async def _pool_exhausted(request: Request, _: Exception) -> Response:
    # Every connection stayed busy for the pool timeout: an overload, not a bug, and over as
    # soon as the load eases.
    request_id = getattr(request.state, "request_id", None)
    log.warning("http.database_pool_exhausted", request_id=request_id)
    return problem_response(
        503,
        code="DATABASE_UNAVAILABLE",
        detail="Every database connection is busy; retry the request.",
        headers={"Retry-After": "1"},
    )


async def _unexpected_error(request: Request, exc: Exception) -> Response:
    # Starlette runs this outside our middleware, whose context is gone by now: take the
    # request id from the request itself.
    request_id = getattr(request.state, "request_id", None)
    log.error("http.unhandled_error", error_type=type(exc).__name__, request_id=request_id)
    body = problem_body(
        500,
        detail="An unexpected error occurred; quote the request id when reporting it.",
        request_id=request_id,
    )
    headers = {"X-Request-ID": request_id} if request_id else None
    return Response(orjson.dumps(body), status_code=500, media_type=PROBLEM_JSON, headers=headers)


def install_problem_handlers(app: FastAPI) -> None:
    app.add_exception_handler(errors.DomainError, _domain_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(DBAPIError, _database_error)
    app.add_exception_handler(PoolTimeout, _pool_exhausted)
    app.add_exception_handler(Exception, _unexpected_error)
