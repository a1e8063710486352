"""Domain errors. Domain code raises these; only `rustok.api.problems` maps them to HTTP."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class FieldError:
    """One problem with one input field; `field` is a dotted path such as `body.email`."""

    field: str
    message: str


class DomainError(Exception):
    """Base of every error a use case may raise on purpose; `code` is stable for clients."""

    code: str = "DOMAIN_ERROR"
    title: str = "Request failed"

    def __init__(
        self, message: str, *, code: str | None = None, fields: list[FieldError] | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.fields: list[FieldError] = fields or []


class NotFound(DomainError):
    code = "NOT_FOUND"
    title = "Not found"


class Conflict(DomainError):
    code = "CONFLICT"
    title = "Conflict"


class Forbidden(DomainError):
    code = "FORBIDDEN"
    title = "Forbidden"


class Unauthenticated(DomainError):
    code = "UNAUTHENTICATED"
    title = "Authentication required"


class Invalid(DomainError):
    code = "VALIDATION_ERROR"
    title = "Invalid input"


class BadRequest(DomainError):
    code = "BAD_REQUEST"
    title = "Bad request"


class TooLarge(DomainError):
    """The input is larger than a limit allows (an upload over the media size limit)."""

    code = "PAYLOAD_TOO_LARGE"
    title = "Payload too large"


class UnsupportedType(DomainError):
    """The input is of a kind this operation refuses (a file type uploads do not take)."""

    code = "UNSUPPORTED_MEDIA_TYPE"
    title = "Unsupported media type"


class RateLimited(DomainError):
    code = "RATE_LIMITED"
    title = "Too many requests"

    def __init__(self, message: str, *, retry_after_seconds: int) -> None:
        super().__init__(message)
        self.retry_after_seconds = retry_after_seconds


class Unavailable(DomainError):
    code = "UNAVAILABLE"
    title = "Service unavailable"
