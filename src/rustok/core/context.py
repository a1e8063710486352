"""Per-request context carried in contextvars: request id, correlation id, tenant and actor."""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import uuid


@dataclass(frozen=True, slots=True)
class RequestContext:
    request_id: str
    correlation_id: str
    tenant_id: uuid.UUID | None = None
    actor_id: uuid.UUID | None = None


_current: ContextVar[RequestContext | None] = ContextVar("rustok_request_context", default=None)


def current_context() -> RequestContext | None:
    return _current.get()


def set_context(context: RequestContext | None) -> None:
    _current.set(context)
