"""GraphQL errors carry the same codes as REST problems, in `extensions.code`."""

from __future__ import annotations

from typing import TYPE_CHECKING

import structlog
from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from rustok.core.context import current_context
from rustok.core.db import connection_lost
from rustok.core.errors import DomainError

if TYPE_CHECKING:
    from collections.abc import Iterator

log = structlog.get_logger(__name__)


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
        if connection_lost(original):
            # As REST's 503: the pool has dropped the broken connections, a retry gets a fresh one.
            log.warning("graphql.database_connection_lost", path=error.path)
            return GraphQLError(
                "The connection to the database was lost; retry the request.",
                nodes=error.nodes,
                path=error.path,
                extensions={"code": "DATABASE_UNAVAILABLE", "request_id": request_id},
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
