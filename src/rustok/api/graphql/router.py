"""The GraphQL endpoint; a request it cannot run is answered as GraphQL errors in JSON.

Strawberry answers such requests in plain text and lets a JSON body that is not an object, or
is nested past the parser's stack, escape as a 500. Here each is a 4xx whose body is
`{"errors": [{"message", "extensions": {"code", "request_id"}}]}` (GraphQL over HTTP), so a
GraphQL client reads every refusal the same way.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import orjson
from cross_web import HTTPException
from starlette.responses import HTMLResponse, Response
from strawberry.fastapi import GraphQLRouter
from strawberry.types.unset import UNSET

from rustok.api.graphql.errors import UNAVAILABLE_STATE
from rustok.core.context import current_context
from rustok.web.access import container_of

if TYPE_CHECKING:
    from starlette.requests import Request
    from starlette.websockets import WebSocket
    from strawberry.fastapi.context import BaseContext


class RequestError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


# Strawberry's reasons for refusing a request, with a code and a message that says what to send.
_STRAWBERRY_REFUSALS: dict[str, RequestError] = {
    "Unsupported content type": RequestError(
        415,
        "UNSUPPORTED_MEDIA_TYPE",
        "Send the GraphQL request as JSON (Content-Type: application/json), "
        "or a query as GET parameters.",
    ),
    "Batching is not enabled": RequestError(
        400,
        "BATCHING_NOT_SUPPORTED",
        "Send one operation per request: a JSON object, not an array.",
    ),
    "No GraphQL query found in the request": RequestError(
        400, "QUERY_MISSING", 'The request has no GraphQL query; send {"query": "..."}.'
    ),
    "mutations are not allowed when using GET": RequestError(
        405, "METHOD_NOT_ALLOWED", "Mutations need POST; GET runs queries only."
    ),
}

_CODE_BY_STATUS = {400: "BAD_REQUEST", 404: "NOT_FOUND", 405: "METHOD_NOT_ALLOWED"}

_JSON_KINDS: dict[type, str] = {str: "a string", bool: "a boolean", type(None): "null"}


def error_response(error: RequestError) -> Response:
    context = current_context()
    extensions = {"code": error.code, "request_id": context.request_id if context else None}
    body = {"errors": [{"message": error.message, "extensions": extensions}]}
    # GraphQL over HTTP: a mutation over GET is answered 405 naming the method that runs it.
    headers = {"Allow": "POST"} if error.status == 405 else None
    return Response(
        orjson.dumps(body), status_code=error.status, media_type="application/json", headers=headers
    )


class RustokGraphQLRouter(GraphQLRouter[Any, None]):
    async def run(
        self,
        request: Request | WebSocket,
        context: BaseContext | None = UNSET,
        root_value: None = UNSET,
    ) -> Any:
        try:
            response = await super().run(request, context, root_value)
        except RequestError as error:
            return error_response(error)
        except HTTPException as exc:
            known = _STRAWBERRY_REFUSALS.get(exc.reason)
            if known is None:
                code = _CODE_BY_STATUS.get(exc.status_code, "BAD_REQUEST")
                known = RequestError(exc.status_code, code, exc.reason)
            return error_response(known)
        if isinstance(response, Response) and getattr(request.state, UNAVAILABLE_STATE, False):
            # As REST answers a lost connection or an exhausted pool: 503, retry in a second.
            response.status_code = 503
            response.headers["Retry-After"] = "1"
        return response

    def parse_json(self, data: str | bytes) -> Any:
        # orjson refuses nesting past 1024 levels with an error; the json module recurses
        # into a RecursionError that Strawberry does not catch (a 500).
        try:
            value = orjson.loads(data)
        except orjson.JSONDecodeError as exc:
            raise RequestError(
                400, "MALFORMED_JSON", f"The body is not valid JSON: {exc}."
            ) from None
        if not isinstance(value, dict | list):
            kind = _JSON_KINDS.get(type(value), "a number")
            raise RequestError(
                400,
                "BAD_REQUEST",
                f"A GraphQL request (and its variables) is a JSON object; got {kind}.",
            )
        return value

    async def render_graphql_ide(self, request: Request) -> HTMLResponse:
        if not container_of(request).settings.effective_graphql_ide:
            raise RequestError(
                404, "NOT_FOUND", "GraphiQL is off here (RUSTOK_GRAPHQL_IDE); POST queries."
            )
        return await super().render_graphql_ide(request)
