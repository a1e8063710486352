"""GraphQL errors carry the same codes as REST problems, in `extensions.code`."""

from __future__ import annotations

from typing import TYPE_CHECKING

import structlog
from graphql import GraphQLError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from strawberry.extensions import SchemaExtension

from rustok.core.context import current_context
from rustok.core.db import connection_lost
from rustok.core.errors import DomainError

if TYPE_CHECKING:
    from collections.abc import Iterator

log = structlog.get_logger(__name__)

DATABASE_UNAVAILABLE = "DATABASE_UNAVAILABLE"
UNAVAILABLE_STATE = "graphql_database_unavailable"
"""Set on the request's state when an error said DATABASE_UNAVAILABLE: the router then
answers 503 with `Retry-After`, as REST does."""


class DomainErrorExtension(SchemaExtension):
    """Give domain errors their code and fields; hide everything unexpected behind one message."""

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if result is None or not result.errors:
            return
        context = current_context()
        request_id = context.request_id if context is not None else None
        result.errors = [self._format(error, request_id) for error in result.errors]
        if any(
            (error.extensions or {}).get("code") == DATABASE_UNAVAILABLE for error in result.errors
        ):
            request = getattr(self.execution_context.context, "http_request", None)
            if request is not None:
                setattr(request.state, UNAVAILABLE_STATE, True)

    @staticmethod
    def _format(error: GraphQLError, request_id: str | None) -> GraphQLError:
        original = error.original_error
        if original is None:  # a syntax or validation error about the query itself
            # Our limits name their own code (QUERY_TOO_DEEP, ...); the spec's rules name none.
            extensions = {"code": "GRAPHQL_VALIDATION_FAILED", **(error.extensions or {})}
            return GraphQLError(error.message, nodes=error.nodes, extensions=extensions)
        if isinstance(original, DomainError):
            return GraphQLError(
                original.message,
                nodes=error.nodes,
                path=error.path,
                extensions={
                    "code": original.code,
                    "fields": [{"field": f.field, "message": f.message} for f in original.fields],
                    "request_id": request_id,
                },
            )
        if connection_lost(original) or isinstance(original, PoolTimeout):
            # As REST's 503: the pool has dropped the broken connections, or every connection
            # stayed busy for the pool timeout; either way a retry soon may well succeed.
            lost = not isinstance(original, PoolTimeout)
            log.warning(
                "graphql.database_connection_lost" if lost else "graphql.database_pool_exhausted",
                path=error.path,
            )
            return GraphQLError(
                "The connection to the database was lost; retry the request."
                if lost
                else "Every database connection is busy; retry the request.",
                nodes=error.nodes,
                path=error.path,
                extensions={"code": DATABASE_UNAVAILABLE, "request_id": request_id},
            )
        log.error(
            "graphql.unhandled_error",
            error_type=type(original).__name__,
            error=str(original)[:500],
            path=error.path,
        )
        return GraphQLError(
            "An unexpected error occurred; quote the request id when reporting it.",
            nodes=error.nodes,
            path=error.path,
            extensions={"code": "INTERNAL_ERROR", "request_id": request_id},
        )
