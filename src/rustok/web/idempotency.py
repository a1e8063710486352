"""The `Idempotency-Key` header on a route (ADR 0011): a route opts in with `IdempotencyDep`
and hands its one service call to `run`, which replays a stored answer or runs the call once.

    async def add_line(..., idempotency: IdempotencyDep) -> Response:
        return await idempotency.run(
            lambda receipt: carts.add_line(tenant, cart_id, data, caller, receipt=receipt),
            status=201,
        )

The service passes the receipt to `record_in` before it commits; without the header the
receipt is None and the call runs as usual. Keys are per tenant, caller (the logged-in user,
else `anonymous`) and route (method and path), so one caller's key never answers another's.
"""

from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING, Annotated

from fastapi import Depends, Header, Request, Response

from rustok.core.idempotency import (
    HEADER,
    KEY_PATTERN,
    KeyRequest,
    Receipt,
    StoredAnswer,
    claim_key,
    release_key,
)
from rustok.web.access import container_of, get_principal, tenant_of

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from pydantic import BaseModel

REPLAYED_HEADER = "Idempotent-Replayed"
_JSON = "application/json"
_ROUTE_LENGTH = 300


class Idempotency:
    """The request's idempotency key, if it sent one, and the way to run its use case once."""

    def __init__(self, request: Request, key: str | None) -> None:
        self._request = request
        self.key = key

    async def run(
        self, call: Callable[[Receipt | None], Awaitable[BaseModel]], *, status: int = 200
    ) -> Response:
        """The answer of `call(receipt)`, or the stored answer of the key's first request."""
        if self.key is None:
            answer = await call(None)
            return Response(answer.model_dump_json(), status, media_type=_JSON)
        container = container_of(self._request)
        tenant = tenant_of(self._request)
        settings = container.settings
        async with container.uow(tenant.id) as uow:
            outcome = await claim_key(
                uow,
                await self._key_request(self.key),
                ttl_seconds=settings.idempotency_key_ttl_seconds,
                in_flight_seconds=settings.idempotency_in_flight_seconds,
            )
            await uow.commit()
        if isinstance(outcome, StoredAnswer):
            return Response(
                outcome.body, outcome.status, media_type=_JSON, headers={REPLAYED_HEADER: "true"}
            )
        receipt = Receipt(outcome, status)
        try:
            await call(receipt)
        except Exception:
            async with container.uow(tenant.id) as uow:
                await release_key(uow, outcome)
                await uow.commit()
            raise
        if receipt.body is None:
            raise RuntimeError("the use case did not record its answer (receipt.record_in)")
        return Response(receipt.body, status, media_type=_JSON)

    async def _key_request(self, key: str) -> KeyRequest:
        request = self._request
        caller = "anonymous"
        if "authorization" in request.headers:
            caller = str((await get_principal(request)).user_id)
        route = f"{request.method} {request.url.path}"
        if len(route) > _ROUTE_LENGTH:
            route = hashlib.sha256(route.encode()).hexdigest()
        return KeyRequest(caller, route, key, _fingerprint(route, await request.body()))


def _fingerprint(route: str, body: bytes) -> str:
    """The request as a hash: its route and body, JSON compared by value (key order and
    white space do not make a request another one)."""
    try:
        canonical = json.dumps(json.loads(body), sort_keys=True, separators=(",", ":")).encode()
    except ValueError:
        canonical = body
    return hashlib.sha256(route.encode() + b"\n" + canonical).hexdigest()


async def get_idempotency(
    request: Request,
    key: Annotated[
        str | None,
        Header(
            alias=HEADER,
            pattern=KEY_PATTERN,
            description=(
                "Send the request again with the same key to get its first answer instead of "
                "running it twice (24 h). 8-255 of `A-Z a-z 0-9 _ . : -`; a UUID is best."
            ),
            examples=["0b9f2a4e-8f4d-4b8a-9a57-5a1a3e0c7d21"],
        ),
    ] = None,
) -> Idempotency:
    return Idempotency(request, key)


IdempotencyDep = Annotated[Idempotency, Depends(get_idempotency)]
